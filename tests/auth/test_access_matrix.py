"""Every route, for every role: who is let in, who is sent to sign in, who is refused.

A route missing from ROUTES fails test_every_route_is_in_the_matrix, so new routes
cannot ship without their access rules being tested.
"""
import json
import uuid
from urllib.parse import urlencode

import pytest
from sqlalchemy import event

from backpack.api import clients as api_clients
from backpack.api import connections
from backpack.api import scopes as api_scopes
from backpack.auth import invites
from backpack.evidence import capture, submissions, voice_feedback
from backpack.extensions import db
from backpack.issuing import award_jobs, awarding, claims
from backpack.learner import badges, collections, importing
from backpack.models import Evidence, Passkey, PushSubscription, Role, SignIn
from backpack.pwa import shell
from backpack.sharing import links
from backpack.wallet import offers as wallet_offers
from tests.conftest import Actor, csrf_from, new_client, tiny_png
from tests.evidence import samples
from tests.support.push_service import fake_subscription
from tests.support.sign_ins import live_handle

ANON, LEARNER, TEACHER, OTHER_TEACHER, ADMIN = "anon", "learner", "teacher", "other_teacher", "admin"


def everyone(status):
    return {role: status for role in (ANON, LEARNER, TEACHER, OTHER_TEACHER, ADMIN)}


def only(role_statuses: dict, others: int, anon: int = 302):
    statuses = {LEARNER: others, TEACHER: others, OTHER_TEACHER: others, ADMIN: others, ANON: anon}
    statuses.update(role_statuses)
    return statuses


