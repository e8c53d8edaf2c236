"""The card a teacher or admin shows a person: their fresh invite link and its QR code."""
from flask import render_template
from flask_babel import force_locale, get_locale
from markupsafe import Markup

from backpack import i18n
from backpack.auth import invites
from backpack.i18n.forms import InviteLanguageForm


def render_invite_card(person, *, new_invite_url: str, back_url: str):
    """Show a person's fresh invite link and QR code to the teacher or admin who made it.

    What the person reads on the card is in their invite's language, as their invite page is.
    """
    token = invites.displayable(person)
    link = invites.link(token) if token else None
    invite = invites.open_invite_of(person)
    language = i18n.offered(invite.language if invite else None) or str(get_locale())
    card = None
    if link:
        with force_locale(language):
            # Rendered (and escaped) by our own template: safe to put in the page.
            card = Markup(render_template(
                "auth/_invite_card_text.html", link=link, qr=invites.qr_svg(link), invite=invite, language=language
            ))
    form = InviteLanguageForm(language=i18n.offered(invites.usual_language(person)) or str(get_locale()))
    return render_template(
        "auth/invite_card.html",
        person=person,
        link=link,
        card=card,
        invite=invite,
        form=form,
        new_invite_url=new_invite_url,
        back_url=back_url,
    )
