"""Forms of submissions: the learner's (items + reflection) and the teacher's feedback."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

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
    feedback = TextAreaField(
        _l("Feedback for the learner"),
        filters=[lambda text: text.strip() if text else text],
        validators=[DataRequired(_l("Please write what the learner should do next.")), Length(max=MAX_REFLECTION)],
    )