# (endpoint, method, path template, form data, expected status per role)
ROUTES = [
    ("home.index", "GET", "/", {}, {ANON: 302, LEARNER: 200, TEACHER: 302, OTHER_TEACHER: 302, ADMIN: 302}),
    ("health.healthz", "GET", "/healthz", {}, everyone(200)),
    ("account.index", "GET", "/account/", {}, only({}, 200)),
    ("account.welcome", "GET", "/account/welcome", {}, only({}, 200)),
    ("account.rename_passkey", "GET", "/account/passkeys/{learner_passkey}/rename", {}, only({LEARNER: 200}, 404)),
    ("account.rename_passkey", "POST", "/account/passkeys/{learner_passkey}/rename", {"name": "Work phone"}, only({LEARNER: 302}, 404)),
    # Someone's only passkey stays (409: let in, then refused); one added by a teacher's sign-in link may go.
    ("account.remove_passkey", "POST", "/account/passkeys/{lone_passkey}/remove", {}, only({OTHER_TEACHER: 409}, 404)),
    ("account.remove_passkey", "POST", "/account/passkeys/{recovery_passkey}/remove", {}, only({LEARNER: 302}, 404)),
    ("account.disown_passkey", "POST", "/account/passkeys/{recovery_passkey}/not-me", {}, only({LEARNER: 302}, 404)),
    ("account.end_sign_in", "POST", "/account/sign-ins/{recovery_sign_in}/end", {}, only({LEARNER: 302}, 404)),
    ("account.dismiss_recovery_link", "POST", "/account/recovery-links/{recovery_link}/dismiss", {}, only({LEARNER: 302}, 404)),
    ("admin.teachers", "GET", "/admin/teachers", {}, only({ADMIN: 200}, 403)),
    ("admin.add_teacher", "POST", "/admin/teachers", {"display_name": "New T"}, only({ADMIN: 302}, 403)),
    ("admin.teacher_invite", "GET", "/admin/teachers/{teacher}/invite", {}, only({ADMIN: 200}, 403)),
    ("admin.new_teacher_invite", "POST", "/admin/teachers/{teacher}/invites", {}, only({ADMIN: 302}, 403)),
    ("admin.recovery_links", "GET", "/admin/recovery", {}, only({ADMIN: 200}, 403)),
    ("roster.classes", "GET", "/classes", {}, only({TEACHER: 200, OTHER_TEACHER: 200}, 403)),
    ("roster.create_classroom", "POST", "/classes", {"name": "B"}, only({TEACHER: 302, OTHER_TEACHER: 302}, 403)),
    ("roster.classroom", "GET", "/classes/{classroom}", {}, only({TEACHER: 200, OTHER_TEACHER: 404}, 403)),
    ("roster.add_learner", "POST", "/classes/{classroom}/learners", {"display_name": "Lan"}, only({TEACHER: 302, OTHER_TEACHER: 404}, 403)),
    ("roster.learner", "GET", "/learners/{learner}", {}, only({TEACHER: 200, OTHER_TEACHER: 404}, 403)),
    ("roster.learner_invite", "GET", "/learners/{learner}/invite", {}, only({TEACHER: 200, OTHER_TEACHER: 404}, 403)),
    ("roster.new_learner_invite", "POST", "/learners/{learner}/invites", {}, only({TEACHER: 302, OTHER_TEACHER: 404}, 403)),
    ("roster.move_learner", "POST", "/learners/{learner}/move/{classroom}", {"classroom": "{second_classroom}"}, only({TEACHER: 302, OTHER_TEACHER: 404}, 403)),
    ("issuing.badges", "GET", "/badges", {}, only({TEACHER: 200, OTHER_TEACHER: 200}, 403)),
    ("issuing.new_issuer", "GET", "/issuers/new", {}, only({TEACHER: 200, OTHER_TEACHER: 200}, 403)),
    ("issuing.new_badge", "GET", "/badges/new", {}, only({TEACHER: 200, OTHER_TEACHER: 200}, 403)),
    ("issuing.design_preview", "GET", "/badges/design/preview.png?icon=star&colour=blue&label=B1", {}, only({TEACHER: 200, OTHER_TEACHER: 200}, 403)),
    ("issuing.badge", "GET", "/badges/{badge}", {}, only({TEACHER: 200, OTHER_TEACHER: 404}, 403)),
    ("issuing.badge_translations", "GET", "/badges/{badge}/translations", {}, only({TEACHER: 200, OTHER_TEACHER: 404}, 403)),
    ("issuing.badge_translations", "POST", "/badges/{badge}/translations", {"translations-es-name": "Soldadura"}, only({TEACHER: 302, OTHER_TEACHER: 404}, 403)),
    ("issuing.award_badge", "POST", "/badges/{badge}/awards", {"learners": "{learner}"}, only({TEACHER: 302, OTHER_TEACHER: 404}, 403)),
    ("issuing.open_claim_code", "POST", "/badges/{badge}/claim-codes", {"minutes": "10", "max_uses": "5"}, only({TEACHER: 302, OTHER_TEACHER: 404}, 403)),
    ("issuing.claim_code", "GET", "/claim-codes/{claim}", {}, only({TEACHER: 200, OTHER_TEACHER: 404}, 403)),
    ("issuing.close_claim_code", "POST", "/claim-codes/{claim}/close", {}, only({TEACHER: 302, OTHER_TEACHER: 404}, 403)),
    ("issuing.revoke_award", "GET", "/awards/{award}/revoke", {}, only({TEACHER: 200, OTHER_TEACHER: 404}, 403)),
    ("issuing.award_job", "GET", "/award-jobs/{award_job}", {}, only({TEACHER: 200, OTHER_TEACHER: 404}, 403)),
    ("issuing.award_job_progress", "GET", "/award-jobs/{award_job}/progress.json", {}, only({TEACHER: 200, OTHER_TEACHER: 404}, 403)),
    ("issuing.retry_award_job", "POST", "/award-jobs/{award_job}/retry", {}, only({TEACHER: 302, OTHER_TEACHER: 404}, 403)),
    ("issuing.status_list", "GET", "/status/{status_list}", {}, everyone(200)),
    ("issuing.badge_image", "GET", "/badges/{badge_public}/image.png", {}, everyone(200)),
    ("issuing.badge_picture", "GET", "/badges/{badge_public}/image-160.webp", {}, everyone(200)),
    ("issuing.issuer_logo", "GET", "/issuers/{issuer_public}/logo.png", {}, everyone(404)),
    ("learner.badge", "GET", "/my/badges/{award_public}", {}, only({LEARNER: 200}, 403)),
    ("learner.download_json", "GET", "/my/badges/{award_public}/credential.json", {}, only({LEARNER: 200}, 403)),
    ("learner.download_png", "GET", "/my/badges/{award_public}/badge.png", {}, only({LEARNER: 200}, 403)),
    ("learner.download_svg", "GET", "/my/badges/{award_public}/badge.svg", {}, only({LEARNER: 200}, 403)),
    ("learner.export_data", "GET", "/my/data.zip", {}, only({LEARNER: 200}, 403)),
    # A wrong confirmation word: let in, then refused, so the world survives the test.
    ("account.delete_account", "POST", "/account/delete", {"confirm": "nope"}, only({LEARNER: 400}, 403)),
    ("learner.claim", "GET", "/claim", {}, only({LEARNER: 200}, 403)),
    ("learner.claim_from_link", "GET", "/claim/{claim_code}", {}, only({LEARNER: 200}, 403)),
    ("learner.redeem", "POST", "/claim", {"code": "{claim_code}"}, only({LEARNER: 302}, 403)),
    # Badges from elsewhere: the learner's own; other learners get 404 (tests/learner/test_import_pages.py).
    ("learner.new_import", "GET", "/my/imported/new", {}, only({LEARNER: 200}, 403)),
    # Let in, then refused: a private address is never fetched.
    ("learner.create_import", "POST", "/my/imported/new", {"url": "https://10.0.0.1/badge.json"}, only({LEARNER: 400}, 403)),
    # The share target's own action: the service worker answers it; the server only says "open Backpack once".
    ("learner.receive_share", "GET", "/my/imported/shared", {}, everyone(200)),
    ("learner.receive_share", "POST", "/my/imported/shared", {"url": "https://issuer.example/a.json"}, everyone(200)),
    ("learner.imported", "GET", "/my/imported/{imported}", {}, only({LEARNER: 200}, 403)),
    ("learner.recheck_import", "POST", "/my/imported/{imported}/check", {}, only({LEARNER: 302}, 403)),
    ("learner.download_import", "GET", "/my/imported/{imported}/original", {}, only({LEARNER: 200}, 403)),
    ("learner.imported_image", "GET", "/my/imported/{imported}/image", {}, only({LEARNER: 200}, 403)),
    ("learner.confirm_delete_import", "GET", "/my/imported/{imported}/delete", {}, only({LEARNER: 200}, 403)),
    ("learner.delete_import", "POST", "/my/imported/{imported}/delete", {}, only({LEARNER: 302}, 403)),
    ("evidence.index", "GET", "/evidence", {}, only({LEARNER: 200}, 403)),
    # Let in, then refused for want of a file (a form can't carry one here; tests/evidence can).
    ("evidence.upload", "POST", "/evidence", {"idempotency_key": "{evidence_key}"}, only({LEARNER: 400}, 403)),
    ("evidence.media", "GET", "/evidence/{evidence}/media", {}, only({LEARNER: 200}, 404)),
    ("evidence.thumbnail", "GET", "/evidence/{evidence}/thumbnail", {}, only({LEARNER: 200}, 404)),
    ("evidence.delete", "POST", "/evidence/{evidence}/delete", {}, only({LEARNER: 302}, 403)),
    # Submissions: the learner sends evidence; only a teacher of the learner in the badge's issuer reviews.
    ("evidence.submissions_index", "GET", "/my/submissions", {}, only({LEARNER: 200}, 403)),
    ("evidence.submit", "GET", "/my/submissions/{third_badge_public}", {}, only({LEARNER: 200}, 403)),
    ("evidence.submit", "POST", "/my/submissions/{third_badge_public}", {"evidence": "{evidence}", "action": "submit"}, only({LEARNER: 302}, 403)),
    ("evidence.review_queue", "GET", "/review", {}, only({TEACHER: 200, OTHER_TEACHER: 200}, 403)),
    ("evidence.review", "GET", "/review/{submission}", {}, only({TEACHER: 200, OTHER_TEACHER: 404}, 403)),
    ("evidence.review_award_confirm", "GET", "/review/{submission}/award", {}, only({TEACHER: 200, OTHER_TEACHER: 404}, 403)),
    ("evidence.review_award", "POST", "/review/{submission}/award", {}, only({TEACHER: 302, OTHER_TEACHER: 404}, 403)),
    ("evidence.review_return", "POST", "/review/{submission}/return", {"feedback": "More light"}, only({TEACHER: 302, OTHER_TEACHER: 404}, 403)),
    # A teacher's voice message on a returned submission: its learner and reviewers hear it.
    ("evidence.feedback_audio", "GET", "/submissions/{voiced_submission}/feedback/{voice_step}/audio", {}, only({LEARNER: 200, TEACHER: 200}, 404)),
    # Evidence in a sent submission: its reviewing teacher may see it too.
    ("evidence.media", "GET", "/evidence/{submitted_evidence}/media", {}, only({LEARNER: 200, TEACHER: 200}, 404)),
    ("sharing.share", "GET", "/my/badges/{award_public}/share", {}, only({LEARNER: 200}, 403)),
    ("sharing.share", "POST", "/my/badges/{award_public}/share", {"expiry": "week"}, only({LEARNER: 302}, 403)),
    ("sharing.show", "GET", "/my/shares/{share}", {}, only({LEARNER: 200}, 403)),
    ("sharing.card", "GET", "/my/shares/{share}/card", {}, only({LEARNER: 200}, 403)),
    ("sharing.revoke", "POST", "/my/shares/{share}/revoke", {}, only({LEARNER: 302}, 403)),
    ("sharing.public_badge", "GET", "/s/{share_token}", {}, everyone(200)),
    ("sharing.public_json", "GET", "/s/{share_token}/credential.json", {}, everyone(200)),
    ("sharing.public_png", "GET", "/s/{share_token}/badge.png", {}, everyone(200)),
    ("sharing.public_svg", "GET", "/s/{share_token}/badge.svg", {}, everyone(200)),
    # Collections: the learner's own; other learners get 404 (tests/learner/test_collection_pages.py).
    ("learner.collections_index", "GET", "/my/collections", {}, only({LEARNER: 200}, 403)),
    ("learner.create_collection", "POST", "/my/collections", {"name": "For my job interview"}, only({LEARNER: 302}, 403)),
    ("learner.collection", "GET", "/my/collections/{collection}", {}, only({LEARNER: 200}, 403)),
    ("learner.rename_collection", "POST", "/my/collections/{collection}/rename", {"name": "Renamed"}, only({LEARNER: 302}, 403)),
    ("learner.confirm_delete_collection", "GET", "/my/collections/{collection}/delete", {}, only({LEARNER: 200}, 403)),
    ("learner.delete_collection", "POST", "/my/collections/{collection}/delete", {}, only({LEARNER: 302}, 403)),
    ("learner.add_collection_badge", "POST", "/my/collections/{collection}/badges", {"award": "{award_public}"}, only({LEARNER: 302}, 403)),
    ("learner.add_collection_evidence", "POST", "/my/collections/{collection}/evidence", {"evidence": "{evidence}"}, only({LEARNER: 302}, 403)),
    ("learner.move_collection_item", "POST", "/my/collections/{collection}/items/{collection_item}/move", {"direction": "down"}, only({LEARNER: 302}, 403)),
    ("learner.share_collection_item", "POST", "/my/collections/{collection}/items/{collection_item}/shareable", {"shareable": "yes"}, only({LEARNER: 302}, 403)),
    ("learner.remove_collection_item", "POST", "/my/collections/{collection}/items/{collection_item}/remove", {}, only({LEARNER: 302}, 403)),
    ("sharing.share_collection", "GET", "/my/collections/{collection}/share", {}, only({LEARNER: 200}, 403)),
    ("sharing.share_collection", "POST", "/my/collections/{collection}/share", {"expiry": "week"}, only({LEARNER: 302}, 403)),
    ("sharing.public_badge", "GET", "/s/{collection_token}", {}, everyone(200)),
    ("sharing.public_json", "GET", "/s/{collection_token}/credential.json", {}, everyone(404)),
    # Only a shareable item of the shared collection; the private one is 404 for everyone.
    ("sharing.public_evidence", "GET", "/s/{collection_token}/evidence/{evidence}", {}, everyone(200)),
    ("sharing.public_evidence", "GET", "/s/{collection_token}/evidence/{submitted_evidence}", {}, everyone(404)),
    ("auth.invite", "GET", "/invite/{invite_token}", {}, everyone(200)),
    ("auth.signin", "GET", "/signin", {}, only({ANON: 200}, 302, anon=200)),
    ("auth.signout", "POST", "/signout", {}, everyone(302)),
    ("auth.signout_everywhere", "POST", "/signout/everywhere", {}, everyone(302)),
    ("i18n.choose", "GET", "/language", {}, everyone(200)),
    ("i18n.set_language", "POST", "/language", {"language": "es"}, everyone(302)),
    ("pwa.manifest", "GET", "/manifest.json", {}, everyone(200)),
    ("pwa.service_worker", "GET", "/sw.js", {}, everyone(200)),
    ("pwa.offline", "GET", "/offline", {}, everyone(200)),
    ("pwa.offline_in", "GET", "/offline/zh-Hans", {}, everyone(200)),
    ("static", "GET", f"/static/{shell.version()}/css/app.css", {}, everyone(200)),
    ("static_plain", "GET", "/static/icons/icon-192.png", {}, everyone(200)),
    ("signed_in_css", "GET", f"/static/{shell.version()}/css/signed-in.css", {}, everyone(200)),
    ("notify.settings", "GET", "/notifications", {}, only({}, 200)),
    ("notify.subscribe", "POST", "/notifications/subscribe", {"subscription": "{push_json}"}, only({}, 201)),
    ("notify.send_test", "POST", "/notifications/{push_subscription}/test", {}, only({LEARNER: 302}, 404)),
    ("notify.remove", "POST", "/notifications/{push_subscription}/remove", {}, only({LEARNER: 302}, 404)),
    # The Open Badges 3.0 API (tests/api): machine endpoints take no cookie, so every role is a stranger there.
    ("api.discovery", "GET", "/ims/ob/v3p0/discovery", {}, everyone(200)),
    # Let in, then refused: a form is not a JSON registration.
    ("api.register", "POST", "/ims/ob/v3p0/oauth/register", {}, everyone(400)),
    ("api.token", "POST", "/ims/ob/v3p0/oauth/token", {}, everyone(400)),
    ("api.revoke", "POST", "/ims/ob/v3p0/oauth/revoke", {}, everyone(401)),
    ("api.credentials", "GET", "/ims/ob/v3p0/credentials", {}, everyone(401)),
    ("api.upsert_credential", "POST", "/ims/ob/v3p0/credentials", {}, everyone(401)),
    ("api.profile", "GET", "/ims/ob/v3p0/profile", {}, everyone(401)),
    ("api.update_profile", "PUT", "/ims/ob/v3p0/profile", {}, everyone(401)),
    ("api.platform_logo", "GET", "/ims/ob/v3p0/oauth/clients/{platform_client_id}/logo.png", {}, everyone(200)),
    # Only a learner consents; the answer goes back to the platform's registered redirect URI.
    ("api.authorize", "GET", "/ims/ob/v3p0/oauth/authorize?{authorize_query}", {}, only({LEARNER: 200}, 403)),
    ("api.authorize", "POST", "/ims/ob/v3p0/oauth/authorize?{authorize_query}", {"decision": "deny"}, only({LEARNER: 302}, 403)),
    ("api.platforms", "GET", "/account/platforms", {}, only({LEARNER: 200}, 403)),
    ("api.disconnect", "POST", "/account/platforms/{connection}/disconnect", {}, only({LEARNER: 302}, 403)),
    ("wallet.add", "GET", "/my/badges/{award_public}/wallet", {}, only({LEARNER: 200}, 403)),
    ("wallet.add", "POST", "/my/badges/{award_public}/wallet", {}, only({LEARNER: 302}, 403)),
    ("wallet.offer", "GET", "/my/wallet-offers/{wallet_offer}", {}, only({LEARNER: 200}, 403)),
    ("wallet.copies_list", "GET", "/account/wallets", {}, only({LEARNER: 200}, 403)),
    # What wallets call: public, the secret is in the URL, the code or the bearer token.
    ("wallet.issuer_metadata", "GET", "/.well-known/openid-credential-issuer", {}, everyone(200)),
    ("wallet.authorization_server_metadata", "GET", "/.well-known/oauth-authorization-server", {}, everyone(200)),
    ("wallet.interaction", "GET", "/wallet/i/{wallet_token}", {}, everyone(200)),
    ("wallet.credential_offer", "GET", "/wallet/offers/{wallet_token}", {}, everyone(200)),
    ("wallet.token", "POST", "/wallet/token", {}, everyone(400)),
    ("wallet.nonce", "POST", "/wallet/nonce", {}, everyone(200)),
    ("wallet.credential", "POST", "/wallet/credential", {}, everyone(401)),
    ("wallet.exchange_step", "POST", "/wallet/exchanges/{wallet_token}", {}, everyone(400)),
]
# The JSON ceremony endpoints have their own tests (test_passkey_ceremonies, test_bad_input).
CEREMONY_ENDPOINTS = {"auth.register_options", "auth.register_verify", "auth.signin_options", "auth.signin_verify"}


