"""The pages for badges from elsewhere: plain forms without JavaScript, for their owner only."""
import hashlib
import html
import io
import json
import zipfile

import pytest

from backpack.account import deletion
from backpack.extensions import db
from backpack.learner import importing, my_data
from backpack.models import ImportedCredential, Role
from tests.conftest import new_client
from tests.learner.imports import baked, elsewhere_award, tampered


@pytest.fixture
def award(app, make_user, make_issuer, make_achievement):
    return elsewhere_award(make_user, make_issuer, make_achievement)


@pytest.fixture
def amina(signed_in):
    return signed_in(Role.LEARNER, "Amina")


@pytest.fixture
def kept(award, amina):
    """A badge Amina imported from its baked PNG."""
    found = importing.import_credential(amina.user, data=baked(award)["png"]).credential
    db.session.commit()
    return found


def post(actor, path, **data):
    data.setdefault("csrf_token", actor.csrf("/language"))
    return actor.client.post(path, data=data, content_type="multipart/form-data")


def rows():
    db.session.expire_all()
    return list(db.session.scalars(db.select(ImportedCredential)))


def test_the_backpack_home_links_to_the_import_page(amina):
    home = amina.client.get("/").get_data(as_text=True)
    assert 'href="/my/imported/new"' in home
    page = amina.client.get("/my/imported/new").get_data(as_text=True)
    assert 'accept=".png,.svg,.json,.jwt"' in page
    assert 'enctype="multipart/form-data"' in page
    assert 'name="url"' in page and 'name="pasted"' in page


def test_uploading_a_baked_png_shows_the_badge_with_its_verdict(award, amina):
    png = baked(award)["png"]
    response = post(amina, "/my/imported/new", badge_file=(io.BytesIO(png), "forklift.png"))
    assert response.status_code == 302
    (found,) = rows()
    assert response.headers["Location"].endswith(f"/my/imported/{found.public_id}")

    page = amina.client.get(f"/my/imported/{found.public_id}").get_data(as_text=True)
    assert "Forklift safety" in page and "Harbour College" in page
    assert 'data-verdict="valid"' in page and "Genuine badge" in page
    assert "When checked on" in page and "checked just now" not in page
    assert "Imported from elsewhere" in page
    assert "The badge is in your backpack." in page
    picture = amina.client.get(f"/my/imported/{found.public_id}/image")
    assert (picture.status_code, picture.mimetype, picture.get_data()) == (200, "image/png", png)
    assert "data:image" not in page  # pictures are files, so the page stays small

    home = amina.client.get("/").get_data(as_text=True)
    assert "data-imported-list" in home and "Forklift safety" in home

    again = post(amina, "/my/imported/new", badge_file=(io.BytesIO(png), "forklift.png"))
    assert again.status_code == 302
    assert "This badge is already in your backpack." in amina.client.get(again.headers["Location"]).get_data(as_text=True)
    assert len(rows()) == 1


def test_pasting_a_tampered_credential_shows_not_genuine_with_the_reason(award, amina):
    response = post(amina, "/my/imported/new", pasted=tampered(award).decode())
    assert response.status_code == 302
    page = amina.client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-verdict="invalid"' in page and "Not genuine" in page
    assert 'class="failed"' in page
    assert 'state-invalid' in amina.client.get("/").get_data(as_text=True)


def test_input_without_a_badge_shows_the_reason_and_keeps_nothing(amina):
    html = io.BytesIO(b"<!DOCTYPE html><html><body>Hi</body></html>")
    response = post(amina, "/my/imported/new", badge_file=(html, "page.html"))
    assert response.status_code == 400
    assert "This file does not contain a badge." in response.get_data(as_text=True)

    refused = post(amina, "/my/imported/new", url="http://10.0.0.1/badge.json")
    assert refused.status_code == 400
    assert "public addresses" in refused.get_data(as_text=True)
    assert "Choose a badge file" in post(amina, "/my/imported/new").get_data(as_text=True)
    assert rows() == []


