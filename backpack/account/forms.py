from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length


class RenamePasskeyForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(min=1, max=80)])
