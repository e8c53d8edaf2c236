from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField


class WalletOfferForm(FlaskForm):
    ask_code = BooleanField(_l("Ask for a 6-digit code too (for wallets that scan from another phone)"))
