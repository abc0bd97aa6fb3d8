"""CSRF on every POST, security headers on every kind of response, cookie flags, production settings.

security.md C1, C2, H1-H3, H6, H7, S6; architecture.md §2.5.
"""

from __future__ import annotations

import pytest

from stations import create_app
from stations.config import TestConfig
from stations.extensions import db
from tests.access.test_routes_by_role import ROUTES, public, url_for_endpoint
from tests.helpers.suite import csrf_token_from, htmx_headers

# Blueprints exempt from the app-wide CSRF check, and why (security.md C4). A new exemption fails
# test_csrf_exemptions_are_the_documented_ones until it is listed here with its reason.
CSRF_EXEMPT_BLUEPRINTS = {
    "api": "checks X-CSRFToken itself for session-authenticated calls; bearer calls carry no cookie",
    "open311": "machine clients authenticated by api_key, never by the session cookie",
    "federation": "partner districts' servers, authenticated by the HMAC signature (docs/federation.md), no session",
}


def exempt_endpoints(app) -> set[str]:
    from stations.extensions import csrf

    names = {bp.name for bp in csrf._exempt_blueprints}
    views = set(csrf._exempt_views)
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] in names
        or f"{app.view_functions[rule.endpoint].__module__}.{app.view_functions[rule.endpoint].__name__}" in views
    }


def any_url(app, endpoint: str) -> str:
    """The access table's URL, or (for an endpoint it does not list yet) one with placeholder arguments:
    the CSRF check runs before the view, so the values do not matter."""
    if endpoint in ROUTES:
        return url_for_endpoint(app, endpoint)
    from werkzeug.routing.converters import AnyConverter, IntegerConverter

    rule = next(app.url_map.iter_rules(endpoint=endpoint))
    args = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            args[name] = 1
        elif isinstance(converter, AnyConverter):
            args[name] = sorted(converter.items)[0]
        else:
            args[name] = "X1"
    return url_for_endpoint(app, endpoint, public(args=args))


def post_endpoints(app) -> list[str]:
    return sorted(rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods)


def test_csrf_exemptions_are_the_documented_ones():
    from stations.extensions import csrf

    assert {bp.name for bp in csrf._exempt_blueprints} <= set(CSRF_EXEMPT_BLUEPRINTS)
    assert not csrf._exempt_views, f"views exempt from CSRF: {csrf._exempt_views}"


def test_csrf_tokens_do_not_expire(app):
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None
    assert app.config.get("WTF_CSRF_ENABLED", True) is True


def test_there_are_post_routes_to_check(app):
    assert {"auth.login", "auth.logout", "admin.user_new", "admin.scope_add"} <= set(post_endpoints(app))


@pytest.mark.parametrize("identity", ["anonymous", "admin", "staff-ll"])
def test_every_post_route_refuses_a_request_without_token(app, login_as, identity):
    """C1: 400 for every POST in the url_map, before any view runs.

    The exempt machine endpoints must still refuse a cookie-only write (a 4xx, never a success): the API
    answers 400 for a session call without the header and 401 with neither session nor token (contract.md);
    Open311 wants its api_key.
    """
    client = app.test_client() if identity == "anonymous" else login_as(identity)
    exempt = exempt_endpoints(app)
    wrong = []
    for endpoint in post_endpoints(app):
        url = any_url(app, endpoint)
        response = client.post(url, data={"username": "x", "password": "y"})
        if endpoint in exempt:
            if not 400 <= response.status_code < 500:
                wrong.append(f"{endpoint} {url} (exempt): {response.status_code}")
            elif endpoint.startswith("api.") and identity != "anonymous" and response.status_code != 400:
                wrong.append(f"{endpoint} {url}: {response.status_code}, a session call without token must be 400")
        elif response.status_code != 400:
            wrong.append(f"{endpoint} {url}: {response.status_code}")
    assert not wrong, wrong


def test_token_of_another_session_is_refused(app, login_as):
    admin = login_as("admin")
    other = app.test_client()
    foreign = csrf_token_from(other, "/login")
    response = admin.post("/logout", data={"csrf_token": foreign})
    assert response.status_code == 400
    assert admin.get("/admin/").status_code == 200  # still signed in


def test_csrf_failure_as_htmx_is_a_flash_fragment(login_as):
    admin = login_as("admin")
    response = admin.post("/admin/calendar/toggle", data={"day": "2026-05-01"}, headers=htmx_headers("month-2026-05"))
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#flash"
    assert "<html" not in response.get_data(as_text=True)


def test_token_in_the_x_csrftoken_header_alone_is_accepted(login_as):
    """C2: htmx sends the token from hx-headers on #app; no form field needed."""
    client = login_as("staff-ll")
    token = csrf_token_from(client, "/home")
    response = client.post("/logout", headers={"X-CSRFToken": token})
    assert response.status_code == 303
    assert client.get("/home").status_code == 302


def test_hx_headers_carry_the_token_on_every_page(login_as):
    body = login_as("admin").get("/admin/").get_data(as_text=True)
    assert '<div id="app" hx-headers=\'{"X-CSRFToken": "' in body


# --- headers on every kind of response ----------------------------------------------------------------


