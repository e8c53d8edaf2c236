from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length, Optional


class CeremonyForm(FlaskForm):
    """The browser's WebAuthn answer, sent as JSON with the CSRF token in a header."""

    credential = StringField(validators=[InputRequired(), Length(max=16_000)])
    invite = StringField(validators=[Optional(), Length(max=128)])
    # The browser's client hints, to name a new passkey after its device (see device_names).
    hints = StringField(validators=[Optional(), Length(max=1000)])


class StartRegistrationForm(FlaskForm):
    invite = StringField(validators=[Optional(), Length(max=128)])


class PlainForm(FlaskForm):
    """A button that changes state: only the CSRF token to check."""
