"""Forms for issuers, badges, awards, claim codes and revocation."""
from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    EmailField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, Email, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from backpack.issuing.badge_designer import COLOURS, ICONS
from backpack.models.achievement import language_tag

MAX_TEXT = 4000


class CheckboxList(SelectMultipleField):
    """A list of checkboxes: easier to tap on a phone than a multi-select."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class IssuerForm(FlaskForm):
    name = StringField(_l("Organisation name"), validators=[InputRequired(), Length(max=200)])
    url = URLField(_l("Web address"), validators=[Optional(), URL(require_tld=False), Length(max=500)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(), Length(max=254)])
    description = TextAreaField(_l("About the organisation"), validators=[Optional(), Length(max=MAX_TEXT)])
    logo = FileField(_l("Logo (optional)"))


class AlignmentForm(Form):
    name = StringField(_l("Skill"), validators=[Optional(), Length(max=200)])
    framework = StringField(_l("Framework"), validators=[Optional(), Length(max=200)])
    url = URLField(_l("Link to the skill"), validators=[Optional(), URL(require_tld=False), Length(max=500)])
    code = StringField(_l("Code"), validators=[Optional(), Length(max=50)])


class TranslationForm(Form):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=MAX_TEXT)])
    criteria = TextAreaField(_l("How to earn it"), validators=[Optional(), Length(max=MAX_TEXT)])


class TranslationsForm(Form):
    """One TranslationForm per language the app offers, except the badge's own (by default the teacher's).

    The fields come from the LANGUAGES setting, so a language added there is offered here too.
    """

    def __init__(self, *args, own_language: str | None = None, **kwargs):
        self.own_language = own_language or str(get_locale())
        # Languages the teacher's learners read; the view fills it in (badge_making.reader_languages).
        self.wanted: set[str] = set()
        # WTForms builds a form from _unbound_fields; set per instance, as the languages are settings.
        self._unbound_fields = [
            (code, FormField(TranslationForm, label=name))
            for code, name in current_app.config["LANGUAGES"].items()
            if code != self.own_language
        ]
        super().__init__(*args, **kwargs)

    def blocks(self, existing: dict | None = None) -> list[dict]:
        """Return a block per language, those the learners read with no translation yet first (shown open).

        Each block says its BCP 47 tag and direction, so the teacher types in the right script and direction.
        """
        rtl = current_app.config["RTL_LANGUAGES"]
        saved = existing or {}
        blocks = []
        for sub in self:
            code = sub.short_name
            words = {key: (value or "").strip() for key, value in sub.data.items()}
            typed = any(words.values())
            has_text = bool(saved.get(code)) or typed
            needed = code in self.wanted and not has_text
            blocks.append({
                "code": code,
                "field": sub,
                "lang": language_tag(code),
                "dir": "rtl" if code in rtl else "ltr",
                "needed": needed,
                # Words typed but not saved yet (the form came back with an error) stay in sight.
                "open": needed or bool(sub.errors) or (typed and words != _saved_words(saved.get(code))),
                "has_text": has_text,
            })
        return sorted(blocks, key=lambda block: not block["needed"])


def _saved_words(texts: dict | None) -> dict:
    """Return stored translation words as the form's data reads them."""
    return {key: (texts or {}).get(key) or "" for key in ("name", "description", "criteria")}


class BadgeTranslationsForm(FlaskForm):
    """The translations of a badge that already exists (its original words and credentials stay as issued)."""

    translations = FormField(TranslationsForm)


VALIDITY_CHOICES = [
    SelectChoice(0, _l("Never expires")),
    SelectChoice(183, _l("6 months")),
    SelectChoice(365, _l("1 year")),
    SelectChoice(730, _l("2 years")),
    SelectChoice(1095, _l("3 years")),
    SelectChoice(1826, _l("5 years")),
]


class AchievementForm(FlaskForm):
    issuer = SelectField(_l("Issued by"), coerce=int, validators=[InputRequired()])
    name = StringField(_l("Badge name"), validators=[InputRequired(), Length(max=200)])
    description = TextAreaField(_l("What it certifies"), validators=[InputRequired(), Length(max=MAX_TEXT)])
    criteria = TextAreaField(_l("How to earn it"), validators=[InputRequired(), Length(max=MAX_TEXT)])
    image_source = RadioField(
        _l("Badge image"),
        choices=[SelectChoice("design", _l("Design it here")), SelectChoice("upload", _l("Upload an image"))],
        default="design",
    )
    design_icon = RadioField(_l("Icon"), validators=[Optional()])
    design_colour = RadioField(_l("Colour"), validators=[Optional()])
    design_label = StringField(_l("Short label on the badge"), validators=[Optional(), Length(max=24)])
    image = FileField(_l("Image file (PNG, JPEG or SVG)"))
    alignments = FieldList(FormField(AlignmentForm), min_entries=2, max_entries=10)
    tags = StringField(_l("Tags, separated by commas"), validators=[Optional(), Length(max=300)])
    validity_days = SelectField(_l("Expires"), coerce=int, choices=VALIDITY_CHOICES, default=0)
    required = CheckboxList(_l("Earned automatically when the learner holds all of these"), coerce=int)
    translations = FormField(TranslationsForm)


class AwardForm(FlaskForm):
    learners = CheckboxList(_l("Learners"), coerce=int)
    whole_class = SelectField(_l("Or a whole class"), coerce=int, validators=[Optional()])
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=1000)])
    evidence_url = URLField(
        _l("Link to evidence (optional)"), validators=[Optional(), URL(require_tld=False), Length(max=500)]
    )


class ClaimCodeForm(FlaskForm):
    minutes = SelectField(
        _l("Valid for"),
        coerce=int,
        choices=[
            SelectChoice(5, _l("5 minutes")),
            SelectChoice(10, _l("10 minutes")),
            SelectChoice(30, _l("30 minutes")),
            SelectChoice(60, _l("1 hour")),
        ],
        default=10,
    )
    max_uses = IntegerField(_l("How many learners"), default=30, validators=[InputRequired(), NumberRange(1, 500)])


class ClaimForm(FlaskForm):
    code = StringField(_l("Code from your teacher"), validators=[InputRequired(), Length(min=4, max=20)])


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Reason (the learner and employers will see it)"), validators=[InputRequired(), Length(max=500)])


class DesignChoicesForm(Form):
    """The designer's choices for a preview, read from the query string: a GET that stores nothing."""

    icon = SelectField(choices=list(ICONS), validators=[InputRequired()])
    colour = SelectField(choices=list(COLOURS), validators=[InputRequired()])
    # Longer than a badge allows, so the designer's own "too long" message is the one shown.
    label = StringField(validators=[Optional(), Length(max=200)])
