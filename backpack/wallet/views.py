"""The learner's wallet pages: make an offer for a badge, show its QR code, list the copies sent."""
from flask import redirect, render_template, url_for
from flask_babel import get_locale
from flask_login import current_user

from backpack.auth.invites import qr_svg
from backpack.auth.policy import Action, own_award, own_wallet_offer, require
from backpack.extensions import db, limiter
from backpack.wallet import bp, copies, offers
from backpack.wallet.forms import WalletOfferForm

# Each offer signs nothing until a wallet redeems it, but a QR code a second is no use to anyone.
OFFER_LIMIT = "10 per minute;60 per hour"


def _learner_key() -> str:
    return f"learner:{current_user.get_id()}"


@bp.route("/my/badges/<public_id>/wallet", methods=["GET", "POST"])
@require(Action.USE_BACKPACK)
@limiter.limit(OFFER_LIMIT, key_func=_learner_key, methods=["POST"])
def add(public_id: str):
    """Explain, then make a single-use wallet offer of the badge."""
    award = own_award(current_user, public_id)
    form = WalletOfferForm()
    if form.validate_on_submit():
        offer, _token = offers.create(award, current_user, ask_code=form.ask_code.data)
        db.session.commit()
        return redirect(url_for("wallet.offer", public_id=offer.public_id))
    return render_template(
        "wallet/add.html", award=award, form=form, text=award.achievement.text_in(str(get_locale()))
    ), (400 if form.errors else 200)


@bp.get("/my/wallet-offers/<public_id>")
@require(Action.USE_BACKPACK)
def offer(public_id: str):
    """The QR code any wallet can scan, and the buttons for a wallet on this phone."""
    found = own_wallet_offer(current_user, public_id)
    award = found.award
    text = award.achievement.text_in(str(get_locale()))
    if not found.is_live():
        return render_template("wallet/offer_gone.html", award=award, text=text), 410
    token = offers.token_of(found)
    url = offers.interaction_url(token)
    return render_template(
        "wallet/offer.html",
        offer=found,
        award=award,
        text=text,
        url=url,
        qr=qr_svg(url),
        lcw_link=offers.lcw_link(token),
        openid_link=offers.openid_offer_link(token),
        tx_code=offers.tx_code_of(found),
    )


@bp.get("/account/wallets")
@require(Action.USE_BACKPACK)
def copies_list():
    """The badges sent to wallet apps: which wallet (its DID) and when."""
    return render_template("wallet/copies.html", copies=copies.copies_of(current_user), locale=str(get_locale()))