def test_the_original_downloads_byte_for_byte_and_the_check_can_run_again(kept, award, amina):
    download = amina.client.get(f"/my/imported/{kept.public_id}/original")
    assert download.status_code == 200
    assert download.get_data() == baked(award)["png"]
    assert download.mimetype == "image/png"
    assert "attachment" in download.headers["Content-Disposition"]
    assert "sandbox" in download.headers["Content-Security-Policy"]

    from backpack.issuing import status

    status.revoke(award, "Mistake", by=None)
    db.session.commit()
    checked = post(amina, f"/my/imported/{kept.public_id}/check")
    assert checked.status_code == 302
    page = amina.client.get(checked.headers["Location"]).get_data(as_text=True)
    assert 'data-verdict="revoked"' in page and "Harbour College revoked this badge." in page


def test_removing_asks_first_then_deletes(kept, amina):
    confirm = amina.client.get(f"/my/imported/{kept.public_id}/delete")
    assert confirm.status_code == 200 and "Yes, remove it" in confirm.get_data(as_text=True)
    assert rows() != []
    done = post(amina, f"/my/imported/{kept.public_id}/delete")
    assert done.status_code == 302
    assert rows() == []


@pytest.mark.parametrize("suffix", ["", "/original", "/image", "/delete"])
def test_another_learner_cannot_tell_the_badge_exists(kept, signed_in, suffix):
    other = signed_in(Role.LEARNER, "Other")
    assert other.client.get(f"/my/imported/{kept.public_id}{suffix}").status_code == 404


@pytest.mark.parametrize("suffix", ["/check", "/delete"])
def test_another_learner_cannot_change_it(kept, signed_in, suffix):
    other = signed_in(Role.LEARNER, "Other")
    assert post(other, f"/my/imported/{kept.public_id}{suffix}").status_code == 404
    assert len(rows()) == 1


def test_teachers_are_refused_and_strangers_sent_to_sign_in(app, kept, signed_in):
    teacher = signed_in(Role.TEACHER, "Teacher")
    assert teacher.client.get(f"/my/imported/{kept.public_id}").status_code == 403
    assert teacher.client.get("/my/imported/new").status_code == 403
    stranger = new_client(app).get(f"/my/imported/{kept.public_id}")
    assert stranger.status_code == 302 and "/signin" in stranger.headers["Location"]


def test_a_form_without_its_csrf_token_is_refused(kept, award, amina):
    assert amina.client.post(f"/my/imported/{kept.public_id}/delete").status_code == 400
    assert amina.client.post("/my/imported/new", data={"pasted": award.credential_json}).status_code == 400
    assert len(rows()) == 1


def test_the_pages_work_in_arabic_right_to_left(kept, amina):
    post(amina, "/language", language="ar")
    page = amina.client.get(f"/my/imported/{kept.public_id}").get_data(as_text=True)
    assert 'dir="rtl"' in page
    assert 'dir="rtl"' in amina.client.get("/my/imported/new").get_data(as_text=True)


def test_the_export_holds_each_original_with_its_checksum_and_deletion_removes_them(kept, award, amina):
    with my_data.build_export(amina.user) as spool, zipfile.ZipFile(spool) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        (row,) = manifest["imported"]
        original = archive.read(row["path"])
    assert original == baked(award)["png"]
    assert row["sha256"] == hashlib.sha256(original).hexdigest()
    assert any(entry["path"] == row["path"] and entry["sha256"] == row["sha256"] for entry in manifest["files"])

    deletion.delete_account(amina.user)
    db.session.commit()
    assert rows() == []


def test_a_pasted_signed_open_badges_2_badge_is_shown_as_not_checked(amina):
    import base64

    def part(value):
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    payload = {"type": "Assertion", "id": "urn:uuid:2", "badge": {"name": "Signed badge", "issuer": {"name": "Elsewhere"}},
               "verification": {"type": "signed"}}
    response = post(amina, "/my/imported/new", pasted=f"{part({'alg': 'RS256'})}.{part(payload)}.c2ln")
    assert response.status_code == 302
    page = amina.client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-verdict="not-checked"' in page and "Not checked" in page
    assert "The badge's issuer has no address, so its key cannot be found." in html.unescape(page)
    assert "state-unchecked" in amina.client.get("/").get_data(as_text=True)
