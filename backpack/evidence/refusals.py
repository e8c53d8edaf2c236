"""Why an uploaded file is refused, in words the learner reads in their language."""
from flask_babel import lazy_gettext as _l

from backpack.web.refusal import Refusal

MEGABYTE = 1024 * 1024


class MediaRefused(Refusal):
    """Base of every refusal of an uploaded file; nothing of it is stored."""

    default_message = _l("We could not take this file. Please try another one.")

    def __init__(self, message=None):
        super().__init__(message or self.default_message)


class TooLarge(MediaRefused):
    status = 413
    default_message = _l("This file is too large.")

    @classmethod
    def over(cls, limit_bytes: int) -> "TooLarge":
        """Refuse a file over the limit, naming the limit in megabytes."""
        megabytes = max(1, limit_bytes // MEGABYTE)
        return cls(_l("This file is too large. Please choose one under %(megabytes)d MB.", megabytes=megabytes))


class TooManyPixels(TooLarge):
    default_message = _l("This picture has too many pixels. Please take a smaller one.")


class TooLong(MediaRefused):
    status = 413

    @classmethod
    def over(cls, limit_seconds: int) -> "TooLong":
        """Refuse a recording over the limit, naming the limit in minutes."""
        minutes = max(1, limit_seconds // 60)
        return cls(_l("This recording is too long. Please keep it under %(minutes)d minutes.", minutes=minutes))


class Unsupported(MediaRefused):
    status = 415
    default_message = _l(
        "We cannot take this kind of file. Please send a photo (JPEG, PNG or WebP), a video "
        "(MP4, MOV or WebM), a sound recording (M4A, MP3, Ogg or WebM) or a PDF."
    )


class Broken(MediaRefused):
    status = 400
    default_message = _l(
        "We could not read this file. It may be damaged or only partly sent. Please try again."
    )


class NoRoom(MediaRefused):
    """The media store cannot keep anything now: the phone's queue keeps the item and sends it later."""

    status = 507
    default_message = _l("There is no space to keep this right now. It stays on your phone and will be sent later.")

    # The plain form (no script) has no queue on the phone to keep the file.
    without_queue = _l("There is no space to keep this right now. Please try again later.")
