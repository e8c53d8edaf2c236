"""Awarding badges: one signed Open Badges 3.0 credential per learner, stacks included.

A class is awarded as one batch (DESIGN.md section 6: signing and storing <= 2 ms per
credential, no write lock held > 100 ms): a few queries for the whole class, the issuer's
key unsealed once, every credential signed in memory, then one multi-row INSERT, so the
write lock is held only from just before that INSERT to the caller's commit. Awards to more
than award_jobs.BATCH learners run as a job, one such batch per transaction (award_jobs.py).
Status indexes are drawn under the list's row lock on PostgreSQL, and checked again under the
write lock on SQLite (status.allocate_many, status.confirm), so awards at the same moment
never meet on an index.
"""
import json
from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.attributes import set_committed_value

from backpack.credentials import keys, openbadge, proof
from backpack.extensions import db
from backpack.issuing import issuers, status
from backpack.models import Achievement, Award, ClaimCode, PushSubscription, StackRequirement, User
from backpack.models.issuer import new_public_id
from backpack.models.time import utcnow
from backpack.models.transactions import take_write_lock
from backpack.notify import enqueue_for
from backpack.web.origin import public_url
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
    """Return the badge picture's public URL, as signed into credentials (its shape is pinned by a test)."""
    return public_url("issuing.badge_image", public_id=achievement.public_id)


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


@dataclass(frozen=True)
class _Signer:
    """What every credential of one badge shares: issuer profile, claim and the unsealed key."""

    issuer: openbadge.Issuer
    claim: openbadge.Achievement
    key: keys.IssuerKey
    method: str

    @classmethod
    def for_badge(cls, achievement: Achievement) -> "_Signer":
        key = issuers.signing_key(achievement.issuer)
        return cls(issuers.profile(achievement.issuer), _achievement_claim(achievement), key, key.verification_method)

    def credential(self, row: dict, learner: User, status_entry: dict, items: tuple = ()) -> str:
        """Build and sign the credential of an award row; return it exactly as it will be stored.

        items: further evidence[] entries (a submission's evidence, as links the learner controls).
        """
        evidence = ()
        if row["evidence_url"] or row["note"]:
            evidence = (openbadge.Evidence(id=row["evidence_url"], narrative=row["note"]),)
        evidence += tuple(items)
        unsigned = openbadge.build_credential(
            credential_id=f"urn:uuid:{row['public_id']}",
            issuer=self.issuer,
            achievement=self.claim,
            identifier=[
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": learner.display_name,
                }
            ],
            valid_from=proof.timestamp(row["issued_at"]),
            valid_until=proof.timestamp(row["valid_until"]) if row["valid_until"] else None,
            evidence=evidence,
            status=status_entry,
        )
        signed = proof.sign(unsigned, self.key, self.method)
        return json.dumps(signed, ensure_ascii=False, separators=(",", ":"))


def holds(learner: User, achievement: Achievement) -> bool:
    """Tell whether the learner holds a live (not revoked, not expired) award of the badge."""
    return learner.id in _holding_all([learner], [achievement])


def _holding_all(learners: list[User], required: list[Achievement]) -> set[int]:
    """Return the ids of the learners holding a live, unexpired award of every required badge."""
    now = utcnow()
    return set(
        db.session.scalars(
            db.select(Award.learner_id)
            .where(
                Award.learner_id.in_([learner.id for learner in learners]),
                Award.achievement_id.in_([achievement.id for achievement in required]),
                Award.revoked_at.is_(None),
                (Award.valid_until.is_(None)) | (Award.valid_until > now),
            )
            .group_by(Award.learner_id)
            .having(db.func.count(db.distinct(Award.achievement_id)) == len(required))
        )
    )


def _unrevoked_holders(achievement: Achievement, learners: list[User]) -> set[int]:
    """Return the ids of the learners with an unrevoked award of the badge (expired ones count)."""
    return set(
        db.session.scalars(
            db.select(Award.learner_id).where(
                Award.achievement_id == achievement.id,
                Award.learner_id.in_([learner.id for learner in learners]),
                Award.revoked_at.is_(None),
            )
        )
    )


