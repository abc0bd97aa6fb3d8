"""Test helpers for browser (moved out of tests/browser/conftest.py, which keeps only fixtures)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page

from stations.demo import DEMO_PASSWORD
from tests import factories as f

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


# Chromium logs every 4xx/5xx answer as a console error; a test whose point is such an answer says so.
HTTP_ERROR_RE = re.compile(r"^Failed to load resource: the server responded with a status of (\d{3})\b")


def watch(page: Page) -> list[str]:
    """Collect the page's console errors, uncaught exceptions and CSP violations (the init script is the context's)."""
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "assert"):
            location = message.location.get("url", "")
            problems.append(f"console.{message.type}: {message.text} ({location})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"uncaught exception: {error}"))
    return problems


def unexpected(problems: list[str], expected_statuses: set[int]) -> list[str]:
    """The problems left once the HTTP answers the test expects (``expected_http_errors.add(409)``) are set aside."""
    kept = []
    for problem in problems:
        found = HTTP_ERROR_RE.match(problem.removeprefix("console.error: "))
        if not (found and int(found.group(1)) in expected_statuses):
            kept.append(problem)
    return kept


def sign_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> Page:
    """Sign ``page`` in through the real form and wait for the home page."""
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_url("**/home")  # hx-boost: the redirect is followed by htmx and the URL pushed
    return page


@dataclass(frozen=True)
class LiveClient:
    """A client of the test's own in the live server's database (as the suite's ``gd`` fixture is one): plain values,
    since the ORM objects do not outlive the app context they were made in."""

    username: str
    enterprise_id: int
    enterprise_name: str

    def loaded(self) -> f.Client:
        """The client's rows again, inside ``live_app.app_context()``."""
        from sqlalchemy import select

        from stations.auth.models import User
        from stations.enterprises.models import Enterprise
        from stations.extensions import db

        account = db.session.scalar(select(User).where(User.username == self.username))
        return f.Client(
            enterprise=db.session.get(Enterprise, self.enterprise_id), account=account, clerk=f.user("clerk-ll")
        )
