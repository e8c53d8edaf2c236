"""Forms of submissions: the learner's (items + reflection) and the teacher's feedback."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import SelectMultipleField, TextAreaField
from wtforms.validators import Length, Optional

from backpack.evidence.forms import MAX_REFLECTION


class SubmissionForm(FlaskForm):
    # Choices are not checked by the form: the service refuses another person's item with a
    # clear message, and stores nothing.
    evidence = SelectMultipleField(_l("Evidence to send"), choices=[], validate_choice=False)
    reflection = TextAreaField(
        _l("Your reflection: what did you do, and what did you learn?"),
        validators=[Optional(), Length(max=MAX_REFLECTION)],
    )


class FeedbackForm(FlaskForm):
    """Written feedback, a voice message, or both: at least one of them."""

    feedback = TextAreaField(
        _l("Feedback for the learner"),
        filters=[lambda text: text.strip() if text else text],
        validators=[Optional(), Length(max=MAX_REFLECTION)],
    )
    # The recorder on the page puts its recording here; without script, the teacher picks a file.
    audio = FileField(_l("Voice message"), render_kw={"accept": "audio/*"})

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not self.feedback.data and not self.has_audio:
            self.feedback.errors.append(_l("Please write what the learner should do next, or record a voice message."))
            return False
        return True

    @property
    def has_audio(self) -> bool:
        return isinstance(self.audio.data, FileStorage) and bool(self.audio.data.filename)
