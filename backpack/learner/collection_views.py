"""The learner's collection pages: plain forms, each POST answered with a redirect."""
from flask import flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from backpack.auth.forms import PlainForm
from backpack.auth.policy import (
    Action,
    collection_item_in,
    own_award,
    own_collection,
    own_evidence,
    require,
)
from backpack.evidence.capture import evidence_of
from backpack.evidence.serving import KIND_NAMES
from backpack.extensions import db
from backpack.learner import badges, bp, collections
from backpack.learner.collection_forms import (
    AddBadgeForm,
    AddEvidenceForm,
    CollectionForm,
    MoveForm,
    ShareableForm,
)
from backpack.models import Collection
from backpack.pwa.offline import keep_offline


@bp.get("/my/collections")
@require(Action.USE_BACKPACK)
@keep_offline
def collections_index():
    return _list_page(CollectionForm())


def _list_page(form: CollectionForm, status: int = 200):
    return render_template(
        "learner/collections.html", collections=collections.collections_of(current_user), form=form
    ), status


@bp.post("/my/collections")
@require(Action.USE_BACKPACK)
def create_collection():
    form = CollectionForm()
    if not form.validate_on_submit():
        return _list_page(form, 400)
    try:
        collection = collections.create(current_user, form.name.data, form.description.data)
    except collections.CollectionRefused as refusal:
        form.name.errors = [str(refusal.message)]
        return _list_page(form, refusal.status)
    db.session.commit()
    flash(_("Collection made. Everything you add stays private until you mark it shareable."), "success")
    return redirect(url_for("learner.collection", public_id=collection.public_id))


@bp.get("/my/collections/<public_id>")
@require(Action.USE_BACKPACK)
@keep_offline
def collection(public_id: str):
    found = own_collection(current_user, public_id)
    return _collection_page(found, rename_form=CollectionForm(obj=found))


def _collection_page(found: Collection, status: int = 200, **forms):
    """Render the collection with forms to add the learner's badges and evidence not yet in it."""
    items = collections.items_of(found)
    held_awards = {item.award_id for item in items}
    held_evidence = {item.evidence_id for item in items}
    locale = str(get_locale())
    badge_form = forms.get("badge_form") or AddBadgeForm()
    badge_form.award.choices = [
        (award.public_id, award.achievement.text_in(locale)["name"])
        for award in badges.awards_of(current_user)
        if award.id not in held_awards
    ]
    evidence_form = forms.get("evidence_form") or AddEvidenceForm()
    evidence_form.evidence.choices = [
        (item.public_id, item.title or str(KIND_NAMES[item.kind]))
        for item in evidence_of(current_user)
        if item.id not in held_evidence
    ]
    return render_template(
        "learner/collection.html",
        collection=found,
        items=items,
        state=badges.state,
        kind_names=KIND_NAMES,
        badge_form=badge_form,
        evidence_form=evidence_form,
        rename_form=forms.get("rename_form") or CollectionForm(obj=found),
        form=PlainForm(),
    ), status


def _back(found: Collection, anchor: str = ""):
    return redirect(url_for("learner.collection", public_id=found.public_id) + anchor)


@bp.post("/my/collections/<public_id>/rename")
@require(Action.USE_BACKPACK)
def rename_collection(public_id: str):
    found = own_collection(current_user, public_id)
    form = CollectionForm()
    if not form.validate_on_submit():
        return _collection_page(found, 400, rename_form=form)
    try:
        collections.rename(found, form.name.data, form.description.data)
    except collections.CollectionRefused as refusal:
        form.name.errors = [str(refusal.message)]
        return _collection_page(found, refusal.status, rename_form=form)
    db.session.commit()
    flash(_("Saved."), "success")
    return _back(found)


@bp.get("/my/collections/<public_id>/delete")
@require(Action.USE_BACKPACK)
def confirm_delete_collection(public_id: str):
    """Ask first: deleting also stops every link that shares the collection."""
    found = own_collection(current_user, public_id)
    return render_template("learner/collection_delete.html", collection=found, form=PlainForm())


@bp.post("/my/collections/<public_id>/delete")
@require(Action.USE_BACKPACK)
def delete_collection(public_id: str):
    found = own_collection(current_user, public_id)
    if not PlainForm().validate_on_submit():
        return render_template("learner/collection_delete.html", collection=found, form=PlainForm()), 400
    collections.delete(found)
    db.session.commit()
    flash(_("The collection is deleted. Your badges and evidence are still in your backpack."), "success")
    return redirect(url_for("learner.collections_index"))


def _add(found: Collection, adding, thing, form_name: str, form):
    """Add a badge or evidence item; adding one twice (even in a double tap) is no change."""
    try:
        adding(found, thing)
        db.session.commit()
    except collections.CollectionRefused as refusal:
        db.session.rollback()
        field = form.award if form_name == "badge_form" else form.evidence
        field.errors = [str(refusal.message)]
        return _collection_page(found, refusal.status, **{form_name: form})
    except IntegrityError:
        db.session.rollback()
    flash(_("Added. It is private until you mark it shareable."), "success")
    return _back(found, "#items")


@bp.post("/my/collections/<public_id>/badges")
@require(Action.USE_BACKPACK)
def add_collection_badge(public_id: str):
    found = own_collection(current_user, public_id)
    form = AddBadgeForm()
    if not form.validate_on_submit():
        return _collection_page(found, 400, badge_form=form)
    return _add(found, collections.add_award, own_award(current_user, form.award.data), "badge_form", form)


@bp.post("/my/collections/<public_id>/evidence")
@require(Action.USE_BACKPACK)
def add_collection_evidence(public_id: str):
    found = own_collection(current_user, public_id)
    form = AddEvidenceForm()
    if not form.validate_on_submit():
        return _collection_page(found, 400, evidence_form=form)
    thing = own_evidence(current_user, form.evidence.data)
    return _add(found, collections.add_evidence, thing, "evidence_form", form)


@bp.post("/my/collections/<public_id>/items/<int:item_id>/move")
@require(Action.USE_BACKPACK)
def move_collection_item(public_id: str, item_id: int):
    found = own_collection(current_user, public_id)
    item = collection_item_in(found, item_id)
    form = MoveForm()
    if not form.validate_on_submit():
        return _collection_page(found, 400)
    collections.move(item, form.direction.data)
    db.session.commit()
    return _back(found, f"#item-{item.id}")


@bp.post("/my/collections/<public_id>/items/<int:item_id>/shareable")
@require(Action.USE_BACKPACK)
def share_collection_item(public_id: str, item_id: int):
    found = own_collection(current_user, public_id)
    item = collection_item_in(found, item_id)
    form = ShareableForm()
    if not form.validate_on_submit():
        return _collection_page(found, 400)
    collections.set_shareable(item, form.shareable.data == "yes")
    db.session.commit()
    if item.shareable:
        flash(_("Shareable: people you share the collection with see it."), "success")
    else:
        flash(_("Private: only you see it."), "success")
    return _back(found, f"#item-{item.id}")


@bp.post("/my/collections/<public_id>/items/<int:item_id>/remove")
@require(Action.USE_BACKPACK)
def remove_collection_item(public_id: str, item_id: int):
    found = own_collection(current_user, public_id)
    item = collection_item_in(found, item_id)
    if not PlainForm().validate_on_submit():
        return _collection_page(found, 400)
    collections.remove(item)
    db.session.commit()
    flash(_("Removed from the collection. It is still in your backpack."), "success")
    return _back(found, "#items")
