"""The badge designer's preview: the server's own drawing of the teacher's choices, identical to the badge stored."""
import re
from urllib.parse import urlencode

import pytest
from sqlalchemy import event

from backpack.extensions import db
from backpack.issuing import badge_image, badge_preview
from backpack.models import Achievement, Role
from tests.issuing.test_badge_routes import create_issuer_and_badge


def preview(client, **choices):
    return client.get(f"/badges/design/preview.png?{urlencode(choices)}")


@pytest.mark.parametrize(
    "icon, colour, label",
    [("chat", "purple", "B1 Speaking"), ("trophy", "gold", ""), ("globe", "teal", "  العربية A1  "), ("heart", "red", "中文 A2")],
)
def test_the_preview_is_the_badge_image_that_gets_stored(app, signed_in, icon, colour, label):
    teacher = signed_in(Role.TEACHER)
    create_issuer_and_badge(teacher, name="First")  # the teacher's organisation

    shown = preview(teacher.client, icon=icon, colour=colour, label=label)
    assert shown.status_code == 200 and shown.mimetype == "image/png"
    assert "private" in shown.headers["Cache-Control"]
    badge_preview.designed_image.cache_clear()  # the stored image is drawn afresh, not taken from the preview's cache

    response = create_issuer_and_badge(
        teacher, name="Second", design_icon=icon, design_colour=colour, design_label=label
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    stored = db.session.scalar(db.select(Achievement.image_png).where(Achievement.name == "Second"))
    assert shown.data == stored
    assert stored == badge_image.design_badge(icon, colour, label.strip())


def test_other_choices_draw_another_picture(app, signed_in):
    teacher = signed_in(Role.TEACHER)
    create_issuer_and_badge(teacher)
    pictures = {
        preview(teacher.client, icon="star", colour="blue", label="ESL").data,
        preview(teacher.client, icon="book", colour="blue", label="ESL").data,
        preview(teacher.client, icon="star", colour="green", label="ESL").data,
        preview(teacher.client, icon="star", colour="blue", label="ESL 2").data,
    }
    assert len(pictures) == 4


@pytest.mark.parametrize(
    "choices, status, message",
    [
        ({"icon": "rocket", "colour": "blue"}, 400, "Choose an icon and a colour."),
        ({"icon": "star", "colour": "#ff0000"}, 400, "Choose an icon and a colour."),
        ({"colour": "blue"}, 400, "Choose an icon and a colour."),
        ({"icon": "star", "colour": "blue", "label": "x" * 25}, 422, "The label is too long. Use 24 letters or fewer."),
        ({"icon": "star", "colour": "blue", "label": "\U0001F600 A1"}, 422, "The label has letters the badge designer cannot draw yet."),
    ],
)
def test_choices_that_cannot_be_drawn_are_refused_with_words(app, signed_in, choices, status, message):
    teacher = signed_in(Role.TEACHER)
    response = preview(teacher.client, **choices)
    assert response.status_code == status
    assert response.mimetype == "text/plain"
    assert message in response.get_data(as_text=True)


def test_a_preview_writes_nothing_to_the_database(app, signed_in):
    teacher = signed_in(Role.TEACHER)
    create_issuer_and_badge(teacher)
    badges_before = db.session.scalar(db.select(db.func.count(Achievement.id)))
    writes = []

    def note(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE", "REPLACE"}:
            writes.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        assert preview(teacher.client, icon="book", colour="green", label="New words").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert writes == []
    assert db.session.scalar(db.select(db.func.count(Achievement.id))) == badges_before


def test_only_teachers_see_previews(app, signed_in, client):
    for role in (Role.LEARNER, Role.ADMIN):
        assert preview(signed_in(role).client, icon="star", colour="blue").status_code == 403
    anonymous = preview(client, icon="star", colour="blue")
    assert anonymous.status_code == 302 and "/signin" in anonymous.headers["Location"]


def test_previews_are_rate_limited(app, signed_in):
    teacher = signed_in(Role.TEACHER)
    statuses = [preview(teacher.client, icon="star", colour="blue", label="A").status_code for _ in range(121)]
    assert statuses[:120] == [200] * 120
    assert statuses[120] == 429


def test_icons_are_offered_as_pictures_with_their_words(app, signed_in):
    teacher = signed_in(Role.TEACHER)
    create_issuer_and_badge(teacher)
    page = teacher.client.get("/badges/new").get_data(as_text=True)
    for key, word in badge_image.ICONS.items():
        choice = re.search(
            rf'<label class="icon-choice"><input[^>]*value="{key}"[^>]*>(<svg .*?</svg>)<span>{word}</span></label>', page
        )
        assert choice, f"no picture for {key}"
        assert 'aria-hidden="true"' in choice.group(1)  # the word names the choice; the picture shows it
    # Without script every step shows; each says where it is.
    assert [int(n) for n in re.findall(r"Step (\d) of 5", page)] == [1, 2, 3, 4, 5]
    assert page.count("data-step ") + page.count("data-step>") == 5
    # The first preview is of the choices the form starts with.
    assert 'src="/badges/design/preview.png?icon=star&amp;colour=blue&amp;label="' in page
