"""The card a teacher or admin shows a person: their fresh invite link and its QR code."""
from flask import render_template

from backpack.auth import invites


def render_invite_card(person, *, new_invite_url: str, back_url: str):
    """Show a person's fresh invite link and QR code to the teacher or admin who made it."""
    token = invites.displayable(person)
    link = invites.link(token) if token else None
    return render_template(
        "auth/invite_card.html",
        person=person,
        link=link,
        qr=invites.qr_svg(link) if link else None,
        invite=invites.open_invite_of(person),
        new_invite_url=new_invite_url,
        back_url=back_url,
    )
