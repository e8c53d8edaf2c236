"""Collections as plain functions: order stays dense, duplicates change nothing, limits hold."""
import pytest
from sqlalchemy.exc import IntegrityError

from backpack.evidence import capture
from backpack.extensions import db
from backpack.learner import collections
from backpack.learner.collections import CollectionRefused
from backpack.models import Award, Collection, CollectionItem, ShareLink
from backpack.sharing import links
from tests.learner.portfolio import build_portfolio


@pytest.fixture
def folio(app, make_user, make_classroom, make_issuer, make_achievement):
    return build_portfolio(make_user, make_classroom, make_issuer, make_achievement)


@pytest.fixture
def full(folio):
    """A collection holding both badges, then both evidence items, in that order."""
    collection = collections.create(folio.learner, "For my job interview")
    for award in folio.awards:
        collections.add_award(collection, award)
    for item in folio.evidence:
        collections.add_evidence(collection, item)
    db.session.commit()
    return collection


def _order(collection):
    items = collections.items_of(collection)
    assert [item.position for item in items] == list(range(len(items))), "positions are not dense"
    return [item.award_id or -item.evidence_id for item in items]


def _ids(folio):
    return [a.id for a in folio.awards] + [-e.id for e in folio.evidence]


def test_new_collection_is_empty_and_items_start_private(folio):
    collection = collections.create(folio.learner, "  For my job interview  ", "Welding jobs")
    db.session.commit()
    assert collection.name == "For my job interview" and collection.description == "Welding jobs"
    item = collections.add_award(collection, folio.awards[0])
    assert item.shareable is False and item.position == 0


def test_items_keep_the_order_they_were_added(full, folio):
    assert _order(full) == _ids(folio)


def test_moving_swaps_neighbours_and_stops_at_the_ends(full, folio):
    a, b, c, d = _ids(folio)
    items = collections.items_of(full)
    collections.move(items[3], collections.UP)
    db.session.commit()
    assert _order(full) == [a, b, d, c]
    collections.move(collections.items_of(full)[0], collections.UP)  # already first
    collections.move(collections.items_of(full)[3], collections.DOWN)  # already last
    db.session.commit()
    assert _order(full) == [a, b, d, c]
    collections.move(collections.items_of(full)[0], collections.DOWN)
    db.session.commit()
    assert _order(full) == [b, a, d, c]


def test_removing_closes_the_gap(full, folio):
    a, _b, c, d = _ids(folio)
    collections.remove(collections.items_of(full)[1])
    db.session.commit()
    assert _order(full) == [a, c, d]
    assert db.session.get(Award, folio.awards[1].id) is not None  # the badge itself stays


def test_deleting_evidence_removes_its_item_and_moves_still_work(full, folio):
    a, b, _c, d = _ids(folio)
    capture.delete_evidence(folio.evidence[0])
    db.session.commit()
    db.session.expire_all()
    items = collections.items_of(full)
    assert [item.award_id or -item.evidence_id for item in items] == [a, b, d]
    collections.move(items[2], collections.UP)  # renumbers the gap first
    db.session.commit()
    assert _order(full) == [a, d, b]
    item = collections.add_award(full, folio.awards[1])  # already there: no change
    assert item.position == 2


def test_adding_twice_is_a_no_op(full, folio):
    before = _order(full)
    again = collections.add_award(full, folio.awards[0])
    collections.add_evidence(full, folio.evidence[1])
    db.session.commit()
    assert _order(full) == before
    assert again.position == 0


def test_other_learners_things_are_refused(full, folio):
    with pytest.raises(CollectionRefused) as refused:
        collections.add_award(full, folio.other_award)
    assert refused.value.status == 404
    with pytest.raises(CollectionRefused):
        collections.add_evidence(full, folio.other_evidence)
    assert len(collections.items_of(full)) == 4


@pytest.mark.parametrize("name", ["", "   ", "x" * 81])
def test_names_must_be_given_and_short(folio, name):
    with pytest.raises(CollectionRefused):
        collections.create(folio.learner, name)


def test_rename(full):
    collections.rename(full, "Interview at the shipyard", "")
    db.session.commit()
    assert full.name == "Interview at the shipyard" and full.description is None
    with pytest.raises(CollectionRefused):
        collections.rename(full, " ")


def test_collection_limit(folio, monkeypatch):
    monkeypatch.setattr(collections, "MAX_COLLECTIONS", 3)
    for n in range(3):
        collections.create(folio.learner, f"Collection {n}")
    with pytest.raises(CollectionRefused) as refused:
        collections.create(folio.learner, "One too many")
    assert "at most 3 collections" in str(refused.value.message)
    collections.create(folio.other, "Omar's first")  # the limit is per learner


def test_item_limit(folio, monkeypatch):
    monkeypatch.setattr(collections, "MAX_ITEMS", 1)
    collection = collections.create(folio.learner, "Small")
    collections.add_award(collection, folio.awards[0])
    with pytest.raises(CollectionRefused) as refused:
        collections.add_evidence(collection, folio.evidence[0])
    assert "at most 1 item." in str(refused.value.message)
    assert collections.add_award(collection, folio.awards[0]).position == 0  # already in: still fine


def test_shareable_only_lists_marked_items_in_order(full, folio):
    items = collections.items_of(full)
    collections.set_shareable(items[3], True)
    collections.set_shareable(items[0], True)
    db.session.commit()
    shared = collections.items_of(full, shareable_only=True)
    assert [item.id for item in shared] == [items[0].id, items[3].id]
    collections.set_shareable(items[0], False)
    db.session.commit()
    assert [item.id for item in collections.items_of(full, shareable_only=True)] == [items[3].id]


def test_collections_of_lists_only_the_learners_own(full, folio):
    collections.create(folio.other, "Omar's")
    db.session.commit()
    mine = collections.collections_of(folio.learner)
    assert [c.id for c in mine] == [full.id] and len(mine[0].items) == 4


def test_deleting_a_collection_keeps_badges_and_evidence_and_ends_its_links(full, folio):
    _link, _token = links.create(full, owner=folio.learner, expiry="week")
    db.session.commit()
    collections.delete(full)
    db.session.commit()
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(CollectionItem.id))) == 0
    assert db.session.scalar(db.select(db.func.count(ShareLink.id))) == 0
    assert all(db.session.get(Award, a.id) for a in folio.awards)


@pytest.mark.parametrize("target", ["both", "neither"])
def test_an_item_points_at_exactly_one_thing(full, folio, target):
    fields = {"both": {"award_id": folio.awards[0].id, "evidence_id": folio.evidence[0].id}, "neither": {}}[target]
    other = Collection(owner_id=folio.learner.id, name="Raw")
    db.session.add(other)
    db.session.flush()
    db.session.add(CollectionItem(collection_id=other.id, position=0, **fields))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_database_refuses_a_duplicate_item(full, folio):
    db.session.add(CollectionItem(collection_id=full.id, position=9, award_id=folio.awards[0].id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("target", ["both", "neither"])
def test_a_share_link_points_at_exactly_one_thing(full, folio, target):
    fields = {"both": {"award_id": folio.awards[0].id, "collection_id": full.id}, "neither": {}}[target]
    db.session.add(
        ShareLink(owner_id=folio.learner.id, token_hash="x" * 64, sealed_token="x", view_count=0, **fields)
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
