"""The OAuth 2.0 server, built on Authlib: registration, authorization code + PKCE, tokens, revocation.

Authlib does the protocol; this module tells it where things are kept (backpack.api.tokens,
connections and clients) and narrows it to what the Open Badges 3.0 API asks for:
confidential platforms only, PKCE with S256 only (required), the four OB scopes, refresh
tokens rotated on use, access tokens that live one hour.
"""
import json

from authlib.integrations.flask_oauth2 import AuthorizationServer as FlaskAuthorizationServer
from authlib.integrations.flask_oauth2 import ResourceProtector
from authlib.integrations.flask_oauth2.requests import FlaskOAuth2Payload, FlaskOAuth2Request
from authlib.oauth2.rfc6749 import InvalidRequestError, JsonPayload, JsonRequest, OAuth2Request, grants
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7591 import ClientRegistrationEndpoint
from authlib.oauth2.rfc7591.errors import InvalidClientMetadataError, InvalidRedirectURIError
from authlib.oauth2.rfc7636 import CodeChallenge
from flask import Flask, request

from backpack.api import clients, connections, scopes, tokens
from backpack.web.origin import public_origin


def _public_uri(flask_request) -> str:
    """The request's URL on the configured origin: TLS is judged by the origin, not by a proxy's hop."""
    return public_origin() + flask_request.full_path.rstrip("?")


class _OAuth2Request(FlaskOAuth2Request):
    def __init__(self, flask_request):
        OAuth2Request.__init__(self, method=flask_request.method, uri=_public_uri(flask_request), headers=flask_request.headers)
        self._request = flask_request
        self.payload = FlaskOAuth2Payload(flask_request)


class _StrictJsonPayload(JsonPayload):
    """A JSON object body, parsed when first read (so a bad one becomes an OAuth error, not an HTML page)."""

    def __init__(self, flask_request):
        self._request = flask_request
        self._data = None

    @property
    def data(self):
        if self._data is None:
            try:
                found = json.loads(self._request.get_data(cache=True))
            except (ValueError, RecursionError):
                raise InvalidClientMetadataError("The body is not JSON.") from None
            if not isinstance(found, dict):
                raise InvalidClientMetadataError("The body is not a JSON object.")
            self._data = found
        return self._data


class _JsonRequest(JsonRequest):
    def __init__(self, flask_request):
        super().__init__(flask_request.method, _public_uri(flask_request), flask_request.headers)
        self.payload = _StrictJsonPayload(flask_request)


class AuthorizationServer(FlaskAuthorizationServer):
    """Authlib's Flask server, with requests named by the configured origin."""

    def create_oauth2_request(self, oauth_request):
        return _OAuth2Request(request)

    def create_json_request(self, oauth_request):
        return _JsonRequest(request)


def _query_client(client_id):
    return clients.find(client_id)


def _save_token(token, oauth_request):
    code = oauth_request.authorization_code
    previous = oauth_request.refresh_token
    code_id = code.id if code is not None else previous.authorization_code_id if previous is not None else None
    tokens.store(token, client=oauth_request.client, user=oauth_request.user, code_id=code_id)


def _generate_token(grant_type, client, user=None, scope=None, expires_in=None, include_refresh_token=True):
    """Make a bearer token response: random 256-bit tokens, the access token for one hour."""
    token = {
        "token_type": "Bearer",
        "access_token": tokens.new_secret(),
        "expires_in": int(tokens.ACCESS_TTL.total_seconds()),
        "scope": scope or "",
    }
    if include_refresh_token:
        token["refresh_token"] = tokens.new_secret()
    return token


class S256Only(CodeChallenge):
    """PKCE, required on every authorization request, with the S256 method only."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: send code_challenge.")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("PKCE code_challenge_method must be S256.")
        super().validate_code_challenge(grant, redirect_uri)


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def save_authorization_code(self, code, oauth_request):
        data = oauth_request.payload.data
        connections.connect(oauth_request.user, oauth_request.client, oauth_request.scope)
        return tokens.save_code(
            code,
            client=oauth_request.client,
            user=oauth_request.user,
            redirect_uri=oauth_request.payload.redirect_uri or "",
            scope=oauth_request.scope,
            challenge=data["code_challenge"],
            method=data["code_challenge_method"],
        )

    def query_authorization_code(self, code, client):
        return tokens.redeemable_code(code, client)

    def delete_authorization_code(self, authorization_code):
        tokens.use_code(authorization_code)

    def authenticate_user(self, authorization_code):
        user = authorization_code.user
        return user if user is not None and user.is_learner else None


class RefreshTokenGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token):
        return tokens.refreshable(refresh_token)

    def authenticate_user(self, refresh_token):
        user = refresh_token.user
        return user if user is not None and user.is_learner else None

    def revoke_old_credential(self, refresh_token):
        tokens.revoke([refresh_token])


class Revocation(RevocationEndpoint):
    """RFC 7009: a platform revokes an access or refresh token it holds."""

    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def query_token(self, token_string, token_type_hint):
        return tokens.find_any(token_string, token_type_hint)

    def revoke_token(self, token, oauth_request):
        tokens.revoke([token])


class Registration(ClientRegistrationEndpoint):
    """RFC 7591: anyone may register a platform; learners decide on the consent page."""

    def authenticate_token(self, oauth_request):
        return True  # open registration, rate-limited by the view

    def get_server_metadata(self):
        return {
            "scopes_supported": list(scopes.ALL),
            "response_types_supported": ["code"],
            "grant_types_supported": list(clients.GRANT_TYPES),
            "token_endpoint_auth_methods_supported": list(clients.AUTH_METHODS),
        }

    def extract_client_metadata(self, oauth_request):
        metadata = super().extract_client_metadata(oauth_request)
        try:
            return clients.check_metadata(metadata)
        except clients.MetadataProblem as problem:
            error = InvalidRedirectURIError if problem.redirect else InvalidClientMetadataError
            raise error(str(problem)) from None

    def generate_client_id(self, oauth_request):
        return tokens.new_secret()

    def generate_client_secret(self, oauth_request):
        return tokens.new_secret()

    def save_client(self, client_info, client_metadata, oauth_request):
        return clients.save(client_info["client_id"], client_info["client_secret"], client_metadata)


class BearerValidator(BearerTokenValidator):
    def authenticate_token(self, token_string):
        return tokens.find_access(token_string)


# Created once, like the extensions; init_app binds them to an app's settings.
authorization = AuthorizationServer()
authorization.register_grant(AuthorizationCodeGrant, [S256Only(required=True)])
authorization.register_grant(RefreshTokenGrant)
authorization.register_endpoint(Revocation)
authorization.register_endpoint(Registration)
protector = ResourceProtector()
protector.register_token_validator(BearerValidator())


def init_app(app: Flask) -> None:
    """Bind the server to the app: where clients and tokens are kept, which scopes exist, how tokens are made."""
    app.config.setdefault("OAUTH2_SCOPES_SUPPORTED", list(scopes.ALL))
    authorization.init_app(app, query_client=_query_client, save_token=_save_token)
    authorization.register_token_generator("default", _generate_token)


def bearer_request() -> JsonRequest:
    """The current request as Authlib's resource protector reads it."""
    return _JsonRequest(request)
