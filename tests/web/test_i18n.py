"""Interface language: Chinese by default, ?lang=en switches and is remembered; every msgid is translated."""

from __future__ import annotations

import re

import pytest

from tests.check_translations import EN_CATALOG, find_problems
from tests.helpers.suite import CLIENT, username_of

HTML_LANG_RE = re.compile(r'<html lang="([^"]+)"')


def html_lang(body: str) -> str:
    match = HTML_LANG_RE.search(body)
    assert match, "no <html lang=...> on the page"
    return match.group(1)


def assert_chinese_login(body: str) -> None:
    assert html_lang(body) == "zh-CN"
    assert "<h1>登录</h1>" in body
    assert "用户名" in body and "密码" in body
    assert "Sign in" not in body and "Username" not in body


def assert_english_login(body: str) -> None:
    assert html_lang(body) == "en"
    assert "<h1>Sign in</h1>" in body
    assert "Username" in body and "Password" in body
    assert "登录" not in body and "用户名" not in body


def test_every_msgid_has_an_english_translation():
    problems = find_problems()
    assert not problems, (
        f"untranslated messages in {EN_CATALOG.name} (run `python -m tests.check_translations`):\n"
        + "\n".join(problems)
    )


def test_default_language_is_chinese(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert_chinese_login(response.get_data(as_text=True))
    assert "lang=" not in response.headers.get("Set-Cookie", "")


def test_browser_accept_language_does_not_override_the_chinese_default(client):
    response = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert_chinese_login(response.get_data(as_text=True))


def test_lang_en_switches_to_english_and_sets_session_and_cookie(client):
    response = client.get("/login?lang=en")
    assert response.status_code == 200
    assert_english_login(response.get_data(as_text=True))
    cookie = client.get_cookie("lang")
    assert cookie is not None and cookie.value == "en"
    assert cookie.http_only
    with client.session_transaction() as session:
        assert session["lang"] == "en"


def test_choice_is_remembered_without_the_parameter(client):
    client.get("/login?lang=en")
    assert_english_login(client.get("/login").get_data(as_text=True))
    client.get("/login?lang=zh")
    assert_chinese_login(client.get("/login").get_data(as_text=True))


def test_cookie_alone_remembers_the_choice(client):
    """A new session (after logout or expiry) still gets the language from the cookie."""
    client.set_cookie("lang", "en")
    assert_english_login(client.get("/login").get_data(as_text=True))


def test_session_alone_remembers_the_choice(client):
    with client.session_transaction() as session:
        session["lang"] = "en"
    assert_english_login(client.get("/login").get_data(as_text=True))


def test_unsupported_language_is_ignored(client):
    response = client.get("/login?lang=xx")
    assert response.status_code == 200
    assert_chinese_login(response.get_data(as_text=True))
    assert client.get_cookie("lang") is None
    with client.session_transaction() as session:
        assert "lang" not in session

    client.get("/login?lang=en")
    response = client.get("/login?lang=xx")
    assert_english_login(response.get_data(as_text=True))
    assert client.get_cookie("lang").value == "en"


def test_english_survives_login(client, auth):
    client.get("/login?lang=en")
    response = auth.login("staff-ll")
    assert response.status_code == 303
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert html_lang(body) == "en"
    assert "My workspace" in body and "Sign out" in body


def test_error_pages_are_translated(client):
    client.get("/login?lang=en")
    response = client.get("/no-such-page")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert html_lang(body) == "en"
    assert "The page or record was not found." in body


def test_language_links_keep_the_other_query_arguments(client):
    body = client.get("/login?next=%2Fhome").get_data(as_text=True)
    assert 'href="/login?next=%2Fhome&amp;lang=en"' in body
    assert 'href="/login?next=%2Fhome&amp;lang=zh"' in body


def _html_pages(app, client) -> list[tuple[str, str]]:
    """(url, body) of every argument-free GET route that answers a full HTML page for this client."""
    pages = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.endpoint == "static":
            continue
        response = client.get(rule.rule, follow_redirects=True)
        body = response.get_data(as_text=True) if response.mimetype == "text/html" else ""  # files (xlsx) are binary
        if response.mimetype == "text/html" and "<html" in body:
            pages.append((rule.rule, body))
    return pages


@pytest.mark.parametrize("username", [None, "staff-ll", "clerk-ll", "central", "admin", CLIENT])
def test_language_links_on_every_page(app, client, login_as, username, gd):
    user_client = login_as(username_of(username, gd)) if username else client
    pages = _html_pages(app, user_client)
    pages.append(("/no-such-page", user_client.get("/no-such-page").get_data(as_text=True)))
    assert len(pages) >= 3
    for url, body in pages:
        assert re.search(r'<a href="[^"]*[?&](amp;)?lang=zh"[^>]*>中文</a>', body), f"no 中文 link on {url}"
        assert re.search(r'<a href="[^"]*[?&](amp;)?lang=en"[^>]*>English</a>', body), f"no English link on {url}"


def test_template_gettext_follows_a_locale_switch_within_one_request(app):
    """Templates look the catalogue up once per request (speed, issue 21) yet still see force_locale and refresh."""
    from flask import render_template_string
    from flask_babel import force_locale, refresh

    page = "{{ _('办件编号') }}"
    with app.test_request_context("/"):
        assert render_template_string(page) == "办件编号"
        with force_locale("en"):
            assert render_template_string(page) == "Case number"
        assert render_template_string(page) == "办件编号"
    # The test app's context outlives one request (as Flask-Babel's own cache does): refresh() drops the locale.
    with app.test_request_context("/?lang=en"):
        refresh()
        assert render_template_string(page) == "Case number"
