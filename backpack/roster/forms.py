from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, TelField
from wtforms.validators import Email, InputRequired, Length, Optional, Regexp

from backpack.i18n.forms import InviteLanguageForm


class ClassroomForm(FlaskForm):
    name = StringField(_l("Class name"), validators=[InputRequired(), Length(max=120)])


class PersonForm(InviteLanguageForm):
    """A person added by a teacher (a learner) or an admin (a teacher): name, optional contacts, their invite's language."""

    display_name = StringField(_l("Name"), validators=[InputRequired(), Length(max=120)])
    email = EmailField(_l("E-mail (optional)"), validators=[Optional(), Email(), Length(max=254)])
    phone = TelField(
        _l("Phone (optional)"),
        validators=[
            Optional(),
            Length(max=32),
            Regexp(r"^\+?[0-9 ()\-]{5,31}$", message=_l("Use digits, spaces and an optional +.")),
        ],
    )


class MoveLearnerForm(FlaskForm):
    classroom = SelectField(_l("Move to class"), coerce=int, validators=[InputRequired()])
