from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from backpack.notify.subscriptions import MAX_JSON_CHARS


class SubscribeForm(FlaskForm):
    """The browser's PushSubscription as JSON, sent with the CSRF token in a header."""

    subscription = StringField(validators=[InputRequired(), Length(max=MAX_JSON_CHARS)])
