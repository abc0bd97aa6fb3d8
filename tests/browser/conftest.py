"""Browser tests: Playwright driving Debian's Chromium against a live server (tooling.md "Browser tests").

- The browser is /usr/bin/chromium; never `playwright install`.
- Without it the browser tests are skipped, except with CI=true where they fail (contract.md).
- The live server has its own database (``test_database_url("_browser")``), separate from the
  rolled-back transactions of the plain suite, because the server's threads commit for real.
- Every test fails when the page logged a console error, an uncaught exception or a CSP
  violation (security.md C6: htmx under the strict CSP).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import BrowserContext, Page, expect
from werkzeug.serving import make_server

from stations.config import REPO_ROOT
from stations.demo import DEMO_PASSWORD
from stations.extensions import db
from tests.dbutil import reset_database, test_database_url
from tests.factories import make_client
from tests.helpers.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    CSP_LISTENER,
    TIMEOUT_MS,
    LiveClient,
    _in_ci,
    _is_browser_test,
    sign_in,
    unexpected,
    watch,
)
from tests.helpers.suite import build_database, make_test_app

expect.set_options(timeout=TIMEOUT_MS)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark everything in tests/browser as a browser test; skip them when Chromium is missing, unless in CI."""
    chromium_missing = not Path(CHROMIUM).exists()
    for item in items:
        if not _is_browser_test(item):
            continue
        if item.get_closest_marker("browser") is None:
            item.add_marker(pytest.mark.browser)
        if chromium_missing and not _in_ci():
            item.add_marker(
                pytest.mark.skip(reason=f"{CHROMIUM} not found (browser tests are required only with CI=true)")
            )


@pytest.fixture(scope="session", autouse=True)
def _require_chromium() -> None:
    """In CI a missing browser is a failure, not a skip (contract.md)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"CI=true and {CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    """page.goto("/login") goes to the live server (pytest-playwright passes base_url to every context)."""
    return live_server


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {
        **browser_context_args,
        "viewport": {"width": 1024, "height": 768},  # a tablet in landscape
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
    }


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The live server's app: a test reaches its database with ``with live_app.app_context(): ...; commit()``.

    Uploads go to a temporary folder, not the repository's instance/.
    """
    htmx = REPO_ROOT / "static" / "vendor" / "htmx.min.js"
    assert htmx.exists(), f"{htmx} is missing: run `make vendor` first"
    url = test_database_url("_browser")
    reset_database(url)
    app = make_test_app(url, UPLOAD_ROOT=str(tmp_path_factory.mktemp("uploads")))
    build_database(app, demo_cases=False)  # the demo cases cost ~10 s; a test that needs cases makes its own
    return app


@pytest.fixture
def live_client(live_app: Flask) -> LiveClient:
    """An enterprise client of the test's own in the live server's database: at LL, a client of clerk-ll (as the
    demo's ent-gd is), with a contact person (the intake pre-fills the applicant with it) and an account that signs in
    with the demo password."""
    with live_app.app_context():
        made = make_client(station_code="LL")
        made.enterprise.contact_name, made.enterprise.contact_phone = "测试联系人", "13800000000"
        client = LiveClient(made.username, made.enterprise.id, made.enterprise.name)
        db.session.commit()
    return client


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[str]:
    """The app on a throwaway database with the demo data, served on 127.0.0.1:<free port>."""
    app = live_app
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def expected_http_errors() -> set[int]:
    """Statuses a test provokes on purpose (a 409 conflict, a 422 form): their console lines are not failures."""
    return set()


@pytest.fixture
def page(context: BrowserContext, expected_http_errors: set[int]) -> Iterator[Page]:
    """A page that records console errors, uncaught exceptions and CSP violations; any of them fails the test."""
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(CSP_LISTENER)
    new_page = context.new_page()
    found = watch(new_page)
    yield new_page
    problems = unexpected(found, expected_http_errors)
    assert not problems, "the browser reported errors:\n" + "\n".join(problems)


@pytest.fixture
def login(page: Page):
    """login("staff-ll") signs the page in through the real form and waits for the home page."""

    def _login(username: str, password: str = DEMO_PASSWORD) -> Page:
        return sign_in(page, username, password)

    return _login


@pytest.fixture
def new_tablet(
    new_context: Callable[..., BrowserContext], expected_http_errors: set[int]
) -> Iterator[Callable[[], Page]]:
    """new_tablet() opens another browser context (a second tablet, its own cookies) with a watched page.

    Like ``page``, the test fails if any of these pages logged an error.
    """
    recorded: list[list[str]] = []

    def _open() -> Page:
        context = new_context()
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(CSP_LISTENER)
        tablet = context.new_page()
        recorded.append(watch(tablet))
        return tablet

    yield _open
    problems = unexpected([problem for found in recorded for problem in found], expected_http_errors)
    assert not problems, "the browser reported errors:\n" + "\n".join(problems)