@pytest.fixture
def world(app, make_user, make_classroom, enrol, make_issuer, make_achievement):
    """Two teachers with a class each, a learner, an admin, all signed in through passkeys."""
    teacher = make_user(Role.TEACHER, "Teacher")
    other_teacher = make_user(Role.TEACHER, "Other teacher")
    learner = make_user(Role.LEARNER, "Learner")
    admin = make_user(Role.ADMIN, "Admin")
    classroom = make_classroom(teacher, learner, name="A")
    second = make_classroom(teacher, name="A2")
    make_classroom(other_teacher, make_user(Role.LEARNER, "Someone else"), name="Other")
    actors = {
        LEARNER: enrol(learner),
        TEACHER: enrol(teacher),
        OTHER_TEACHER: enrol(other_teacher),
        ADMIN: enrol(admin),
    }
    pending = make_user(Role.LEARNER, "Not yet signed up")
    make_classroom(teacher, pending, name="A3")
    token = invites.issue(pending, created_by=teacher)
    issuer = make_issuer(teacher)
    make_issuer(other_teacher, name="Other school")
    badge = make_achievement(issuer, by=teacher)
    second_badge = make_achievement(issuer, by=teacher, name="Second badge")
    award = awarding.award(badge, [learner], by=teacher).created[0]
    claim = claims.open_code(second_badge, by=teacher, minutes=10, max_uses=50)
    share, share_token = links.create(award, owner=learner, expiry="week", include_evidence=False)
    award_job, _new = award_jobs.start(second_badge, [learner], by=teacher)
    db.session.commit()
    ids = {
        "learner": learner.id,
        "teacher": teacher.id,
        "classroom": classroom.id,
        "second_classroom": second.id,
        "learner_passkey": learner.passkeys[0].id,
        "invite_token": token,
        "badge": badge.id,
        "badge_public": badge.public_id,
        "issuer_public": issuer.public_id,
        "award": award.id,
        "award_public": award.public_id,
        "claim": claim.id,
        "award_job": award_job.id,
        "claim_code": claim.code,
        "status_list": award.status_list.public_id,
        "share": share.id,
        "share_token": share_token,
    }
    ids.update(_recovery_ids(app, learner, teacher, actors[OTHER_TEACHER].user))
    ids.update(_push_ids(learner))
    ids.update(_imported_ids(learner, award))
    ids.update(_evidence_ids(learner))
    ids.update(_collection_ids(learner, award, ids["evidence"]))
    ids.update(_submission_ids(learner, issuer, teacher, make_achievement))
    ids.update(_voice_feedback_ids(learner, issuer, teacher, make_achievement))
    ids.update(_api_ids(learner))
    ids.update(_wallet_ids(learner, award))
    return actors, ids