def assert_security_headers(response, what: str) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "script-src 'self'"):
        assert directive in csp, f"{what}: CSP lacks {directive}"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, what
    assert response.headers.get("X-Content-Type-Options") == "nosniff", what
    assert response.headers.get("X-Frame-Options") == "DENY", what
    assert response.headers.get("Referrer-Policy"), what


def test_security_headers_on_every_kind_of_response(app, client, login_as, monkeypatch):
    admin = login_as("admin")
    responses = {
        "html page": client.get("/login"),
        "htmx fragment": client.get("/login", headers=htmx_headers("login-form")),
        "json": client.get("/healthz"),
        "json api": client.get("/api/v1/stations"),
        "404 page": client.get("/no-such-page"),
        "404 htmx": client.get("/no-such-page", headers=htmx_headers("app")),
        "404 json": client.get("/api/v1/no-such-thing"),
        "405": client.get("/logout"),
        "400 csrf": client.post("/login", data={}),
        "403": login_as("staff-ll").get("/admin/"),
        "422 form": admin.post(
            "/admin/users/new", data={"csrf_token": csrf_token_from(admin, "/admin/users/new"), "username": "A"}
        ),
        "redirect": client.get("/home"),
        "static file": client.get("/static/css/app.css"),
        "signed-in page": admin.get("/admin/calendar"),
    }

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "health.healthz", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # as in production (TESTING propagates)
    responses["500"] = client.get("/healthz")
    assert responses["500"].status_code == 500
    assert "boom" not in responses["500"].get_data(as_text=True)  # a generic page, no traceback (H6)
    assert responses["htmx fragment"].status_code == 200
    assert "<html" not in responses["htmx fragment"].get_data(as_text=True)
    assert responses["403"].status_code == 403 and responses["422 form"].status_code == 422
    for what, response in responses.items():
        assert_security_headers(response, what)


def test_pages_are_not_cached(login_as):
    response = login_as("admin").get("/admin/users")
    assert "no-store" in response.headers["Cache-Control"]
    assert response.mimetype == "text/html" and response.mimetype_params.get("charset") == "utf-8"


def test_session_cookie_is_httponly_and_samesite_lax(client):
    client.get("/login")
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"


# --- production settings ------------------------------------------------------------------------------


def production_config(url: str) -> dict:
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper() and k not in ("SECRET_KEY", "ENV_NAME")}
    config.update(SQLALCHEMY_DATABASE_URI=url, RATELIMIT_ENABLED=False, TESTING=False)
    return config


DATA_KEY = "q3Jc0a7qkYb0ZkQ3m6R8m2n5xW0s9Vt1u4Lh7Pp2fE8="  # a Fernet key for the production apps below


def test_production_refuses_to_start_without_secret_key(app, monkeypatch):
    monkeypatch.setenv("STATIONS_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("STATIONS_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(production_config(app.config["SQLALCHEMY_DATABASE_URI"]))


@pytest.fixture
def production_app(app, monkeypatch, tmp_path):
    """On a database of its own: a production start refuses the suite's demo database (tests/security/
    test_demo_guard.py)."""
    monkeypatch.setenv("STATIONS_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-production-key-from-the-environment-0123456789")
    config = production_config(f"sqlite:///{tmp_path / 'production.db'}")
    application = create_app({**config, "DATA_KEY": DATA_KEY})  # required in production (issue 20)
    with application.app_context():
        db.metadata.create_all(db.engine)
    yield application
    with application.app_context():
        db.engine.dispose()


def test_production_cookie_and_hsts(production_app):
    """S6 and H3: Secure, HttpOnly, SameSite=Lax, the __Host- prefix (so Path=/ and no Domain), HSTS."""
    assert production_app.config["ENV_NAME"] == "production"
    assert production_app.debug is False
    assert production_app.config["SECRET_KEY"] == "a-production-key-from-the-environment-0123456789"
    response = production_app.test_client().get("/login")
    assert response.status_code == 200
    set_cookie = response.headers["Set-Cookie"]
    assert set_cookie.startswith("__Host-session=")
    for attribute in ("Secure", "HttpOnly", "Path=/", "SameSite=Lax"):
        assert attribute in set_cookie
    assert "Domain=" not in set_cookie
    hsts = response.headers["Strict-Transport-Security"]
    max_age = int(hsts.split("max-age=")[1].split(";")[0])
    assert max_age >= 31_536_000 and "includeSubDomains" in hsts
    assert_security_headers(response, "production page")


def test_no_hsts_outside_production(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_under_testing_a_bug_shows_its_traceback_not_a_500_page(app, client, monkeypatch):
    """The 500 handler sits on InternalServerError: DEBUG and TESTING propagate the real exception."""

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "health.healthz", broken)
    with pytest.raises(RuntimeError, match="boom"):
        client.get("/healthz")


def test_every_response_carries_a_request_id(client):
    generated = client.get("/login").headers["X-Request-ID"]
    assert 8 <= len(generated) <= 64
    assert client.get("/login", headers={"X-Request-ID": "lb-42"}).headers["X-Request-ID"] == "lb-42"
    assert client.get("/login", headers={"X-Request-ID": "bad id <x>"}).headers["X-Request-ID"] != "bad id <x>"
