"""Bearer tokens on the resource endpoints: a live token with the endpoint's scope, for a learner still connected."""
from functools import wraps

from authlib.oauth2 import OAuth2Error

from backpack.api import connections, imsx, server

DESCRIPTIONS = {
    "missing_authorization": "Send an access token in the Authorization header: 'Bearer <token>'.",
    "unsupported_token_type": "Only Bearer access tokens are accepted.",
    "invalid_token": "The access token is not valid: it is unknown, expired or revoked.",
}


def _invalid(description: str):
    return imsx.error(401, description, headers=[("WWW-Authenticate", 'Bearer error="invalid_token"')])


def require_scope(scope: str):
    """Guard a resource view: it runs with the learner's connection, or answers with imsx_StatusInfo."""

    def decorator(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            try:
                token = server.protector.validate_request([scope], server.bearer_request())
            except OAuth2Error as error:
                if error.error == "insufficient_scope":
                    challenge = f'Bearer error="insufficient_scope", scope="{scope}"'
                    return imsx.error(403, f"The access token does not have the scope {scope}.", headers=[("WWW-Authenticate", challenge)])
                if error.error == "missing_authorization":
                    return imsx.error(401, DESCRIPTIONS[error.error], headers=[("WWW-Authenticate", "Bearer")])
                return _invalid(DESCRIPTIONS.get(error.error, DESCRIPTIONS["invalid_token"]))
            connection = connections.connection_of(token.user, token.platform)
            if connection is None or not token.user.is_learner:
                return _invalid(DESCRIPTIONS["invalid_token"])
            return view(connection, *args, **kwargs)

        return guarded

    return decorator