def _wallet_ids(learner, award):
    """An offer of the learner's badge to a wallet, not yet redeemed."""
    offer, token = wallet_offers.create(award, learner)
    db.session.commit()
    return {"wallet_offer": offer.public_id, "wallet_token": token}


def _api_ids(learner):
    """A platform registered for the Open Badges API (with a logo) that the learner connected."""
    platform = api_clients.save(
        "matrix-platform", "matrix-secret",
        {"client_name": "Harbour Jobs", "redirect_uris": ["https://jobs.example/callback"], "scope": " ".join(api_scopes.ALL),
         "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"],
         "token_endpoint_auth_method": "client_secret_basic"},
    )
    platform.logo_png = tiny_png()
    connection = connections.connect(learner, platform, api_scopes.CREDENTIAL_READ)
    db.session.commit()
    query = urlencode({"response_type": "code", "client_id": platform.client_id, "redirect_uri": "https://jobs.example/callback",
                       "scope": api_scopes.CREDENTIAL_READ, "state": "s1", "code_challenge": "c" * 43, "code_challenge_method": "S256"})
    return {"platform_client_id": platform.client_id, "connection": connection.id, "authorize_query": query}


def _recovery_ids(app, learner, teacher, lone):
    """A second passkey the teacher's sign-in link added for the learner, signed in on a new phone."""
    token = invites.issue(learner, created_by=teacher)
    db.session.commit()
    assert Actor(new_client(app), learner).register_with_invite(token).status_code == 200
    passkey = db.session.scalar(db.select(Passkey).where(Passkey.user_id == learner.id, Passkey.added_via == "recovery"))
    sign_in = db.session.scalar(db.select(SignIn).where(SignIn.passkey_id == passkey.id))
    return {
        "recovery_passkey": passkey.id,
        "recovery_sign_in": sign_in.id,
        "recovery_link": passkey.invite_id,
        "lone_passkey": lone.passkeys[0].id,  # the other teacher's only passkey
    }


