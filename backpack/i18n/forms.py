from flask import current_app
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import InputRequired


class LanguageForm(FlaskForm):
    language = SelectField(validators=[InputRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = list(current_app.config["LANGUAGES"].items())
