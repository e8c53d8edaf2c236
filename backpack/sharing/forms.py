from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired


class ShareForm(FlaskForm):
    expiry = RadioField(
        _l("The link works for"),
        choices=[
            SelectChoice("day", _l("1 day")),
            SelectChoice("week", _l("1 week")),
            SelectChoice("month", _l("1 month")),
            SelectChoice("never", _l("Until I stop it")),
        ],
        default="month",
        validators=[InputRequired()],
    )
    include_evidence = BooleanField(_l("Show my evidence too"))