def _imported_ids(learner, award):
    """A badge the learner brought in from elsewhere (their own credential, as a baked PNG)."""
    found = importing.import_credential(learner, data=badges.baked_png(award)).credential
    db.session.commit()
    return {"imported": found.public_id}


def _voice_feedback_ids(learner, issuer, teacher, make_achievement):
    """A submission the teacher returned with a voice message."""
    item, _created = capture.save_evidence(learner, tiny_png(), idempotency_key=str(uuid.uuid4()))
    db.session.commit()
    badge = make_achievement(issuer, by=teacher, name="Voiced badge")
    sent = submissions.save(learner, badge, evidence_ids=[item.public_id], reflection="Listen", send=True)
    db.session.commit()
    voice_feedback.return_submission(sent, teacher, "", samples.ogg_opus())
    db.session.commit()
    return {"voiced_submission": sent.public_id, "voice_step": sent.last_return.id}


def _submission_ids(learner, issuer, teacher, make_achievement):
    """A submission the learner sent for a badge, and a badge they have not sent for yet."""
    item, _created = capture.save_evidence(learner, tiny_png(), idempotency_key=str(uuid.uuid4()))
    db.session.commit()
    sent_for = make_achievement(issuer, by=teacher, name="Reviewed badge")
    third = make_achievement(issuer, by=teacher, name="Third badge")
    sent = submissions.save(learner, sent_for, evidence_ids=[item.public_id], reflection="I did it", send=True)
    db.session.commit()
    return {"submission": sent.public_id, "submitted_evidence": item.public_id, "third_badge_public": third.public_id}


