"""Check documents against 1EdTech's published Open Badges 3.0 JSON Schemas (vendored copies).

The schemas (tests/credentials/schemas/, see its README) are Draft 2019-09. Both published
forms of each are checked: `json` and `json-ld` differ in how strictly they read `type`.
Formats are checked too: jsonschema skips `date-time` unless a checker is registered.
"""
import json
import re
from datetime import date, datetime
from functools import cache
from pathlib import Path

from jsonschema import Draft201909Validator, FormatChecker

SCHEMAS = Path(__file__).resolve().parent.parent / "credentials" / "schemas"
ACHIEVEMENT_CREDENTIAL = {"json": "achievementcredential.json", "json-ld": "achievementcredential-jsonld.json"}
PROFILE = {"json": "profile.json", "json-ld": "profile-jsonld.json"}

# RFC 3339 date-time, as JSON Schema's "date-time" format means it.
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_FORMATS = FormatChecker()


@_FORMATS.checks("date-time", raises=ValueError)
def _date_time(value) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE_TIME.match(value):
        raise ValueError(f"{value!r} is not an RFC 3339 date-time")
    datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    return True


@_FORMATS.checks("date", raises=ValueError)
def _date(value) -> bool:
    if isinstance(value, str):
        date.fromisoformat(value)
    return True


@cache
def load(name: str) -> dict:
    """Return a vendored schema document."""
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


@cache
def _validator(name: str, part: str | None = None) -> Draft201909Validator:
    """Return a validator for a whole schema, or for one of its top-level properties."""
    schema = load(name)
    if part:
        schema = {"$defs": schema["$defs"], **schema["properties"][part]}
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema, format_checker=_FORMATS)


def _errors(files: dict, document, part: str | None = None) -> list[str]:
    found = []
    for form, name in files.items():
        for error in _validator(name, part).iter_errors(document):
            path = "/".join(str(item) for item in [part, *error.absolute_path] if item is not None) or "(root)"
            found.append(f"{form}: {path}: {error.message[:300]}")
    return found


def credential_errors(credential: dict) -> list[str]:
    """Return every error of an AchievementCredential against both published forms (empty = valid)."""
    return _errors(ACHIEVEMENT_CREDENTIAL, credential)


def profile_errors(profile: dict) -> list[str]:
    """Return every error of an issuer Profile against both published forms of the Profile schema."""
    return _errors(PROFILE, profile)


def proof_errors(proofs) -> list[str]:
    """Return every error of a `proof` value against the AchievementCredential schemas' `proof`.

    Used for status lists: 1EdTech publishes no schema for a BitstringStatusListCredential,
    but its proof has the same shape as a badge's.
    """
    return _errors(ACHIEVEMENT_CREDENTIAL, proofs, "proof")
