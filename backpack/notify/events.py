"""What each event says to its recipient, written into the outbox with the event itself.

The text is made here, when the event happens, in the recipient's own language (not the
language of the teacher whose click caused it), so the worker only encrypts and sends.
Other features add their events with @event("kind") and call enqueue_for.
"""
import json
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from backpack import i18n
from backpack.auth import invites, recovery
from backpack.extensions import db
from backpack.i18n.tags import language_tag, starts_right_to_left
from backpack.models import Award, Outbox, Passkey, PushSubscription, User
from backpack.notify.push import MAX_PAYLOAD_BYTES

DAY = 24 * 60 * 60
ELLIPSIS = "…"
TITLE_CHARS, BODY_CHARS = 120, 300
WAKE_KEY = "notify.outbox_ids"


@dataclass(frozen=True)
class Notice:
    """One notification as its recipient will read it."""

    title: str
    body: str
    url: str
    tag: str
    icon: str | None = None
    dedupe_key: str | None = None
    urgency: str = "normal"
    ttl: int = 7 * DAY


EVENTS: dict[str, Callable[..., Notice]] = {}


def event(kind: str):
    """Register what an event of this kind says; the builder runs in the recipient's locale."""

    def register(builder: Callable[..., Notice]):
        EVENTS[kind] = builder
        return builder

    return register


def path_for(endpoint: str, **values) -> str:
    """Build an app path without a request (awards are also made from commands)."""
    return current_app.url_map.bind("").build(endpoint, values)


def _badge_name(award: Award, language: str) -> str:
    return badge_name(award.achievement, language)


def badge_name(achievement, language: str) -> str:
    """Return the badge's name for a reader of the language: the teacher's translation, else the original.

    A name written in the other direction than the sentence around it (an English name in an Arabic
    title) is wrapped in Unicode isolates (FSI…PDI), as <bdi> does on a page, so punctuation and
    numbers at its edges stay in place.
    """
    name = achievement.text_in(language)["name"]
    rtl_sentence = language in current_app.config["RTL_LANGUAGES"]
    return name if starts_right_to_left(name) == rtl_sentence else f"\u2068{name}\u2069"


@event("badge-awarded")
def badge_awarded(award: Award, language: str) -> Notice:
    return Notice(
        title=_("You earned a badge: %(name)s", name=_badge_name(award, language)),
        body=_("Open it to see what it shows and to share it."),
        url=path_for("learner.badge", public_id=award.public_id),
        tag=f"award-{award.public_id}",
        icon=path_for("issuing.badge_image", public_id=award.achievement.public_id),
        dedupe_key=f"badge-awarded:{award.public_id}",
    )


@event("badge-revoked")
def badge_revoked(award: Award, language: str) -> Notice:
    # Same tag as the award's notification: a phone that still shows it replaces it.
    return Notice(
        title=_("Your badge was withdrawn: %(name)s", name=_badge_name(award, language)),
        body=_("Reason: %(reason)s", reason=award.revocation_reason or ""),
        url=path_for("learner.badge", public_id=award.public_id),
        tag=f"award-{award.public_id}",
        icon=path_for("issuing.badge_image", public_id=award.achievement.public_id),
        dedupe_key=f"badge-revoked:{award.public_id}",
    )


@event("evidence-submitted")
def evidence_submitted(submission, recipient: User, language: str) -> Notice:
    # One per teacher and per round: a resubmission is news again.
    return Notice(
        title=_("Evidence to review: %(name)s", name=badge_name(submission.achievement, language)),
        body=_("%(learner)s sent evidence for this badge.", learner=submission.learner.display_name),
        url=path_for("evidence.review", public_id=submission.public_id),
        tag=f"submission-{submission.public_id}",
        icon=path_for("issuing.badge_image", public_id=submission.achievement.public_id),
        dedupe_key=f"evidence-submitted:{submission.public_id}:{submission.rounds}:{recipient.id}",
    )


@event("submission-returned")
def submission_returned(submission, language: str) -> Notice:
    return Notice(
        title=_("Your teacher replied: %(name)s", name=badge_name(submission.achievement, language)),
        body=submission.feedback or _returned_without_text(submission),
        url=path_for("evidence.submit", badge_id=submission.achievement.public_id),
        tag=f"submission-{submission.public_id}",
        icon=path_for("issuing.badge_image", public_id=submission.achievement.public_id),
        dedupe_key=f"submission-returned:{submission.public_id}:{submission.rounds}",
    )


def _returned_without_text(submission) -> str:
    """Say that the feedback is a voice message, since there is no text to show."""
    last = submission.last_return
    return _("Your teacher left you a voice message") if last and last.audio_key else ""