def _collection_ids(learner, award, evidence_public_id):
    """A collection of the learner's badge (private) and photo (shareable), shared by a link."""
    collection = collections.create(learner, "For my job interview")
    collections.add_award(collection, award)
    photo = collections.add_evidence(collection, db.session.scalar(db.select(Evidence).filter_by(public_id=evidence_public_id)))
    collections.set_shareable(photo, True)
    _link, token = links.create(collection, owner=learner, expiry="week")
    db.session.commit()
    return {"collection": collection.public_id, "collection_item": photo.id, "collection_token": token}


def _evidence_ids(learner):
    """A photo the learner captured: other people must not learn that it exists."""
    evidence, _created = capture.save_evidence(learner, tiny_png(), idempotency_key=str(uuid.uuid4()))
    db.session.commit()
    return {"evidence": evidence.public_id, "evidence_key": str(uuid.uuid4())}


def _push_ids(learner):
    """A phone of the learner that gets notifications, and a subscription any role can send."""
    device = PushSubscription(
        user_id=learner.id,
        endpoint="https://93.184.216.34/push/learner-phone",
        label="Chrome · Android",
        session_hash=live_handle(learner),
        **fake_subscription("https://93.184.216.34/push/learner-phone")["keys"],
    )
    db.session.add(device)
    db.session.commit()
    return {"push_subscription": device.id, "push_json": json.dumps(fake_subscription("https://93.184.216.34/push/new"))}


