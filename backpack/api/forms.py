from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import AnyOf, InputRequired


class ConsentForm(FlaskForm):
    """The learner's answer on the consent page: which of the two buttons they pressed."""

    decision = StringField(validators=[InputRequired(), AnyOf(["allow", "deny"])])
