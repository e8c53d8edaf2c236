"""The notifications page: why, turn on for this device, list devices, test, turn off."""
from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from backpack.auth.forms import PlainForm
from backpack.auth.policy import Action, own_push_subscription, require
from backpack.extensions import db, limiter
from backpack.notify import bp, subscriptions
from backpack.notify.events import enqueue_for
from backpack.notify.forms import SubscribeForm


@bp.get("/notifications")
@require(Action.MANAGE_ACCOUNT)
def settings():
    return render_template(
        "notify/settings.html",
        devices=subscriptions.devices_of(current_user),
        this_device=subscriptions.this_device_id(),
        public_key=current_app.extensions["notify"].vapid.public_key,
        added=request.args.get("added", type=int),
    )


@bp.post("/notifications/subscribe")
@require(Action.MANAGE_ACCOUNT)
@limiter.limit("30 per hour")
def subscribe():
    """Store the subscription the page's script made after the person pressed the button."""
    form = SubscribeForm()
    if not form.validate_on_submit():
        return jsonify(error=_("Something in the request was not right. Please try again.")), 400
    info = subscriptions.parse(form.subscription.data)
    label = subscriptions.device_label(request.headers.get("User-Agent", ""))
    try:
        device, created = subscriptions.save(current_user, info, label)
        db.session.commit()
    except IntegrityError:  # the same phone subscribed twice at once: the other request won
        db.session.rollback()
        abort(409)
    return jsonify(id=device.id, redirect=url_for("notify.settings", added=device.id)), 201 if created else 200


@bp.post("/notifications/<int:subscription_id>/test")
@require(Action.MANAGE_ACCOUNT)
@limiter.limit("5 per minute")
def send_test(subscription_id: int):
    device = own_push_subscription(current_user, subscription_id)
    if not PlainForm().validate_on_submit():
        abort(400)
    enqueue_for(current_user, "test", subscription=device)
    db.session.commit()
    flash(_("Test sent. It should arrive on %(device)s in a few seconds.", device=device.label), "success")
    return redirect(url_for("notify.settings"))


@bp.post("/notifications/<int:subscription_id>/remove")
@require(Action.MANAGE_ACCOUNT)
def remove(subscription_id: int):
    device = own_push_subscription(current_user, subscription_id)
    if not PlainForm().validate_on_submit():
        abort(400)
    subscriptions.remove(device)
    db.session.commit()
    flash(_("Notifications are off for %(device)s.", device=device.label), "success")
    return redirect(url_for("notify.settings"))
