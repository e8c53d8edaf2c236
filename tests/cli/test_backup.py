"""`flask backup` and `flask restore`: an instance comes back whole on a fresh machine."""
import errno
import sqlite3
import tarfile
import uuid
from pathlib import Path

import pytest

from backpack import backup, create_app
from backpack.evidence import capture, submissions
from backpack.extensions import db
from backpack.issuing import achievements, awarding, badge_image, issuers, status
from backpack.issuing.verification import verify_award
from backpack.models import Award, Classroom, Enrolment, Role, ShareLink, User
from backpack.sharing import links
from tests.conftest import ORIGIN, new_client
from tests.evidence import samples
from tests.support.servers import create_database


def instance(folder: Path, database_url: str | None = None):
    """An app on its own instance folder, with its secrets kept there, as in production."""
    return create_app({
        "TESTING": True,
        "INSTANCE_PATH": str(folder),
        "SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{folder / 'backpack.db'}",
        "SERVER_NAME": "localhost",
        "BACKPACK_ORIGIN": ORIGIN,
        "PREFERRED_URL_SCHEME": "https",
    })


def populate(app) -> dict:
    """A teacher awards a badge for a photo, and awards and revokes another; the learner shares the first."""
    with app.app_context():
        db.create_all()
        teacher = User(display_name="Ms Rivera", role=Role.TEACHER.value)
        learner = User(display_name="Lan", role=Role.LEARNER.value)
        classroom = Classroom(name="ESL", teacher=teacher)
        db.session.add_all([teacher, learner, classroom, Enrolment(classroom=classroom, learner=learner)])
        issuer = issuers.create_issuer("Riverside Adult School", members=[teacher])
        badge, other = (
            achievements.create_achievement(issuer, by=teacher, name=name, description="d", criteria="c",
                                            image_png=badge_image.design_badge("star", "teal", "ESL"))
            for name in ("Reading forms", "Safe welding")
        )
        photo = capture.save_evidence(learner, samples.jpeg(), idempotency_key=str(uuid.uuid4()), title="The clinic form")[0]
        db.session.commit()
        sent = submissions.save(learner, badge, evidence_ids=[photo.public_id], reflection="", send=True)
        db.session.commit()
        award = submissions.award_submission(sent, teacher)
        revoked = awarding.award(other, [learner], by=teacher).created[0]
        db.session.commit()
        status.revoke(revoked, "Given by mistake", by=teacher)
        link, token = links.create(award, owner=learner, expiry="never", include_evidence=True)
        db.session.commit()
        with new_client(app).get(f"/s/{token}/evidence/{photo.public_id}") as response:
            photo_bytes = response.get_data()
        assert verify_award(award).status == "valid" and verify_award(revoked).status == "revoked"
        facts = {"award": award.public_id, "revoked": revoked.public_id, "token": token,
                 "photo": photo.public_id, "photo_bytes": photo_bytes, "link": link.id}
    close(app)
    return facts


