"""A teacher's sign-in link for a learner who has a passkey reaches every phone of hers, at a real push service.

tests/auth/test_recovery.py checks the message put in the outbox; here the worker sends it and
the local push service checks VAPID and decrypts it, as FCM or autopush would.
"""
from backpack.models import Role
from tests.notify.conftest import say


def test_a_recovery_link_is_pushed_at_once_to_each_of_the_learners_phones(
    app, signed_in, make_classroom, add_device, push_service, deliver
):
    teacher = signed_in(Role.TEACHER, "Ms Okafor")
    learner = signed_in(Role.LEARNER, "Amina")
    learner.user.preferred_language = "es"
    make_classroom(teacher.user, learner.user)
    phones = [add_device(learner.user, "old-phone"), add_device(learner.user, "tablet")]

    made = teacher.client.post(f"/learners/{learner.user.id}/invites", data={"csrf_token": teacher.csrf("/classes")})
    assert made.status_code == 302
    assert deliver() == 1

    arrived = push_service.delivered()
    assert push_service.errors == []
    assert sorted(message.device for message in arrived) == sorted(p.endpoint.rsplit("/", 1)[-1] for p in phones)
    for message in arrived:
        assert message.payload["title"] == say("es", "A sign-in link was made for your account")
        assert "Ms Okafor" in message.payload["body"]
        assert message.payload["url"] == "/account/"
        assert message.payload["lang"] == "es"
        assert message.headers["urgency"] == "high"
