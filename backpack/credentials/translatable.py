"""Sentences for people, marked for translation without Flask.

`credentials/` stays pure, so its reasons are plain English marked with `_l` (imported as
`from .translatable import mark as _l`) for `pybabel extract`; the app translates them where
it shows them.
"""


def mark(message: str) -> str:
    """Mark a user-facing sentence for translation; return it unchanged."""
    return message
