"""Forms of the collection pages: every change is a plain POST that works without JavaScript."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, Optional

from backpack.learner.collections import DOWN, UP
from backpack.models.collection import NAME_LENGTH


class CollectionForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[InputRequired(message=_l("Give the collection a name.")), Length(max=NAME_LENGTH)],
        description=_l("For example: For my job interview"),
    )
    description = TextAreaField(_l("Description (optional)"), validators=[Optional(), Length(max=1000)])


class AddBadgeForm(FlaskForm):
    # Choices are listed for the page only; the policy checks what was sent is the learner's.
    award = SelectField(_l("Badge"), validators=[InputRequired()], validate_choice=False)


class AddEvidenceForm(FlaskForm):
    evidence = SelectField(_l("Evidence"), validators=[InputRequired()], validate_choice=False)


class MoveForm(FlaskForm):
    direction = StringField(validators=[AnyOf([UP, DOWN])])


class ShareableForm(FlaskForm):
    shareable = StringField(validators=[AnyOf(["yes", "no"])])