def _issue(
    achievement: Achievement, learners: list[User], *, by, source, note, evidence_url, claim_code, evidence=()
) -> tuple[list[Award], list[User]]:
    """Sign and store one award per learner; return (new awards, learners who already held the badge)."""
    held = _unrevoked_holders(achievement, learners) if learners else set()
    fresh, already = [], []
    for learner in learners:
        (already if learner.id in held else fresh).append(learner)
        held.add(learner.id)
    if not fresh:
        return [], already
    signer = _Signer.for_badge(achievement)
    issuer, awarded_by_id = achievement.issuer, by.id if by else None
    issued_at = utcnow().replace(microsecond=0)
    valid_until = issued_at + timedelta(days=achievement.validity_days) if achievement.validity_days else None
    reachable = _with_devices(fresh)
    rows = []
    # Nothing is written before the write lock is taken below (reads may not flush early), so
    # it is held only from there to the caller's commit, and no signing happens under it.
    with db.session.no_autoflush:
        reserved = status.allocate_many(issuer, len(fresh))
        for learner, (status_list, index, entry) in zip(fresh, reserved, strict=True):
            row = {
                "public_id": new_public_id(),
                "achievement_id": achievement.id,
                "learner_id": learner.id,
                "issuer_id": issuer.id,
                "awarded_by_id": awarded_by_id,
                "source": source,
                "claim_code_id": claim_code.id if claim_code else None,
                "note": note or None,
                "evidence_url": evidence_url or None,
                "issued_at": issued_at,
                "valid_until": valid_until,
                "status_list_id": status_list.id,
                "status_index": index,
            }
            row["credential_json"] = signer.credential(row, learner, entry, tuple(evidence))
            rows.append(row)
            if learner.id in reachable:
                # The notice needs only the award's public id and badge; it is the row about to be stored.
                enqueue_for(learner, "badge-awarded", award=_unsaved(row, achievement))
    take_write_lock()
    for position, (_status_list, index, entry) in status.confirm(reserved).items():
        # Another award stored this index after it was drawn: sign this one again with a free one.
        row = rows[position]
        row["status_index"] = index
        row["credential_json"] = signer.credential(row, fresh[position], entry, tuple(evidence))
    # Multi-row INSERTs (the ORM's bulk path) instead of a unit-of-work flush per object; the
    # rows come back in any order, so they are put back in the learners' order by public id.
    stored = {award.public_id: award for award in db.session.scalars(db.insert(Award).returning(Award), rows)}
    return [stored[row["public_id"]] for row in rows], already


def _unsaved(row: dict, achievement: Achievement) -> Award:
    """Return a transient Award with the row's values, for building its notification before the INSERT."""
    award = Award(**{key: value for key, value in row.items() if key != "achievement_id"})
    set_committed_value(award, "achievement", achievement)
    return award


def _with_devices(learners: list[User]) -> set[int]:
    """Return the ids of the learners with a push subscription, in one query.

    enqueue_for writes nothing for the others; asking once for the class saves a query each.
    """
    return set(
        db.session.scalars(
            db.select(PushSubscription.user_id).where(PushSubscription.user_id.in_([learner.id for learner in learners]))
        )
    )


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
    Writes the rows; the caller commits. A concurrent double tap that slips past the check fails on
    the unique index (IntegrityError): the caller rolls back, so no second credential exists, and
    awards again to learn who holds the badge now (an IntegrityError alone does not say "already held").
    """
    if not all(learner.is_learner for learner in learners):
        raise AwardError(NOT_A_LEARNER)
    created, already = _issue(
        achievement,
        list(learners),
        by=by,
        source=source,
        note=note,
        evidence_url=evidence_url,
        claim_code=claim_code,
        evidence=evidence,
    )
    return AwardOutcome(created=created, already_held=already, stacks=_complete_stacks(created, achievement))


def _complete_stacks(new_awards: list[Award], earned: Achievement) -> list[Award]:
    """Award every stack badge the new awards' learners now complete (and stacks of stacks)."""
    if not new_awards:
        return []
    learners = [award.learner for award in new_awards]
    awarded = []
    stacks = db.session.scalars(
        db.select(Achievement)
        .join(StackRequirement, StackRequirement.stack_id == Achievement.id)
        .where(StackRequirement.required_id == earned.id)
    ).all()
    for stack in stacks:
        if not stack.required:
            continue
        ready = _holding_all(learners, stack.required)
        created, _already = _issue(
            stack,
            [learner for learner in learners if learner.id in ready],
            by=None,
            source="stack",
            note=None,
            evidence_url=None,
            claim_code=None,
        )
        awarded.extend(created)
        awarded.extend(_complete_stacks(created, stack))
    return awarded


def stack_progress(learner: User, stack: Achievement) -> tuple[int, int]:
    """Return (held, required) for a stack badge, for '2 of 3' progress."""
    required = stack.required
    return sum(1 for item in required if holds(learner, item)), len(required)
