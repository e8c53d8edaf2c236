"""The Service Description Document: an OpenAPI 3.0 profile of the Open Badges 3.0 API, for this host.

Every URL in it is built from the router and the configured origin, never from the request.
"""
from flask import current_app

from backpack.api import scopes
from backpack.web.origin import public_url

SECURITY_SCHEME = "OAuth2ACG"


def _secured(scope: str) -> list[dict]:
    return [{SECURITY_SCHEME: [scope]}]


def _errors(*codes: int) -> dict:
    described = {
        "400": "The request was not valid.",
        "401": "No valid access token was sent.",
        "403": "The access token does not have the scope this needs.",
        "404": "Not found.",
        "405": "The method is not allowed.",
        "413": "The body is too large.",
        "415": "The body's content type is not accepted.",
        "500": "Something went wrong on the server.",
    }
    status_info = {"application/json": {"schema": {"$ref": "#/components/schemas/Imsx_StatusInfo"}}}
    responses = {str(code): {"description": described[str(code)], "content": status_info} for code in codes}
    responses["default"] = {"description": "The request was invalid or cannot be served.", "content": status_info}
    return responses


def _paths() -> dict:
    credential = {"application/json": {"schema": {"$ref": "#/components/schemas/AchievementCredential"}}}
    profile = {"application/json": {"schema": {"$ref": "#/components/schemas/Profile"}}}
    # A VC-JWT goes as text/plain: a compact JWS (OB 3.0 §6.2.2).
    compact_jws = {"text/plain": {"schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$"}}}
    paging = [
        {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1}},
        {"name": "offset", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0}},
        {"name": "since", "in": "query", "required": False, "schema": {"type": "string", "format": "date-time"}},
    ]
    return {
        "/credentials": {
            "get": {
                "operationId": "getCredentials",
                "tags": ["OpenBadgeCredentials"],
                "parameters": paging,
                "security": _secured(scopes.CREDENTIAL_READ),
                "responses": {
                    "200": {
                        "description": "The learner's credentials, a page at a time (X-Total-Count and Link headers).",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GetOpenBadgeCredentialsResponse"}}},
                    },
                    **_errors(400, 401, 403, 405, 500),
                },
            },
            "post": {
                "operationId": "upsertCredential",
                "tags": ["OpenBadgeCredentials"],
                "security": _secured(scopes.CREDENTIAL_UPSERT),
                "requestBody": {
                    "required": True,
                    "content": {**credential, "application/vc+ld+json": credential["application/json"], **compact_jws},
                },
                "responses": {
                    "200": {"description": "The credential replaced the one with the same id.", "content": {**credential, **compact_jws}},
                    "201": {"description": "The credential was added.", "content": {**credential, **compact_jws}},
                    **_errors(400, 401, 403, 405, 413, 415, 500),
                },
            },
        },
        "/profile": {
            "get": {
                "operationId": "getProfile",
                "tags": ["Profile"],
                "security": _secured(scopes.PROFILE_READ),
                "responses": {"200": {"description": "The learner's profile.", "content": profile}, **_errors(401, 403, 404, 405, 500)},
            },
            "put": {
                "operationId": "putProfile",
                "tags": ["Profile"],
                "security": _secured(scopes.PROFILE_UPDATE),
                "requestBody": {"required": True, "content": profile},
                "responses": {"200": {"description": "The profile, updated.", "content": profile}, **_errors(400, 401, 403, 404, 405, 500)},
            },
        },
        "/discovery": {
            "get": {
                "operationId": "getServiceDescription",
                "tags": ["Discovery"],
                "responses": {
                    "200": {"description": "This document.", "content": {"application/json": {"schema": {"type": "object"}}}},
                    **_errors(),
                },
            },
        },
    }


def _schemas() -> dict:
    minor_values = [
        "forbidden", "fullsuccess", "internal_server_error", "invalid_data", "invalid_query_parameter",
        "misdirected_request", "not_acceptable", "not_allowed", "not_found", "not_modified", "server_busy",
        "unauthorizedrequest", "unknown",
    ]
    return {
        "AchievementCredential": {"type": "object", "required": ["@context", "id", "type", "issuer", "validFrom", "credentialSubject"],
                                  "additionalProperties": True},
        "Profile": {"type": "object", "required": ["id", "type"], "additionalProperties": True},
        "GetOpenBadgeCredentialsResponse": {
            "type": "object",
            "properties": {
                "credential": {"type": "array", "items": {"$ref": "#/components/schemas/AchievementCredential"}},
                "compactJwsString": {"type": "array", "items": {"type": "string"}},
            },
        },
        "Imsx_StatusInfo": {
            "type": "object",
            "required": ["imsx_codeMajor", "imsx_severity"],
            "properties": {
                "imsx_codeMajor": {"type": "string", "enum": ["failure", "processing", "success", "unsupported"]},
                "imsx_severity": {"type": "string", "enum": ["error", "status", "warning"]},
                "imsx_description": {"type": "string"},
                "imsx_codeMinor": {
                    "type": "object",
                    "properties": {
                        "imsx_codeMinorField": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["imsx_codeMinorFieldName", "imsx_codeMinorFieldValue"],
                                "properties": {
                                    "imsx_codeMinorFieldName": {"type": "string"},
                                    "imsx_codeMinorFieldValue": {"type": "string", "enum": minor_values},
                                },
                            },
                        }
                    },
                },
            },
        },
    }


def service_description() -> dict:
    """Return the discovery document for this deployment."""
    config = current_app.config
    name = config["BACKPACK_NAME"]
    front_page = public_url("home.index")
    token_url = public_url("api.token")
    return {
        "openapi": "3.0.1",
        "info": {
            "title": f"{name} Open Badges API",
            "version": "3.0",
            "termsOfService": config.get("API_TERMS_URL") or front_page,
            "x-imssf-privacyPolicyUrl": config.get("API_PRIVACY_URL") or front_page,
            "x-imssf-image": public_url("static", filename="icons/icon-192.png"),
        },
        "servers": [{"url": public_url("api.discovery").removesuffix("/discovery")}],
        "tags": [{"name": "OpenBadgeCredentials"}, {"name": "Profile"}, {"name": "Discovery"}],
        "paths": _paths(),
        "components": {
            "securitySchemes": {
                SECURITY_SCHEME: {
                    "type": "oauth2",
                    "description": "OAuth 2.0 Authorization Code Grant with PKCE (S256)",
                    "x-imssf-name": name,
                    "x-imssf-registrationUrl": public_url("api.register"),
                    "flows": {
                        "authorizationCode": {
                            "authorizationUrl": public_url("api.authorize"),
                            "tokenUrl": token_url,
                            "refreshUrl": token_url,
                            "x-backpack-revocationUrl": public_url("api.revoke"),
                            "scopes": dict(scopes.DESCRIPTIONS),
                        }
                    },
                }
            },
            "schemas": _schemas(),
        },
    }
