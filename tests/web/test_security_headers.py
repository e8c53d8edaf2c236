"""Every response carries the security headers; cookies are locked down."""
from backpack.models import Role


def test_strict_csp_and_friends_on_pages(client):
    response = client.get("/signin")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "private, no-store"


def test_hsts_only_over_https(app, client):
    assert "max-age=" in client.get("/signin").headers["Strict-Transport-Security"]
    plain = app.test_client().get("/signin", base_url="http://localhost")
    assert "Strict-Transport-Security" not in plain.headers


def test_pages_have_no_inline_script(client, signed_in):
    teacher = signed_in(Role.TEACHER)
    for page in (client.get("/signin"), client.get("/language"), teacher.client.get("/classes")):
        html = page.get_data(as_text=True)
        assert "<script>" not in html
        assert "<script " not in html.replace('<script type="module" src=', "")
        assert " on" + "click=" not in html


def test_session_cookie_is_secure_httponly_lax(client):
    client.get("/signin")
    cookie = client.get_cookie("session")
    assert cookie.secure and cookie.http_only and cookie.same_site == "Lax"


def test_scripted_pages_keep_every_header_and_pictures_get_only_nosniff(client):
    page = client.get("/signin")
    assert "camera=(self)" in page.headers["Permissions-Policy"]
    assert page.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    icon = client.get("/static/icons/icon-192.png")
    assert icon.status_code == 200 and icon.mimetype == "image/png"
    assert icon.headers["X-Content-Type-Options"] == "nosniff"
    for header in ("Content-Security-Policy", "Permissions-Policy", "X-Frame-Options", "Cross-Origin-Opener-Policy"):
        assert header not in icon.headers
