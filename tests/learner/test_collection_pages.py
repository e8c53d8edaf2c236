"""The collection pages: plain forms that work without JavaScript, for their owner only."""
import re

import pytest

from backpack.extensions import db
from backpack.learner import collections
from backpack.models import Collection, CollectionItem, Role
from tests.conftest import new_client
from tests.learner.portfolio import build_portfolio


@pytest.fixture
def folio(app, make_user, make_classroom, make_issuer, make_achievement):
    return build_portfolio(make_user, make_classroom, make_issuer, make_achievement)


@pytest.fixture
def amina(folio, enrol):
    return enrol(folio.learner)


@pytest.fixture
def interview(folio):
    """Amina's collection with a badge and a photo in it."""
    collection = collections.create(folio.learner, "For my job interview")
    collections.add_award(collection, folio.awards[0])
    collections.add_evidence(collection, folio.evidence[0])
    db.session.commit()
    return collection


def post(actor, path, **data):
    data.setdefault("csrf_token", actor.csrf("/language"))
    return actor.client.post(path, data=data)


def items(collection_id):
    db.session.expire_all()
    return list(
        db.session.scalars(
            db.select(CollectionItem).where(CollectionItem.collection_id == collection_id).order_by(CollectionItem.position)
        )
    )


def test_learner_builds_a_collection_with_plain_forms(amina, folio):
    home = amina.client.get("/").get_data(as_text=True)
    assert 'href="/my/collections"' in home

    listing = amina.client.get("/my/collections")
    assert listing.status_code == 200 and "You have no collections yet." in listing.get_data(as_text=True)

    made = post(amina, "/my/collections", name="For my job interview", description="Shipyard")
    assert made.status_code == 302
    path = made.headers["Location"]
    collection = db.session.scalar(db.select(Collection))
    assert path.endswith(f"/my/collections/{collection.public_id}")

    page = amina.client.get(path).get_data(as_text=True)
    assert "For my job interview" in page and "Safe welding" in page and "Weld seam" in page
    assert post(amina, f"{path}/badges", award=folio.awards[0].public_id).status_code == 302
    assert post(amina, f"{path}/evidence", evidence=folio.evidence[0].public_id).status_code == 302
    badge_item, photo_item = items(collection.id)
    assert badge_item.award_id == folio.awards[0].id and not badge_item.shareable

    page = amina.client.get(path).get_data(as_text=True)
    assert page.count("data-collection-item ") == 2
    assert page.count("data-privacy>") == 2 and ">Private<" in page
    # Already in: no longer offered in the add forms.
    assert f'value="{folio.awards[0].public_id}"' not in page and f'value="{folio.awards[1].public_id}"' in page

    assert post(amina, f"{path}/items/{photo_item.id}/move", direction="up").status_code == 302
    assert [item.id for item in items(collection.id)] == [photo_item.id, badge_item.id]

    assert post(amina, f"{path}/items/{badge_item.id}/shareable", shareable="yes").status_code == 302
    page = amina.client.get(path).get_data(as_text=True)
    assert 'data-shareable="yes"' in page and ">Shareable<" in page and "Make private" in page
    assert post(amina, f"{path}/items/{badge_item.id}/shareable", shareable="no").status_code == 302
    assert not items(collection.id)[1].shareable

    assert post(amina, f"{path}/rename", name="Shipyard interview", description="").status_code == 302
    assert "Shipyard interview" in amina.client.get(path).get_data(as_text=True)

    assert post(amina, f"{path}/items/{photo_item.id}/remove").status_code == 302
    assert [item.id for item in items(collection.id)] == [badge_item.id]
    assert items(collection.id)[0].position == 0

    confirm = amina.client.get(f"{path}/delete")
    assert confirm.status_code == 200 and "Delete the collection?" in confirm.get_data(as_text=True)
    gone = post(amina, f"{path}/delete")
    assert gone.status_code == 302 and gone.headers["Location"].endswith("/my/collections")
    assert db.session.scalar(db.select(db.func.count(Collection.id))) == 0


def test_adding_twice_is_not_an_error(amina, folio, interview):
    path = f"/my/collections/{interview.public_id}"
    for _ in range(2):
        assert post(amina, f"{path}/badges", award=folio.awards[0].public_id).status_code == 302
    assert len(items(interview.id)) == 2


def test_other_learners_badges_and_evidence_are_404(amina, folio, interview):
    path = f"/my/collections/{interview.public_id}"
    assert post(amina, f"{path}/badges", award=folio.other_award.public_id).status_code == 404
    assert post(amina, f"{path}/evidence", evidence=folio.other_evidence.public_id).status_code == 404
    assert post(amina, f"{path}/badges", award="").status_code == 400
    assert len(items(interview.id)) == 2


