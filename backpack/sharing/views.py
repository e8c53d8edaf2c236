"""The learner's sharing pages for a badge or a collection: make a link, show its QR code,
print a card, stop sharing."""
from urllib.parse import urlencode

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from backpack.auth.invites import qr_svg
from backpack.auth.policy import Action, own_award, own_collection, require
from backpack.extensions import db
from backpack.models import Award, Collection, ShareLink
from backpack.sharing import bp, links, view_counts
from backpack.sharing.forms import ShareForm


def own_link(link_id: int, *, live: bool = False) -> ShareLink:
    """Return one of the learner's links; with live=True, refuse one that no longer works."""
    link = db.session.get(ShareLink, link_id)
    if link is None or link.owner_id != current_user.id:
        abort(404)
    if live and not link.is_live():
        raise links.ShareLinkError(links.GONE, 410)
    return link


def linkedin_url(link: ShareLink, url: str) -> str:
    """Return LinkedIn's 'add to profile' address with the certification filled in."""
    award = link.award
    fields = {
        "startTask": "CERTIFICATION_NAME",
        "name": award.achievement.name,
        "organizationName": award.issuer.name,
        "issueYear": award.issued_at.year,
        "issueMonth": award.issued_at.month,
        "certUrl": url,
        "certId": award.public_id,
    }
    if award.valid_until:
        fields.update(expirationYear=award.valid_until.year, expirationMonth=award.valid_until.month)
    return "https://www.linkedin.com/profile/add?" + urlencode(fields)


def share_page_url(link: ShareLink) -> str:
    """Return the page listing the links of what this link shares."""
    if link.collection is not None:
        return url_for("sharing.share_collection", public_id=link.collection.public_id)
    return url_for("sharing.share", public_id=link.award.public_id)


def _share(target: Award | Collection):
    """Make a link for a badge or a collection, or show the form and the links made so far."""
    form = ShareForm()
    if form.validate_on_submit():
        # A collection shows the items marked shareable; the badge's own evidence is a badge option.
        include_evidence = isinstance(target, Award) and form.include_evidence.data
        link, _token = links.create(
            target, owner=current_user, expiry=form.expiry.data, include_evidence=include_evidence
        )
        db.session.commit()
        return redirect(url_for("sharing.show", link_id=link.id))
    kind = "collection" if isinstance(target, Collection) else "award"
    return render_template(
        "sharing/share.html", form=form, links=links.links_of(target), views_of=view_counts.views_of, **{kind: target}
    ), (400 if form.errors else 200)


@bp.route("/my/badges/<public_id>/share", methods=["GET", "POST"])
@require(Action.USE_BACKPACK)
def share(public_id: str):
    return _share(own_award(current_user, public_id))


@bp.route("/my/collections/<public_id>/share", methods=["GET", "POST"])
@require(Action.USE_BACKPACK)
def share_collection(public_id: str):
    return _share(own_collection(current_user, public_id))


@bp.get("/my/shares/<int:link_id>")
@require(Action.USE_BACKPACK)
def show(link_id: int):
    """The QR code full screen, to show an employer across the table."""
    link = own_link(link_id, live=True)
    url = links.url_of(links.token_of(link))
    linkedin = linkedin_url(link, url) if link.award is not None else None
    return render_template(
        "sharing/show.html", link=link, url=url, qr=qr_svg(url), linkedin=linkedin, back=share_page_url(link)
    )


@bp.get("/my/shares/<int:link_id>/card")
@require(Action.USE_BACKPACK)
def card(link_id: int):
    """A card to print (A6 or credit-card size) for a paper CV."""
    link = own_link(link_id, live=True)
    url = links.url_of(links.token_of(link))
    return render_template("sharing/card.html", link=link, url=url, qr=qr_svg(url))


@bp.post("/my/shares/<int:link_id>/revoke")
@require(Action.USE_BACKPACK)
def revoke(link_id: int):
    link = own_link(link_id)
    links.revoke(link)
    db.session.commit()
    flash(_("The link is stopped. Nobody can open it any more."), "success")
    return redirect(share_page_url(link))
