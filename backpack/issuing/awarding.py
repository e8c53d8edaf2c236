"""Awarding badges: one signed Open Badges 3.0 credential per learner, stacks included."""
import json
from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import lazy_gettext as _l

from backpack.credentials import openbadge, proof
from backpack.extensions import db
from backpack.issuing import issuers, status
from backpack.models import Achievement, Award, ClaimCode, StackRequirement, User
from backpack.models.issuer import new_public_id
from backpack.models.time import utcnow
from backpack.notify import enqueue_for
from backpack.web.origin import public_origin
from backpack.web.refusal import Refusal


class AwardError(Refusal):
    """An award that cannot be made."""


NOT_A_LEARNER = _l("Badges can only be awarded to learners.")


@dataclass
class AwardOutcome:
    """What one award action did: new credentials, and learners who already held the badge."""

    created: list[Award] = field(default_factory=list)
    already_held: list[User] = field(default_factory=list)
    stacks: list[Award] = field(default_factory=list)


def image_url(achievement: Achievement) -> str:
    return f"{public_origin()}/badges/{achievement.public_id}/image.png"


def _achievement_claim(achievement: Achievement) -> openbadge.Achievement:
    return openbadge.Achievement(
        id=f"urn:uuid:{achievement.public_id}",
        name=achievement.name,
        description=achievement.description,
        criteria=achievement.criteria,
        image=image_url(achievement),
        image_caption=achievement.name,
        alignments=tuple(
            openbadge.Alignment(
                target_name=item["name"],
                target_url=item["url"],
                target_framework=item.get("framework") or None,
                target_code=item.get("code") or None,
            )
            for item in achievement.alignments or []
        ),
        tags=tuple(achievement.tags or ()),
        language=achievement.language,
    )


def _credential(award: Award, status_entry: dict, items: tuple = ()) -> str:
    """Build and sign the award's credential; return it exactly as it will be stored.

    items: further evidence[] entries (a submission's evidence, as links the learner controls).
    """
    achievement = award.achievement
    evidence = ()
    if award.evidence_url or award.note:
        evidence = (openbadge.Evidence(id=award.evidence_url, narrative=award.note),)
    evidence += tuple(items)
    unsigned = openbadge.build_credential(
        credential_id=f"urn:uuid:{award.public_id}",
        issuer=issuers.profile(achievement.issuer),
        achievement=_achievement_claim(achievement),
        identifier=[
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": award.learner.display_name,
            }
        ],
        valid_from=proof.timestamp(award.issued_at),
        valid_until=proof.timestamp(award.valid_until) if award.valid_until else None,
        evidence=evidence,
        status=status_entry,
    )
    key = issuers.signing_key(achievement.issuer)
    signed = proof.sign(unsigned, key, key.verification_method)
    return json.dumps(signed, ensure_ascii=False, separators=(",", ":"))


def holds(learner: User, achievement: Achievement) -> bool:
    """Tell whether the learner holds a live (not revoked, not expired) award of the badge."""
    now = utcnow()
    return (
        db.session.scalar(
            db.select(Award.id).where(
                Award.learner_id == learner.id,
                Award.achievement_id == achievement.id,
                Award.revoked_at.is_(None),
                (Award.valid_until.is_(None)) | (Award.valid_until > now),
            )
        )
        is not None
    )


def _issue_one(
    achievement: Achievement, learner: User, *, by, source, note, evidence_url, claim_code, evidence=()
) -> Award | None:
    """Sign and store one award; None if the learner already holds the badge."""
    live = db.session.scalar(
        db.select(Award.id).where(
            Award.learner_id == learner.id,
            Award.achievement_id == achievement.id,
            Award.revoked_at.is_(None),
        )
    )
    if live is not None:
        return None
    issued_at = utcnow().replace(microsecond=0)
    status_list, index, entry = status.allocate(achievement.issuer)
    award = Award(
        public_id=new_public_id(),
        achievement=achievement,
        learner=learner,
        issuer=achievement.issuer,
        awarded_by_id=by.id if by else None,
        source=source,
        claim_code=claim_code,
        note=note or None,
        evidence_url=evidence_url or None,
        issued_at=issued_at,
        valid_until=issued_at + timedelta(days=achievement.validity_days)
        if achievement.validity_days
        else None,
        status_list=status_list,
        status_index=index,
        credential_json="",
    )
    award.credential_json = _credential(award, entry, tuple(evidence))
    db.session.add(award)
    enqueue_for(learner, "badge-awarded", award=award)
    return award


def award(
    achievement: Achievement,
    learners: list[User],
    *,
    by: User | None,
    source: str = "direct",
    note: str | None = None,
    evidence_url: str | None = None,
    claim_code: ClaimCode | None = None,
    evidence: tuple[openbadge.Evidence, ...] = (),
) -> AwardOutcome:
    """Award the badge to each learner once; stacks they complete are awarded too.

    evidence: extra evidence[] entries for the credential (e.g. a submission's items).
    The caller commits. A concurrent double tap that slips past the check fails on the
    unique index (IntegrityError): the caller rolls back, so no second credential exists.
    """
    outcome = AwardOutcome()
    for learner in learners:
        if not learner.is_learner:
            raise AwardError(NOT_A_LEARNER)
        created = _issue_one(
            achievement,
            learner,
            by=by,
            source=source,
            note=note,
            evidence_url=evidence_url,
            claim_code=claim_code,
            evidence=evidence,
        )
        if created is None:
            outcome.already_held.append(learner)
            continue
        outcome.created.append(created)
        outcome.stacks.extend(_complete_stacks(learner, achievement))
    return outcome


def _complete_stacks(learner: User, earned: Achievement) -> list[Award]:
    """Award every stack badge the learner now completes (and stacks of stacks)."""
    awarded = []
    stacks = db.session.scalars(
        db.select(Achievement)
        .join(StackRequirement, StackRequirement.stack_id == Achievement.id)
        .where(StackRequirement.required_id == earned.id)
    ).all()
    for stack in stacks:
        if stack.required and all(holds(learner, required) for required in stack.required):
            created = _issue_one(
                stack, learner, by=None, source="stack", note=None, evidence_url=None, claim_code=None
            )
            if created is not None:
                awarded.append(created)
                awarded.extend(_complete_stacks(learner, stack))
    return awarded


def stack_progress(learner: User, stack: Achievement) -> tuple[int, int]:
    """Return (held, required) for a stack badge, for '2 of 3' progress."""
    required = stack.required
    return sum(1 for item in required if holds(learner, item)), len(required)
