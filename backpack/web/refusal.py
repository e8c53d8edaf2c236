"""Refusals: an action that cannot be done, with a reason the person reads in their language."""


class Refusal(Exception):
    """Base of every domain error that is shown to the person, with its HTTP status."""

    status = 400

    def __init__(self, message, status: int | None = None):
        super().__init__(str(message))
        self.message = message
        if status is not None:
            self.status = status
