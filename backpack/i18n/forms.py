from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice

from backpack.i18n.tags import language_tag


class LanguageForm(FlaskForm):
    """A language button's value; read with i18n.offered, so an unknown code falls back instead of failing."""

    language = StringField()


class InviteLanguageForm(FlaskForm):
    """The language a person's invite page opens in, chosen by the teacher or admin who makes it.

    Any value is accepted and read with i18n.offered: an unknown one gets the default, not an error.
    """

    language = SelectField(_l("Language of their invite"), validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = [
            SelectChoice(code, name, render_kw={"lang": language_tag(code)})
            for code, name in current_app.config["LANGUAGES"].items()
        ]
