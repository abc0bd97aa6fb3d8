"""Issue 4, parts 1-2 in a browser: an enterprise's home lists its cases and updates by itself while one is open (polling
with ETag revalidation: unchanged polls are 304s), and a material uploaded once to the document store is reused to
supply a missing 容缺 material from the case page, which then waits for staff to verify it.

The cases are taken in at HZ, so that the other browser tests' counters at LL stay as they expect.
"""

from __future__ import annotations

import logging
import re

from playwright.sync_api import Page, Response, expect
from sqlalchemy import select

from stations.cases import services
from stations.cases.models import Case, Deficiency
from stations.cases.services import EventInput
from stations.domain.case_vocabulary import CaseEvent
from stations.domain.deficiency_flow import DeficiencyStatus
from stations.extensions import db
from tests import factories as f
from tests.helpers.browser import LiveClient

TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _cases(live_app, owner: LiveClient) -> tuple[str, str, int, str]:
    """A RECEIVED case and a 容缺 case of ``owner`` at HZ: (received no, 容缺 no, deficiency id, its material)."""
    with live_app.app_context():
        enterprise = owner.loaded().enterprise
        received = f.make_case(by="staff-hz", station_code="HZ", enterprise=enterprise)
        rongque = f.make_case(
            by="staff-hz", station_code="HZ", rongque=True, materials="missing_minor", enterprise=enterprise
        )
        staff = f.user("staff-hz")
        services.apply_event(
            rongque,
            CaseEvent.ACCEPT_WITH_DEFICIENCY,
            staff,
            version=rongque.version,
            data=EventInput(commitment_signed=True),
        )
        deficiency = rongque.deficiencies[0]
        result = (received.case_no, rongque.case_no, deficiency.id, deficiency.case_material.item_material.name)
        db.session.commit()
        return result


def test_home_updates_itself_and_a_stored_document_is_reused(live_app, live_client, login, page: Page, caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    received_no, rongque_no, deficiency_id, material = _cases(live_app, live_client)
    live_app.config["ENTERPRISE_POLL_SECONDS"] = 1
    polls: list[Response] = []
    page.on("response", lambda r: polls.append(r) if r.request.headers.get("hx-target") == "enterprise-cases" else None)
    try:
        login(live_client.username)
        row = page.locator("#enterprise-cases tr").filter(has_text=received_no)
        expect(row.locator(".case-status-cell")).to_have_text("已收件")
        page.evaluate("window.__marker = 1")

        with live_app.app_context():  # the station accepts it elsewhere; the open home page follows
            case = db.session.scalars(select(Case).where(Case.case_no == received_no)).one()
            services.apply_event(case, CaseEvent.ACCEPT, f.user("staff-hz"), version=case.version, data=EventInput())
            db.session.commit()
        expect(row.locator(".case-status-cell")).to_have_text("已受理")
        assert page.evaluate("window.__marker") == 1, "the page was reloaded instead of updated in place"
        # A poll or two more with nothing new: the browser revalidates its copy (If-None-Match) and the server
        # answers 304 (the XHR then sees the cached 200, hence the server's log is the witness).
        page.wait_for_timeout(2500)
        assert len(polls) >= 2 and all(r.status == 200 for r in polls), [r.status for r in polls]
        assert any(re.search(r'GET /home\S* HTTP/1\.1\S*" 304', rec.getMessage()) for rec in caplog.records)
        expect(row.locator(".case-status-cell")).to_have_text("已受理")  # and the list stays as it was

        # Upload once to the document store...
        page.goto("/enterprise/documents")
        page.fill("#document-name", material)
        page.set_input_files(
            "#document-file", files=[{"name": "身份证.pdf", "mimeType": "application/pdf", "buffer": TINY_PDF}]
        )
        page.get_by_role("button", name="存入材料库").click()
        expect(page.locator(".document-table")).to_contain_text(material)

        # ...and reuse it for the missing 容缺 material, from the store first.
        page.goto(f"/cases/{rongque_no}")
        expect(page.locator(".applicant-guide")).to_contain_text("还缺什么")
        deficiency_row = page.locator(f"#deficiency-{deficiency_id}")
        deficiency_row.locator("summary").click()
        expect(deficiency_row.locator("select[name=document_id] option:checked")).to_contain_text(material)
        deficiency_row.get_by_role("button", name="提交补交材料").click()
        expect(page.locator(".applicant-guide")).to_contain_text("您补交的材料已提交，正在核验")
        with live_app.app_context():
            assert db.session.get(Deficiency, deficiency_id).status is DeficiencyStatus.SUPPLIED
    finally:
        live_app.config.pop("ENTERPRISE_POLL_SECONDS", None)
