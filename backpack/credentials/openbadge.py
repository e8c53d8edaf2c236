"""Build unsigned Open Badges 3.0 OpenBadgeCredential documents.

The shape follows DESIGN.md section 5: VC 2.0, OB 3.0.3 and OB extensions contexts,
a did:key issuer Profile, an AchievementSubject with its Achievement, optional
evidence, a BitstringStatusListEntry and a credentialSchema entry naming 1EdTech's
published JSON Schema, so schema-checking verifiers know what to check against.
Signing is proof.sign's job.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from .jsonld import OB_CONTEXT, OB_EXTENSIONS_CONTEXT, VC_V2_CONTEXT

# The extensions context defines 1EdTechJsonSchemaValidator2019, the credentialSchema type.
CONTEXT = [VC_V2_CONTEXT, OB_CONTEXT, OB_EXTENSIONS_CONTEXT]
CREDENTIAL_TYPE = ["VerifiableCredential", "OpenBadgeCredential"]
# The OB 3.0 spec asks for one entry naming its AchievementCredential JSON Schema (the URL the spec uses).
ACHIEVEMENT_CREDENTIAL_SCHEMA = {
    "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
    "type": "1EdTechJsonSchemaValidator2019",
}
# How a signed credential is served (VC Data Model 2.0, section 6.3).
MEDIA_TYPE = "application/vc+ld+json"


@dataclass(frozen=True)
class Issuer:
    """The issuing organisation's Profile; id is its did:key."""

    id: str
    name: str
    url: str | None = None
    email: str | None = None
    image: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class Alignment:
    """A skill or framework item the achievement aligns to."""

    target_name: str
    target_url: str
    target_framework: str | None = None
    target_code: str | None = None
    target_description: str | None = None


@dataclass(frozen=True)
class Achievement:
    """The badge class: what is certified and how it is earned."""

    id: str
    name: str
    description: str
    criteria: str
    image: str
    image_caption: str | None = None
    alignments: Sequence[Alignment] = field(default_factory=tuple)
    tags: Sequence[str] = field(default_factory=tuple)
    language: str | None = None


@dataclass(frozen=True)
class Evidence:
    """Something the learner shared to show the achievement."""

    id: str | None = None
    name: str | None = None
    description: str | None = None
    narrative: str | None = None
    genre: str | None = None


def _compact(mapping: dict) -> dict:
    """Drop keys whose value is None or empty, so no blank fields are signed."""
    return {key: value for key, value in mapping.items() if value not in (None, "", [], {})}


def new_credential_id() -> str:
    """Return a fresh urn:uuid identifier for a credential."""
    return f"urn:uuid:{uuid.uuid4()}"


def hashed_email_identifier(email: str, salt: str) -> dict:
    """Return an IdentityObject naming a learner by salted SHA-256 of their e-mail address."""
    digest = hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()
    return {
        "type": "IdentityObject",
        "identityHash": f"sha256${digest}",
        "identityType": "emailAddress",
        "hashed": True,
        "salt": salt,
    }


def _image(url: str | None, caption: str | None = None) -> dict | None:
    """Return an OB Image object for a URL."""
    return _compact({"id": url, "type": "Image", "caption": caption}) if url else None


def _issuer_profile(issuer: Issuer) -> dict:
    """Return the issuer Profile object."""
    return _compact(
        {
            "id": issuer.id,
            "type": ["Profile"],
            "name": issuer.name,
            "url": issuer.url,
            "email": issuer.email,
            "description": issuer.description,
            "image": _image(issuer.image),
        }
    )


def _alignment(alignment: Alignment) -> dict:
    """Return an OB Alignment object."""
    return _compact(
        {
            "type": ["Alignment"],
            "targetName": alignment.target_name,
            "targetUrl": alignment.target_url,
            "targetFramework": alignment.target_framework,
            "targetCode": alignment.target_code,
            "targetDescription": alignment.target_description,
        }
    )


def language_tag(code: str | None) -> str | None:
    """Spell a locale code as the BCP 47 tag OB 3.0's LanguageCode wants: zh_Hans -> zh-Hans.

    The credential names one language, the original's: OB 3.0 has no place for translated
    words inside an Achievement (only `related` links to separate language editions).
    """
    return code.replace("_", "-") if code else None


def _achievement(achievement: Achievement) -> dict:
    """Return the OB Achievement object."""
    return _compact(
        {
            "id": achievement.id,
            "type": ["Achievement"],
            "name": achievement.name,
            "description": achievement.description,
            "criteria": {"narrative": achievement.criteria},
            "image": _image(achievement.image, achievement.image_caption),
            "alignment": [_alignment(item) for item in achievement.alignments],
            "tag": list(achievement.tags),
            "inLanguage": language_tag(achievement.language),
        }
    )


def _evidence(item: Evidence) -> dict:
    """Return an OB Evidence object."""
    return _compact(
        {
            "id": item.id,
            "type": ["Evidence"],
            "name": item.name,
            "description": item.description,
            "narrative": item.narrative,
            "genre": item.genre,
        }
    )


def build_credential(
    *,
    issuer: Issuer,
    achievement: Achievement,
    valid_from: str,
    subject_id: str | None = None,
    identifier: Sequence[dict] = (),
    valid_until: str | None = None,
    evidence: Sequence[Evidence] = (),
    status: dict | None = None,
    credential_id: str | None = None,
) -> dict:
    """Return an unsigned OpenBadgeCredential for one learner."""
    if not subject_id and not identifier:
        raise ValueError("The credential subject needs an id or an identifier.")
    subject = _compact(
        {
            "id": subject_id,
            "type": ["AchievementSubject"],
            "identifier": list(identifier),
            "achievement": _achievement(achievement),
        }
    )
    return _compact(
        {
            "@context": list(CONTEXT),
            "id": credential_id or new_credential_id(),
            "type": list(CREDENTIAL_TYPE),
            "name": achievement.name,
            # OB 3.0 shows a credential's own name and description where a verifier lists it.
            "description": achievement.description,
            "issuer": _issuer_profile(issuer),
            "validFrom": valid_from,
            "validUntil": valid_until,
            "credentialSubject": subject,
            "evidence": [_evidence(item) for item in evidence],
            "credentialStatus": status,
            "credentialSchema": [dict(ACHIEVEMENT_CREDENTIAL_SCHEMA)],
        }
    )