@event("test")
def test_message(language: str) -> Notice:
    return Notice(
        title=_("Notifications are on"),
        body=_("You will get a message like this when you earn a badge."),
        url=path_for("notify.settings"),
        tag="test",
        urgency="high",
        ttl=10 * 60,
    )


@event("recovery-link-made")
def recovery_link_made(invite, language: str) -> Notice:
    # Told at once, on every device: the person may not have asked for it.
    return Notice(
        title=_("A sign-in link was made for your account"),
        body=f"{recovery.who_made(invite)} {recovery.what_to_do(invite.user)}",
        url=path_for("account.index"),
        tag=f"recovery-link-{invite.id}",
        dedupe_key=f"recovery-link-made:{invite.id}",
        urgency="high",
    )


@event("recovery-passkey-added")
def recovery_passkey_added(passkey: Passkey, language: str) -> Notice:
    return Notice(
        title=_("A new passkey was added to your account"),
        body=_(
            "It was added on %(device)s with a sign-in link. If this was not you, open your account "
            "and press “This wasn't me”.",
            device=passkey.name,
        ),
        url=path_for("account.index"),
        tag=f"recovery-passkey-{passkey.id}",
        dedupe_key=f"recovery-passkey-added:{passkey.id}",
        urgency="high",
    )


@event("recovery-disowned")
def recovery_disowned(report: recovery.Disowned, recipient: User, language: str) -> Notice:
    person = report.person.display_name
    if report.maker is not None:
        body = _(
            "%(person)s says a passkey added with a sign-in link made by %(maker)s was not theirs. "
            "It was removed and its devices were signed out.",
            person=person,
            maker=report.maker.display_name,
        )
    else:
        body = _(
            "%(person)s says a passkey added with a sign-in link was not theirs. "
            "It was removed and its devices were signed out.",
            person=person,
        )
    return Notice(
        title=_("Sign-in link reported by %(person)s", person=person),
        body=body,
        url=path_for("admin.recovery_links"),
        tag=f"recovery-disowned-{report.passkey_id}",
        dedupe_key=f"recovery-disowned:{report.passkey_id}:{recipient.id}",
        urgency="high",
    )


def language_of(user: User) -> str:
    """Return the language the person reads (else their invite's), or the default when neither is offered."""
    for code in (user.preferred_language, invites.usual_language(user)):
        found = i18n.offered(code)
        if found is not None:
            return found
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def encode(payload: dict) -> bytes:
    """Serialise a payload as the service worker reads it (compact UTF-8 JSON)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def fit(payload: dict) -> dict:
    """Shorten the body, then the title, until the payload fits in one Web Push message."""
    payload = {**payload, "title": _shorten(payload["title"], TITLE_CHARS), "body": _shorten(payload["body"], BODY_CHARS)}
    for field in ("body", "title"):
        while len(encode(payload)) > MAX_PAYLOAD_BYTES and payload[field]:
            text = payload[field].removesuffix(ELLIPSIS)
            payload[field] = _shorten(text, max(1, len(text) * 3 // 4)) if len(text) > 1 else ""
    if len(encode(payload)) > MAX_PAYLOAD_BYTES:
        raise ValueError("notification payload cannot fit in a push message")
    return payload


def _has_device(user: User, subscription: PushSubscription | None) -> bool:
    if subscription is not None:
        return subscription.user_id == user.id
    query = db.select(PushSubscription.id).where(PushSubscription.user_id == user.id).limit(1)
    return db.session.scalar(query) is not None


def enqueue_for(user: User, kind: str, *, subscription: PushSubscription | None = None, **params) -> Outbox | None:
    """Write a notification for the user into the outbox, in the caller's transaction.

    The caller commits (with its event, so neither exists without the other); the worker
    is woken after the commit. Nothing is written for a person with no device, nor twice
    for the same event. Pass subscription to reach one device only.
    """
    if user is None or not _has_device(user, subscription):
        return None
    language = language_of(user)
    with force_locale(language):
        notice = EVENTS[kind](language=language, **params)
    if notice.dedupe_key is not None:
        exists = db.session.scalar(db.select(Outbox.id).where(Outbox.dedupe_key == notice.dedupe_key))
        if exists is not None:
            return None
    payload = {
        "title": notice.title,
        "body": notice.body,
        "url": notice.url,
        "tag": notice.tag,
        "lang": language_tag(language),
        "dir": "rtl" if language in current_app.config["RTL_LANGUAGES"] else "ltr",
    }
    if notice.icon:
        payload["icon"] = notice.icon
    row = Outbox(
        kind=kind,
        user_id=user.id,
        subscription_id=subscription.id if subscription is not None else None,
        payload=fit(payload),
        urgency=notice.urgency,
        ttl_seconds=notice.ttl,
        dedupe_key=notice.dedupe_key,
    )
    db.session.add(row)
    return row