def close(app) -> None:
    """Close the app's database connections (the test's PostgreSQL databases outlive it)."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()



@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request, tmp_path):
    """Two database URLs (source, restored) of the kind under test; None means SQLite in the instance folder."""
    if request.param == "sqlite":
        return None, None
    server = request.getfixturevalue("postgres_server")
    name = uuid.uuid4().hex[:8]
    return create_database(server, f"source_{name}"), create_database(server, f"restored_{name}")


def test_a_restored_instance_verifies_serves_evidence_and_keeps_revocations(tmp_path, databases):
    source_url, restored_url = databases
    source = instance(tmp_path / "source", source_url)
    facts = populate(source)
    archive = tmp_path / "backups" / "backpack.tar.gz"
    archive.parent.mkdir()
    result = source.test_cli_runner().invoke(args=["backup", str(archive)])
    assert result.exit_code == 0, result.output
    assert "sqlite database" in result.output or "postgresql database" in result.output
    assert " 0 evidence" not in result.output
    close(source)
    assert list(archive.parent.iterdir()) == [archive]  # no temporary file left beside it
    with tarfile.open(archive) as contents:
        names = contents.getnames()
    assert {"manifest.json", "keys/secret_key", "keys/key_encryption_secret", "keys/vapid_private_key.pem"} <= set(names)
    assert archive.stat().st_mode & 0o077 == 0  # it holds the instance's secrets

    # A fresh machine: an empty folder (and an empty database).
    fresh = instance(tmp_path / "restored", restored_url)
    result = fresh.test_cli_runner().invoke(args=["restore", str(archive)])
    assert result.exit_code == 0, result.output
    close(fresh)
    for name in ("secret_key", "key_encryption_secret", "vapid_private_key.pem"):
        assert (tmp_path / "restored" / name).read_bytes() == (tmp_path / "source" / name).read_bytes()

    restored = instance(tmp_path / "restored", restored_url)
    with restored.app_context():
        award = db.session.scalar(db.select(Award).where(Award.public_id == facts["award"]))
        revoked = db.session.scalar(db.select(Award).where(Award.public_id == facts["revoked"]))
        assert verify_award(award).status == "valid"
        assert verify_award(revoked).status == "revoked"
        # The sealed share token opens with the restored key-encryption secret.
        assert links.token_of(db.session.get(ShareLink, facts["link"])) == facts["token"]
        employer = new_client(restored)
        page = employer.get(f"/s/{facts['token']}").get_data(as_text=True)
        assert 'data-verdict="valid"' in page and "The clinic form" in page
        with employer.get(f"/s/{facts['token']}/evidence/{facts['photo']}") as photo:
            assert photo.status_code == 200 and photo.get_data() == facts["photo_bytes"]
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def backed_up(tmp_path):
    source = instance(tmp_path / "source")
    populate(source)
    archive = tmp_path / "backpack.tar.gz"
    assert source.test_cli_runner().invoke(args=["backup", str(archive)]).exit_code == 0
    return source, archive


def test_restore_refuses_an_instance_holding_data_unless_forced(tmp_path, backed_up):
    source, archive = backed_up
    refused = source.test_cli_runner().invoke(args=["restore", str(archive)])
    assert refused.exit_code != 0 and "already holds data" in refused.output and "--force" in refused.output
    forced = source.test_cli_runner().invoke(args=["restore", "--force", str(archive)])
    assert forced.exit_code == 0, forced.output


def test_a_damaged_archive_is_refused(tmp_path, backed_up):
    _source, archive = backed_up
    archive.write_bytes(archive.read_bytes()[:2000])
    result = instance(tmp_path / "fresh").test_cli_runner().invoke(args=["restore", str(archive)])
    assert result.exit_code != 0 and "not a readable backup archive" in result.output


def test_a_full_disk_leaves_no_half_written_archive(tmp_path, monkeypatch):
    source = instance(tmp_path / "source")
    populate(source)
    target = tmp_path / "out"
    target.mkdir()
    real = tarfile.TarFile.addfile
    added = []

    def fill_then_fail(self, info, fileobj=None, **kwargs):
        added.append(info.name)
        if len(added) > 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, info, fileobj, **kwargs)

    monkeypatch.setattr(tarfile.TarFile, "addfile", fill_then_fail)
    result = source.test_cli_runner().invoke(args=["backup", str(target / "backpack.tar.gz")])
    assert result.exit_code != 0
    assert "the disk is full" in result.output and "Nothing was written" in result.output
    assert list(target.iterdir()) == []


def test_an_unwritable_path_is_a_clear_error(tmp_path):
    source = instance(tmp_path / "source")
    with source.app_context():
        db.create_all()
    result = source.test_cli_runner().invoke(args=["backup", str(tmp_path / "missing" / "backpack.tar.gz")])
    assert result.exit_code != 0 and "Cannot write the backup" in result.output and "No such file" in result.output


def test_postgresql_without_its_client_tools_says_so(tmp_path, monkeypatch):
    app = instance(tmp_path / "pg", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "b.tar.gz")])
    assert result.exit_code != 0 and "pg_dump was not found" in result.output and "postgresql-client" in result.output
    assert not (tmp_path / "b.tar.gz").exists()


def test_a_backup_made_while_the_app_writes_holds_only_what_was_committed(tmp_path):
    source = instance(tmp_path / "source")
    populate(source)
    writer = sqlite3.connect(tmp_path / "source" / "backpack.db")
    try:
        writer.execute("BEGIN IMMEDIATE")  # a request in the middle of its transaction
        writer.execute("UPDATE users SET display_name = 'half-way'")
        archive = tmp_path / "backpack.tar.gz"
        result = source.test_cli_runner().invoke(args=["backup", str(archive)])
        assert result.exit_code == 0, result.output
    finally:
        writer.rollback()
        writer.close()
    fresh = instance(tmp_path / "restored")
    assert fresh.test_cli_runner().invoke(args=["restore", str(archive)]).exit_code == 0
    restored = sqlite3.connect(tmp_path / "restored" / "backpack.db")
    try:
        names = {name for (name,) in restored.execute("SELECT display_name FROM users")}
    finally:
        restored.close()
    assert names == {"Ms Rivera", "Lan"}
