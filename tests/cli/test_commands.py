"""The flask commands: init, create-teacher, demo."""
import re

from sqlalchemy import inspect

from backpack import create_app
from backpack.extensions import db
from backpack.issuing.verification import verify_award
from backpack.models import Achievement, Award, Classroom, Issuer, Role, Submission, User
from backpack.storage import media_store
from tests.conftest import Actor, new_client
from tests.support import schema


def test_create_teacher_prints_a_working_invite_and_qr(app, runner):
    result = runner.invoke(args=["create-teacher", "Ms Okafor"])
    assert result.exit_code == 0, result.output
    url = re.search(r"https://localhost/invite/(\S+)", result.output)
    assert url
    assert "█" in result.output or "▀" in result.output  # the terminal QR code
    teacher = db.session.scalar(db.select(User).where(User.display_name == "Ms Okafor"))
    assert teacher.role == Role.TEACHER.value
    assert Actor(new_client(app), teacher).register_with_invite(url.group(1)).status_code == 200


def test_demo_is_idempotent_and_prints_fresh_links(app, runner):
    first = runner.invoke(args=["demo"])
    second = runner.invoke(args=["demo"])
    assert first.exit_code == 0 and second.exit_code == 0
    assert db.session.scalar(db.select(db.func.count(User.id))) == 7
    assert db.session.scalar(db.select(db.func.count(Classroom.id))) == 1
    classroom = db.session.scalar(db.select(Classroom))
    assert len(classroom.enrolments) == 5
    links = re.findall(r"/invite/(\S+)", second.output)
    assert len(links) == 7
    assert set(links).isdisjoint(re.findall(r"/invite/(\S+)", first.output))
    # The newest links work; the older ones were replaced.
    learner = db.session.scalar(db.select(User).where(User.display_name == "Amina Yusuf"))
    old_link = re.findall(r"/invite/(\S+)", first.output)[2]
    assert new_client(app).get(f"/invite/{old_link}").status_code == 410
    assert learner.preferred_language == "ar"


def test_migrations_build_the_same_schema_as_the_models(tmp_path):
    migrated, modelled = f"sqlite:///{tmp_path / 'm.db'}", f"sqlite:///{tmp_path / 'c.db'}"
    schema.migrated(migrated, str(tmp_path / "m"))
    schema.modelled(modelled, str(tmp_path / "c"))
    assert schema.describe(migrated) == schema.describe(modelled)


def test_init_command_applies_migrations(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path / "i"), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'i.db'}"})
    result = app.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert "users" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_demo_has_an_issuer_four_badges_a_stack_and_one_revoked_award(app, runner):
    runner.invoke(args=["demo"])
    runner.invoke(args=["demo"])
    assert db.session.scalar(db.select(db.func.count(Issuer.id))) == 1
    badges = db.session.scalars(db.select(Achievement)).all()
    assert len(badges) == 4
    stacks = [badge for badge in badges if badge.required]
    assert len(stacks) == 1 and len(stacks[0].required) == 3
    awards = db.session.scalars(db.select(Award)).all()
    assert [a.revocation_reason for a in awards if a.is_revoked] == ["Awarded to the wrong learner by mistake."]
    assert any(a.achievement_id == stacks[0].id and a.source == "stack" for a in awards)
    assert {verify_award(a).status for a in awards} == {"valid", "revoked"}


def test_demo_has_a_photo_waiting_for_review(app, runner):
    runner.invoke(args=["demo"])
    runner.invoke(args=["demo"])
    [submission] = db.session.scalars(db.select(Submission)).all()
    assert submission.state == "submitted" and submission.achievement.name == "Writing a short e-mail"
    [photo] = submission.evidence
    assert photo.kind == "photo" and photo.owner_id == submission.learner_id
    assert media_store().read(photo.object_key)[:3] == b"\xff\xd8\xff"


def test_export_credentials_writes_each_exactly_as_signed(app, runner, tmp_path):
    runner.invoke(args=["demo"])
    result = runner.invoke(args=["export-credentials", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    awards = db.session.scalars(db.select(Award)).all()
    assert len(list((tmp_path / "out").iterdir())) == len(awards)
    for award in awards:
        assert (tmp_path / "out" / f"{award.public_id}.json").read_bytes() == award.credential_json.encode()
