"""Every page a role reaches from its home through the navigation passes axe-core (WCAG 2.x A/AA, 2.2 AA).

axe-core comes from the npm registry (package.json devDependencies, node_modules/axe-core). It is
evaluated in the page through the DevTools protocol rather than as a <script> tag, so the portal's
Content-Security-Policy (no inline scripts) stays on and unchanged during the check.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urldefrag, urlparse

import pytest
from playwright.sync_api import Page

from stations.demo import DEMO_PASSWORD
from tests.helpers.suite import CLIENT

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ROLES = ["staff-ll", "clerk-ll", CLIENT, "central", "admin", "dept-rs"]  # CLIENT: the test's own enterprise
MAX_PAGES = 25  # per role: the navigation's pages, not every record behind them
SKIP = ("/logout", "/static/", "lang=", "/export", ".csv", ".xlsx", ".pdf")

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""

NAV_LINKS = """() => Array.from(document.querySelectorAll('nav a[href]'))
  .filter(a => !a.hasAttribute('download') && !a.hasAttribute('hx-post'))
  .map(a => a.href)"""


def _same_origin_pages(page: Page, origin: str) -> list[str]:
    links = []
    for href in page.evaluate(NAV_LINKS):
        url = urldefrag(href).url
        if urlparse(url).netloc == origin and not any(part in url for part in SKIP):
            links.append(url)
    return links


def _violations(page: Page) -> list[str]:
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return [f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(v['nodes'])}" for v in page.evaluate(RUN_AXE, TAGS)]


@pytest.mark.browser
@pytest.mark.parametrize("role", ROLES)
def test_pages_reachable_from_the_navigation_have_no_wcag_violation(page: Page, login, live_client, role: str):
    assert AXE.exists(), "run `npm ci` (axe-core is a devDependency)"
    if role == "admin":  # the administrator's home is /admin/, not /home (where sign_in waits)
        page.goto("/login")
        page.fill("input[name=username]", role)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("#login-form button[type=submit]")
        page.wait_for_url("**/admin/")
    else:
        login(live_client.username if role == CLIENT else role)
    origin = urlparse(page.url).netloc
    queue, seen, found = [page.url], set(), {}
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        page.goto(url)
        page.wait_for_load_state("load")
        problems = _violations(page)
        if problems:
            found[urlparse(url).path] = problems
        queue += [link for link in _same_origin_pages(page, origin) if link not in seen]
    assert len(seen) > 1, f"{role}: the crawl found no page beyond the home page"
    report = "\n".join(f"{path}:\n  " + "\n  ".join(lines) for path, lines in found.items())
    assert not found, f"{role}: axe-core found WCAG violations on {len(found)} of {len(seen)} pages:\n{report}"
