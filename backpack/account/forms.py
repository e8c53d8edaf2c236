from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, ValidationError
from wtforms.validators import InputRequired, Length


class RenamePasskeyForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(min=1, max=80)])


# The word a learner types to delete their account; the English word is always accepted too.
CONFIRM_WORD = _l("DELETE")


class DeleteAccountForm(FlaskForm):
    confirm = StringField(_l("Type the word to confirm"), validators=[InputRequired(), Length(max=40)])

    def validate_confirm(self, field):
        typed = (field.data or "").strip().casefold()
        if typed not in {str(CONFIRM_WORD).casefold(), "delete"}:
            raise ValidationError(_l("Type %(word)s to delete your account.", word=CONFIRM_WORD))
