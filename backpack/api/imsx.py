"""Errors (and statuses) of the resource endpoints as 1EdTech's imsx_StatusInfo JSON."""
from flask import Response, json

# The code minor the specification pairs with each HTTP status.
MINOR_BY_STATUS = {
    400: "invalid_data",
    401: "unauthorizedrequest",
    403: "forbidden",
    404: "not_found",
    405: "not_allowed",
    406: "not_acceptable",
    413: "invalid_data",
    415: "invalid_data",
    429: "server_busy",
    500: "internal_server_error",
}


def status_info(description: str, minor: str, *, major: str = "failure", severity: str = "error") -> dict:
    """Return an imsx_StatusInfo object."""
    return {
        "imsx_codeMajor": major,
        "imsx_severity": severity,
        "imsx_description": description,
        "imsx_codeMinor": {
            "imsx_codeMinorField": [
                {"imsx_codeMinorFieldName": "TargetEndSystem", "imsx_codeMinorFieldValue": minor},
            ]
        },
    }


def error(status: int, description: str, minor: str | None = None, *, major: str = "failure",
          headers: list | None = None) -> Response:
    """Return an imsx_StatusInfo error response with the given HTTP status."""
    minor = minor or MINOR_BY_STATUS.get(status, "unknown")
    severity = "status" if minor == "not_found" else "error"
    body = json.dumps(status_info(description, minor, major=major, severity=severity))
    response = Response(body, status=status, mimetype="application/json")
    for name, value in headers or []:
        if name.lower() != "content-type":
            response.headers[name] = value
    response.headers["Cache-Control"] = "no-store"
    return response
