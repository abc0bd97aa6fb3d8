"""Browser tests: Playwright driving Debian's Chromium against a live server (tooling.md "Browser tests").

- The browser is /usr/bin/chromium; never `playwright install`.
- Without it the browser tests are skipped, except with CI=true where they fail (contract.md).
- The live server has its own database (``test_database_url("_browser")``), separate from the
  rolled-back transactions of the plain suite, because the server's threads commit for real.
- Every test fails when the page logged a console error, an uncaught exception or a CSP
  violation (security.md C6: htmx under the strict CSP).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, expect
from werkzeug.serving import make_server

from stations.config import REPO_ROOT
from stations.demo import DEMO_PASSWORD
from stations.extensions import db
from tests.conftest import build_database, make_test_app
from tests.dbutil import reset_database, test_database_url

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
HERE = Path(__file__).resolve().parent
TIMEOUT_MS = 5_000  # each action and assertion; a whole test stays well under 10 s
expect.set_options(timeout=TIMEOUT_MS)
# CSP violations also reach the console in Chromium; this makes them explicit and names the directive.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def _is_browser_test(item: pytest.Item) -> bool:
    return HERE in Path(str(item.path)).parents or item.get_closest_marker("browser") is not None


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
def live_server() -> Iterator[str]:
    """The app on a throwaway database with the demo data, served on 127.0.0.1:<free port>."""
    htmx = REPO_ROOT / "static" / "vendor" / "htmx.min.js"
    assert htmx.exists(), f"{htmx} is missing: run `make vendor` first"
    url = test_database_url("_browser")
    reset_database(url)
    app = make_test_app(url)
    build_database(app, demo_cases=False)  # the demo cases cost ~10 s; a test that needs cases makes its own
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
def page(context: BrowserContext) -> Iterator[Page]:
    """A page that records console errors, uncaught exceptions and CSP violations; any of them fails the test."""
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(CSP_LISTENER)
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "assert"):
            location = message.location.get("url", "")
            problems.append(f"console.{message.type}: {message.text} ({location})")

    new_page = context.new_page()
    new_page.on("console", on_console)
    new_page.on("pageerror", lambda error: problems.append(f"uncaught exception: {error}"))
    yield new_page
    assert not problems, "the browser reported errors:\n" + "\n".join(problems)


@pytest.fixture
def login(page: Page):
    """login("staff-ll") signs the page in through the real form and waits for the home page."""

    def _login(username: str, password: str = DEMO_PASSWORD) -> Page:
        page.goto("/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("#login-form button[type=submit]")
        page.wait_for_url("**/home")  # hx-boost: the redirect is followed by htmx and the URL pushed
        return page

    return _login
