"""Turn the badge form into an achievement: image designed or uploaded, skills, translations."""
from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

from backpack.issuing import badge_image, badge_preview
from backpack.issuing.badge_image import BadgeImageError

IMAGE_ERRORS = {
    "too-large": _l("This image is too large. Please choose one under 5 MB."),
    "not-an-image": _l("This file is not an image we can read. Please use PNG, JPEG or SVG."),
    "too-many-pixels": _l("This image has too many pixels. Please choose a smaller one."),
    "unsupported": _l("This kind of image is not supported. Please use PNG, JPEG or SVG."),
    "too-long": _l("The label is too long. Use 24 letters or fewer."),
    "missing": _l("Please choose an image file."),
    "unsupported-characters": _l("The label has letters the badge designer cannot draw yet. Please change it."),
}


COLOUR_NAMES = {
    "blue": _l("Blue"),
    "teal": _l("Teal"),
    "green": _l("Green"),
    "gold": _l("Gold"),
    "orange": _l("Orange"),
    "red": _l("Red"),
    "pink": _l("Pink"),
    "purple": _l("Purple"),
}


def image_error_message(error: BadgeImageError) -> str:
    return str(IMAGE_ERRORS.get(error.reason, IMAGE_ERRORS["not-an-image"]))


def read_logo(upload) -> bytes | None:
    """Return the uploaded logo as a safe square PNG, or None when there is none."""
    if not upload or not getattr(upload, "filename", ""):
        return None
    return badge_image.normalise_upload(upload.read())


def prepare_achievement_form(form, issuers, badges, learners=()):
    """Fill the form's choices: the teacher's issuers, icons, colours, badges to stack, the learners' languages."""
    form.translations.form.wanted = reader_languages(learners)
    form.issuer.choices = [SelectChoice(issuer.id, issuer.name) for issuer in issuers]
    form.design_icon.choices = [SelectChoice(key, name) for key, name in badge_image.ICONS.items()]
    form.design_colour.choices = [
        SelectChoice(key, COLOUR_NAMES.get(key, key)) for key in badge_image.COLOURS
    ]
    if form.design_icon.data is None:
        form.design_icon.data = next(iter(badge_image.ICONS))
    if form.design_colour.data is None:
        form.design_colour.data = next(iter(badge_image.COLOURS))
    form.required.choices = [SelectChoice(badge.id, badge.name) for badge in badges]
    return form


def _image(form) -> bytes:
    if form.image_source.data == "upload":
        upload = form.image.data
        if not upload or not getattr(upload, "filename", ""):
            raise BadgeImageError("missing")
        return badge_image.normalise_upload(upload.read())
    return badge_preview.designed_image(form.design_icon.data, form.design_colour.data, form.design_label.data or "")


def _alignments(form) -> list[dict]:
    rows = []
    for entry in form.alignments.entries:
        data = entry.form.data
        if data["name"] and data["url"]:
            rows.append({key: (data[key] or "").strip() for key in ("name", "framework", "url", "code")})
    return rows


def translations_from(form, existing: dict | None = None) -> dict:
    """Return the badge's translations as the teacher left them in the TranslationsForm.

    An empty field means "show the original", so it is not stored; a language with no text at all
    is dropped. Languages the form does not show (the badge's own, one no longer offered) are kept.
    """
    found = {code: texts for code, texts in (existing or {}).items() if code not in form.form}
    for sub in form:
        texts = {key: (value or "").strip() for key, value in sub.data.items()}
        if any(texts.values()):
            found[sub.short_name] = {key: value for key, value in texts.items() if value}
    return found


def reader_languages(learners) -> set[str]:
    """Return the languages the learners chose to read the app in."""
    offered = current_app.config["LANGUAGES"]
    return {learner.preferred_language for learner in learners if learner.preferred_language in offered}


def achievement_fields(form, badges, language: str) -> dict:
    """Return the keyword arguments for create_achievement, plus 'required' badges."""
    chosen = set(form.required.data or [])
    return {
        "name": form.name.data,
        "description": form.description.data,
        "criteria": form.criteria.data,
        "image_png": _image(form),
        "alignments": _alignments(form),
        "tags": [tag.strip() for tag in (form.tags.data or "").split(",") if tag.strip()][:20],
        "validity_days": form.validity_days.data or None,
        "translations": translations_from(form.translations),
        "language": language,
        "required": [badge for badge in badges if badge.id in chosen],
    }
