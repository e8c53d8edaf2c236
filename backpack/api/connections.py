"""The platforms a learner connected to their backpack: made at consent, listed, disconnected."""
from backpack.api import tokens
from backpack.extensions import db
from backpack.models import OAuthClient, OAuthConnection, User


def connection_of(user: User, client: OAuthClient) -> OAuthConnection | None:
    """Return the learner's connection to the platform, if they allowed it."""
    return db.session.scalar(
        db.select(OAuthConnection).where(OAuthConnection.user_id == user.id, OAuthConnection.platform_id == client.id)
    )


def connect(user: User, client: OAuthClient, scope: str) -> OAuthConnection:
    """Record that the learner allowed the platform these scopes (added to any allowed before)."""
    found = connection_of(user, client)
    if found is None:
        found = OAuthConnection(user_id=user.id, platform_id=client.id, scope=scope)
        db.session.add(found)
    else:
        found.scope = " ".join(dict.fromkeys(found.scopes + scope.split()))
    db.session.flush()
    return found


def connections_of(user: User) -> list[OAuthConnection]:
    """Return the platforms the learner connected, the most recent first."""
    return list(
        db.session.scalars(
            db.select(OAuthConnection)
            .where(OAuthConnection.user_id == user.id)
            .order_by(OAuthConnection.connected_at.desc(), OAuthConnection.id.desc())
        )
    )


def disconnect(connection: OAuthConnection) -> None:
    """Revoke every token and pending code of the platform for the learner at once, and forget the consent."""
    tokens.revoke_all(connection.user, connection.platform)
    db.session.delete(connection)
    db.session.flush()
