"""Collections in the learner's data: listed in the export, deleted with the account."""
import io
import zipfile

import pytest

from backpack.extensions import db
from backpack.learner import collections
from backpack.models import Collection, CollectionItem, ShareLink
from backpack.sharing import links
from tests.conftest import csrf_from, new_client
from tests.learner.portfolio import build_portfolio


@pytest.fixture
def world(app, make_user, make_classroom, make_issuer, make_achievement, enrol):
    folio = build_portfolio(make_user, make_classroom, make_issuer, make_achievement)
    mine = collections.create(folio.learner, "For my job interview <b>now</b>")
    collections.add_award(mine, folio.awards[0])
    photo_item = collections.add_evidence(mine, folio.evidence[0])
    collections.set_shareable(photo_item, True)
    _link, token = links.create(mine, owner=folio.learner, expiry="week")
    theirs = collections.create(folio.other, "Omar's portfolio")
    collections.add_award(theirs, folio.other_award)
    _other_link, other_token = links.create(theirs, owner=folio.other, expiry="week")
    db.session.commit()
    return folio, enrol(folio.learner), token, other_token


def test_export_index_lists_collections_in_order_with_their_privacy(world):
    folio, amina, _token, _other = world
    response = amina.client.get("/my/data.zip")
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    response.close()
    index = archive.read("index.html").decode()
    assert "For my job interview &lt;b&gt;now&lt;/b&gt;" in index and "Omar" not in index
    section = index[index.index("data-collection"):]
    assert section.index(f"credentials/{folio.awards[0].public_id}.json") < section.index(
        f"evidence/{folio.evidence[0].public_id}.txt"
    )
    assert "Private" in section and "Shareable" in section


def test_deleting_the_account_deletes_collections_and_their_links(app, world):
    folio, amina, token, other_token = world
    csrf = csrf_from(amina.client.get("/account/").get_data(as_text=True))
    assert amina.client.post("/account/delete", data={"csrf_token": csrf, "confirm": "delete"}).status_code == 302
    db.session.expire_all()
    owners = db.session.scalars(db.select(Collection.owner_id)).all()
    assert owners == [folio.other.id]
    assert db.session.scalar(db.select(db.func.count(CollectionItem.id))) == 1
    assert db.session.scalar(db.select(db.func.count(ShareLink.id))) == 1
    employer = new_client(app)
    assert employer.get(f"/s/{token}").status_code == 404
    assert employer.get(f"/s/{other_token}").status_code == 200
