"""The upload form, used by the page's plain form and by the capture script's fetch alike."""
import uuid
from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

MAX_REFLECTION = 4000
# Phone clocks drift; a capture time further ahead than this is a wrong clock or a lie.
CLOCK_SLACK = timedelta(days=1)


class EvidenceForm(FlaskForm):
    file = FileField(
        _l("Photo, video or sound recording"),
        validators=[FileRequired(_l("Please choose a photo, video or sound recording."))],
        render_kw={"accept": "image/*,video/*,audio/*", "capture": True},
    )
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    reflection = TextAreaField(
        _l("What did you do, and what did you learn?"),
        validators=[Optional(), Length(max=MAX_REFLECTION)],
    )
    # Made by the phone for each captured item (or by the page for the plain form), so a
    # retried or doubled upload is stored once.
    idempotency_key = HiddenField(validators=[InputRequired()])
    captured_at = HiddenField(validators=[Optional(), Length(max=40)])

    def validate_idempotency_key(self, field):
        try:
            field.data = str(uuid.UUID(field.data))
        except (TypeError, ValueError):
            raise ValidationError(_l("This upload has no valid key. Please reload the page.")) from None

    def validate_captured_at(self, field):
        field.data = parse_captured_at(field.data)


def parse_captured_at(value: str | None) -> datetime | None:
    """Return an ISO 8601 capture time as aware UTC (no zone means UTC), or refuse it."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(_l("The capture time is not a valid date.")) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    if moment > datetime.now(UTC) + CLOCK_SLACK:
        raise ValidationError(_l("The capture time is in the future. Please check the phone's clock."))
    return moment


def new_idempotency_key() -> str:
    return str(uuid.uuid4())
