"""Account forms: renaming a passkey, deleting the account."""
import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, ValidationError
from wtforms.validators import DataRequired, InputRequired, Length

PASSKEY_NAME_MAX = 80  # Passkey.name's column


def _tidy_name(text):
    """Keep a name on one line: runs of spaces and line breaks become one space, control characters go."""
    if not text:
        return text
    return " ".join("".join(ch for ch in text if ch.isprintable() or ch.isspace()).split())


class RenamePasskeyForm(FlaskForm):
    name = StringField(
        _l("Name"),
        filters=[_tidy_name],
        validators=[
            DataRequired(_l("Please give the passkey a name, such as “My phone”.")),
            Length(max=PASSKEY_NAME_MAX, message=_l("Use %(max)d letters or fewer.", max=PASSKEY_NAME_MAX)),
        ],
    )


# The word a learner types to delete their account; the English word is always accepted too.
CONFIRM_WORD = _l("DELETE")


def _plain(word: str) -> str:
    """The word without case or accents: phones place and compose accents differently ("XÓA", "XOÁ")."""
    decomposed = unicodedata.normalize("NFD", word.strip())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


class DeleteAccountForm(FlaskForm):
    confirm = StringField(_l("Type the word to confirm"), validators=[InputRequired(), Length(max=40)])

    def validate_confirm(self, field):
        typed = _plain(field.data or "")
        if typed not in {_plain(str(CONFIRM_WORD)), "delete"}:
            raise ValidationError(_l("Type %(word)s to delete your account.", word=CONFIRM_WORD))
