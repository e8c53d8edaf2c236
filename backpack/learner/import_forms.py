"""The form that brings in a badge from elsewhere: a file, an address, or pasted text."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional

from backpack.learner.badge_reading import MAX_JSON_BYTES
from backpack.web.outbound import MAX_URL_LENGTH


class ImportForm(FlaskForm):
    badge_file = FileField(_l("A badge file (PNG, SVG or JSON)"), render_kw={"accept": ".png,.svg,.json,.jwt"})
    url = StringField(
        _l("Or the badge's web address"),
        validators=[Optional(), Length(max=MAX_URL_LENGTH)],
        render_kw={"inputmode": "url", "placeholder": "https://"},
    )
    pasted = TextAreaField(
        _l("Or paste the badge (JSON or JWT)"), validators=[Optional(), Length(max=MAX_JSON_BYTES)], render_kw={"rows": 4}
    )