def test_an_item_of_another_collection_is_404(amina, folio, interview):
    second = collections.create(folio.learner, "Second")
    db.session.commit()
    item = items(interview.id)[0]
    response = post(amina, f"/my/collections/{second.public_id}/items/{item.id}/remove")
    assert response.status_code == 404
    assert len(items(interview.id)) == 2


def test_bad_form_values_are_400(amina, interview):
    path = f"/my/collections/{interview.public_id}"
    item = items(interview.id)[0]
    assert post(amina, f"{path}/items/{item.id}/move", direction="sideways").status_code == 400
    assert post(amina, f"{path}/items/{item.id}/shareable", shareable="maybe").status_code == 400
    response = post(amina, "/my/collections", name="")
    assert response.status_code == 400 and "Give the collection a name." in response.get_data(as_text=True)
    assert post(amina, "/my/collections", name="x" * 81).status_code == 400


def test_limits_are_refused_with_a_reason(amina, monkeypatch):
    monkeypatch.setattr(collections, "MAX_COLLECTIONS", 0)
    response = post(amina, "/my/collections", name="One too many")
    assert response.status_code == 400
    assert "You can have at most 0 collections." in response.get_data(as_text=True)


def _routes(collection, item):
    base = f"/my/collections/{collection.public_id}"
    item_base = f"{base}/items/{item.id}"
    return [
        ("GET", base, {}),
        ("GET", f"{base}/delete", {}),
        ("GET", f"{base}/share", {}),
        ("POST", f"{base}/rename", {"name": "Mine now"}),
        ("POST", f"{base}/badges", {}),
        ("POST", f"{base}/evidence", {}),
        ("POST", f"{item_base}/move", {"direction": "down"}),
        ("POST", f"{item_base}/shareable", {"shareable": "yes"}),
        ("POST", f"{item_base}/remove", {}),
        ("POST", f"{base}/share", {"expiry": "week"}),
        ("POST", f"{base}/delete", {}),
    ]


def test_another_learner_cannot_tell_a_collection_exists(folio, enrol, interview):
    omar = enrol(folio.other)
    for method, path, data in _routes(interview, items(interview.id)[0]):
        response = omar.client.get(path) if method == "GET" else post(omar, path, **data)
        assert response.status_code == 404, (method, path)
    assert len(items(interview.id)) == 2 and db.session.get(Collection, interview.id).name == "For my job interview"


@pytest.mark.parametrize("role", [Role.TEACHER, Role.ADMIN])
def test_teachers_and_admins_are_refused(folio, signed_in, interview, role):
    actor = signed_in(role)
    assert actor.client.get("/my/collections").status_code == 403
    for method, path, data in _routes(interview, items(interview.id)[0]):
        response = actor.client.get(path) if method == "GET" else post(actor, path, **data)
        assert response.status_code == 403, (method, path)


def test_anonymous_people_are_sent_to_sign_in(app, interview):
    client = new_client(app)
    for method, path, data in [("GET", "/my/collections", {}), *_routes(interview, items(interview.id)[0])]:
        response = client.get(path) if method == "GET" else client.post(path, data=data)
        if method == "GET":
            assert response.status_code == 302 and "/signin" in response.headers["Location"], path
        else:
            assert response.status_code in (302, 400), path  # no CSRF token for a stranger either
    assert len(items(interview.id)) == 2


def test_every_change_needs_the_csrf_token(amina, interview):
    for method, path, data in _routes(interview, items(interview.id)[0]):
        if method == "POST":
            response = amina.client.post(path, data=data)
            assert response.status_code == 400, path
    assert len(items(interview.id)) == 2
    assert db.session.get(Collection, interview.id).name == "For my job interview"


def test_the_page_uses_no_inline_style_or_script(amina, interview):
    html = amina.client.get(f"/my/collections/{interview.public_id}").get_data(as_text=True)
    assert "style=" not in html and not re.search(r"<script(?![^>]*\bsrc=)", html)


def test_pages_render_right_to_left_in_arabic(amina, interview):
    assert post(amina, "/language", language="ar").status_code == 302
    for path in ("/my/collections", f"/my/collections/{interview.public_id}"):
        response = amina.client.get(path)
        assert response.status_code == 200 and 'dir="rtl"' in response.get_data(as_text=True)


def test_the_evidence_list_says_which_items_are_shared_in_a_collection(amina, folio, interview):
    photo = folio.evidence[0]

    def privacy_of(public_id):
        page = amina.client.get("/evidence").get_data(as_text=True)
        row = page[page.index(f"/evidence/{public_id}/media"):]
        return re.search(r'data-privacy="(\w+)"', row).group(1)

    assert privacy_of(photo.public_id) == "private"
    [_badge, item] = items(interview.id)
    collections.set_shareable(item, True)
    db.session.commit()
    assert privacy_of(photo.public_id) == "shareable"
    assert privacy_of(folio.evidence[1].public_id) == "private"
