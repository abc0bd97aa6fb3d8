"""The central office's board on a tablet (issue 6, "Done when"): a station tile turns red once its cases pass their
deadline, through the tile's own 15-second poll (the browser clock is fast-forwarded, no sleeping). Since issue 19
the colour follows the share of overdue open cases (stations/domain/metrics.py): here the station's only open case.
"""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect

from stations.domain.case_vocabulary import CaseEvent
from stations.extensions import db
from stations.timeutil import utcnow
from tests import factories as f
from tests.helpers.cases import fire


def test_tile_turns_red_after_a_case_passes_its_deadline(live_app, login, page: Page):
    with live_app.app_context():
        case = f.make_case(station_code="LL", by="staff-ll")
        case.item.promised_days = 20
        fire(case, CaseEvent.ACCEPT, by="staff-ll")
        db.session.commit()
        case_id = case.id

    page.clock.install()  # htmx's "every 15s" runs on the page's timers: fast-forward them instead of waiting
    login("central")
    page.goto("/dashboard")
    tile = page.locator("#tile-LL")
    expect(tile).to_have_attribute("data-colour", "green")
    expect(tile.locator("[data-figure=red]")).to_have_text("0")
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], "the board scrolls sideways at 1024 px"

    # The deadline passes: no write through the services, only the stored moment is now behind us.
    with live_app.app_context():
        from stations.cases.models import Case

        db.session.get(Case, case_id).overdue_at = utcnow() - timedelta(minutes=1)
        db.session.commit()

    page.clock.run_for(16_000)
    expect(page.locator("#tile-LL")).to_have_attribute("data-colour", "red")
    expect(page.locator("#tile-LL [data-figure=red]")).to_have_text("1")
    expect(page.locator("#tile-LL")).to_have_class("tile tile-red")
