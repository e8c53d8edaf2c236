"""Issuer profiles and their signing keys."""
from flask import current_app

from backpack.credentials import keys
from backpack.credentials.openbadge import Issuer as IssuerProfile
from backpack.extensions import db
from backpack.models import Issuer, User, issuer_members
from backpack.web.origin import public_url


def create_issuer(
    name: str, *, members: list[User], url=None, email=None, description=None, logo_png=None
) -> Issuer:
    """Create an issuer with a fresh Ed25519 key, sealed at rest, named by its did:key."""
    key = keys.generate_key()
    issuer = Issuer(
        name=name.strip(),
        url=url or None,
        email=email or None,
        description=description or None,
        logo_png=logo_png,
        did=key.did,
        sealed_private_key=keys.seal_private_key(
            key.seed, current_app.config["KEY_ENCRYPTION_SECRET"]
        ),
        members=list(members),
    )
    db.session.add(issuer)
    return issuer


def signing_key(issuer: Issuer) -> keys.IssuerKey:
    """Unseal the issuer's key for one signature; it is never shown or exported."""
    seed = keys.open_private_key(
        issuer.sealed_private_key, current_app.config["KEY_ENCRYPTION_SECRET"]
    )
    key = keys.key_from_seed(seed)
    if key.did != issuer.did:
        raise RuntimeError("issuer key does not match its DID")
    return key


def issuers_of(user: User) -> list[Issuer]:
    return list(
        db.session.scalars(
            db.select(Issuer)
            .join(issuer_members)
            .where(issuer_members.c.user_id == user.id)
            .order_by(Issuer.name)
        )
    )


def profile(issuer: Issuer) -> IssuerProfile:
    """Return the issuer's Open Badges Profile as it goes into credentials."""
    return IssuerProfile(
        id=issuer.did,
        name=issuer.name,
        url=issuer.url,
        email=issuer.email,
        description=issuer.description,
        image=public_url("issuing.issuer_logo", public_id=issuer.public_id) if issuer.logo_png else None,
    )