class DatabaseWrites:
    """The INSERT, UPDATE and DELETE statements sent while the block runs."""

    def __init__(self, engine):
        self.engine = engine
        self.statements: list[str] = []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self.statement)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self.statement)

    def statement(self, conn, cursor, text, parameters, context, executemany):
        if text.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            self.statements.append(text.split("\n")[0][:80])


@pytest.mark.parametrize("endpoint, method, path, data, expected", ROUTES, ids=[r[0] for r in ROUTES])
def test_route_access_for_every_role(app, world, endpoint, method, path, data, expected):
    actors, ids = world
    url = path.format(**ids)
    form = {key: value.format(**ids) for key, value in data.items()}
    for role, status in expected.items():
        client = actors[role].client if role != ANON else new_client(app)
        if method in ("POST", "PUT"):
            form["csrf_token"] = csrf_from(client.get("/language").get_data(as_text=True))
            response = client.open(url, method=method, data=form)
        else:
            with DatabaseWrites(db.engine) as writes:
                response = client.get(url)
            # Reads never write: a page view (any role, any answer) changes nothing stored.
            assert writes.statements == [], f"{role} GET {url} wrote: {writes.statements}"
        response.close()
        assert response.status_code == status, f"{role} {method} {url}: {response.status_code}"
        if role == ANON and status == 302 and endpoint not in {"home.index", "auth.signout", "auth.signout_everywhere", "i18n.set_language"}:
            assert "/signin" in response.headers["Location"]


def test_every_route_is_in_the_matrix(app):
    covered = {route[0] for route in ROUTES} | CEREMONY_ENDPOINTS
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - covered == set(), "routes without access tests"
