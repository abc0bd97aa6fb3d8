"""The station queue (staff and clerk home), its row actions and counters, the 容缺 ledger, the first-handler table."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from stations.auth.models import Role
from stations.cases import services
from stations.cases.page_common import QUEUE_PAGE_SIZE
from stations.domain.case_vocabulary import CaseEvent, CaseStatus
from stations.enterprises import services as enterprise_services
from stations.extensions import db
from stations.sites.models import ScopeMode, Station, StationItem, StationKind
from stations.uploads.storage import store_bytes
from tests import factories as f
from tests.accounts import logged_in, make_user
from tests.helpers.cases import PDF, accepted_case, fire, overdue_case, post_event, rongque_case, text
from tests.helpers.suite import htmx_headers

ROW_RE = re.compile(r'<tr id="case-row-(\d+)"')


def counter(body: str, colour: str) -> int:
    match = re.search(rf'data-colour="{colour}">(\d+)<', body)
    assert match, f"no {colour} counter"
    return int(match.group(1))


def row_ids(body: str) -> set[int]:
    return {int(i) for i in ROW_RE.findall(body)}


def table(client, query: str = "") -> str:
    response = client.get(f"/cases/?{query}", headers=htmx_headers("case-table"))
    assert response.status_code == 200
    return text(response)


# --- the page ---------------------------------------------------------------------------------------------------


def test_home_of_staff_and_clerk_is_the_queue(login_as):
    case = f.make_case()
    for username in ("staff-ll", "clerk-ll"):
        response = login_as(username).get("/home")
        body = text(response)
        assert response.status_code == 200
        assert body.count("<h1") == 1 and "办件队列" in body
        assert 'id="queue-counters"' in body and 'id="case-table"' in body
        assert f'id="case-row-{case.id}"' in body
        assert "hx-swap-oob" not in body  # only the out-of-band answer of a row action carries it


def test_queue_is_not_for_enterprises(login_as, gd):
    assert login_as(gd.username).get("/cases/").status_code == 403


def test_table_fragment_for_htmx_filters(login_as):
    case = f.make_case()
    client = login_as("staff-ll")
    response = client.get("/cases/?status=RECEIVED", headers=htmx_headers("case-table"))
    body = text(response)
    assert response.status_code == 200
    assert "<html" not in body and "queue-counters" not in body and '<form class="card queue-filters"' not in body
    assert case.id in row_ids(body)
    assert "HX-Target" in response.headers["Vary"]
    full = text(client.get("/cases/?status=RECEIVED"))
    assert "<html" in full and 'id="queue-counters"' in full
    assert 'value="RECEIVED" selected' in full  # the filter is shown as chosen when the URL is loaded directly


def test_filters_narrow_the_list(login_as):
    received = f.make_case()
    accepted = accepted_case()
    red = overdue_case()
    client = login_as("staff-ll")
    assert row_ids(table(client, "status=ACCEPTED")) == {accepted.id}
    assert row_ids(table(client, "colour=red")) == {red.id}
    assert row_ids(table(client, "colour=RED")) == {red.id}
    assert received.id in row_ids(table(client, "status=RECEIVED"))
    assert row_ids(table(client, f"item={red.item.code}")) >= {red.id}
    assert row_ids(table(client, "channel=ONLINE")) == set()
    assert row_ids(table(client, "channel=STATION")) == {received.id, accepted.id, red.id}
    clerk_id = f.user("clerk-ll").id
    assert row_ids(table(client, f"clerk={clerk_id}")) == {received.id, accepted.id, red.id}
    # Date and sequence of a 2025 case: its last six characters alone (day + sequence) would also match
    # a case taken in today when today is the 3rd of a month.
    assert row_ids(table(client, f"q={red.case_no[-10:]}")) == {red.id}
    assert row_ids(table(client, "status=NONSENSE&colour=purple")) == {received.id, accepted.id, red.id}


def test_urgent_cases_come_first(login_as):
    f.make_case()
    red = overdue_case()
    body = table(login_as("staff-ll"))
    assert int(ROW_RE.findall(body)[0]) == red.id


def test_rows_offer_only_the_one_tap_actions_available_now(login_as):
    received, accepted, red = f.make_case(), accepted_case(), overdue_case()
    body = table(login_as("staff-ll"))

    def actions(case) -> set[str]:
        row = body.split(f'id="case-row-{case.id}"', 1)[1].split("</tr>", 1)[0]
        return set(re.findall(r'hx-post="/cases/[A-Z0-9]+/events/([a-z_]+)"', row))

    assert actions(received) == {"accept"}
    assert actions(accepted) == {"start_review"}
    assert actions(red) == {"decide_approve"}  # decide_reject needs reasons: on the case page
    # A tap disables every row's buttons until its answer is in (no double tap, no second action racing the first).
    assert 'hx-disabled-elt=".row-actions button"' in body


def test_a_decision_from_the_queue_is_asked_once_more_with_room_for_a_note(login_as):
    red = overdue_case()
    body = table(login_as("staff-ll"))
    row = body.split(f'id="case-row-{red.id}"', 1)[1].split("</tr>", 1)[0]
    # The first tap only opens the question; the button that fires sits inside it, with an optional note.
    confirm = row.split('<details class="row-confirm">', 1)[1].split("</details>", 1)[0]
    assert f"确认对 {red.case_no} 作出“办结（通过）”的决定？" in confirm
    assert 'name="note"' in confirm and "required" not in confirm
    assert f'hx-post="/cases/{red.case_no}/events/decide_approve"' in confirm
    assert row.count("/events/decide_approve") == 2  # the form's action and its confirming button, nothing else


def test_the_note_given_with_a_confirmed_decision_is_kept_on_the_event(login_as):
    red = overdue_case()
    client = login_as("staff-ll")
    response = post_event(
        client,
        red,
        "decide_approve",
        next="/cases/",
        note="材料齐全，准予许可",
        headers=htmx_headers(f"case-row-{red.id}"),
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert red.events[-1].note == "材料齐全，准予许可"


def test_central_office_sees_every_station_but_has_no_row_actions(login_as):
    ll = f.make_case()
    qh = f.make_case(by="staff-qh", station_code="QH", enterprise=f.make_client(station_code="QH").enterprise)
    body = table(login_as("central"))
    assert {ll.id, qh.id} <= row_ids(body)
    assert "hx-post" not in body


# --- row actions: the row, the counters out of band, an event --------------------------------------------------


def test_row_action_returns_the_row_and_the_counters_out_of_band(login_as):
    red = overdue_case()
    client = login_as("staff-ll")
    red_before = counter(text(client.get("/cases/")), "red")
    response = post_event(client, red, "decide_approve", next="/cases/", headers=htmx_headers(f"case-row-{red.id}"))
    body = text(response)
    assert response.status_code == 200
    assert "<html" not in body
    assert body.lstrip().startswith(f'<tr id="case-row-{red.id}"')  # the swapped row first, then the OOB block
    assert "办结（通过）" in body and 'hx-post="/cases/' in body  # the next one-tap action: issue
    assert "/events/issue" in body
    assert re.search(r'<nav id="queue-counters"[^>]*hx-swap-oob="true"', body)
    assert counter(body, "red") == red_before - 1
    trigger = json.loads(response.headers["HX-Trigger"])
    assert trigger["case-updated"]["id"] == red.id and trigger["case-updated"]["status"] == "APPROVED"
    assert "HX-Target" in response.headers["Vary"]
    assert counter(text(client.get("/cases/")), "red") == red_before - 1


def test_counters_follow_the_cases(login_as):
    client = login_as("staff-ll")
    before = text(client.get("/cases/"))
    received = f.make_case()
    overdue_case()
    after = text(client.get("/cases/"))
    assert counter(after, "red") == counter(before, "red") + 1
    assert counter(after, "green") == counter(before, "green") + 1
    fire(received, CaseEvent.REQUEST_CORRECTION, note="营业执照副本模糊")
    paused = text(client.get("/cases/"))
    assert counter(paused, "paused") == counter(before, "paused") + 1
    assert counter(paused, "green") == counter(before, "green")


def test_row_action_on_a_stale_row_is_409_with_the_fresh_row(login_as):
    case = f.make_case()
    client = login_as("staff-ll")
    assert post_event(client, case, "accept", version=1).status_code == 303
    response = post_event(client, case, "accept", version=1, headers=htmx_headers(f"case-row-{case.id}"))
    body = text(response)
    assert response.status_code == 409
    assert body.lstrip().startswith(f'<tr id="case-row-{case.id}"')
    assert "已受理" in body and 'name="version" value="2"' in body and "/events/start_review" in body
    assert 'id="queue-counters"' in body
    assert re.search(r'<div id="flash"[^>]*hx-swap-oob="true"', body) and "已被他人更新" in body
    json.loads(response.headers["HX-Trigger"])


def test_refused_row_action_goes_to_the_flash_region(login_as):
    case = f.make_case()
    response = post_event(login_as("staff-ll"), case, "issue", headers=htmx_headers(f"case-row-{case.id}"))
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#flash"
    assert "该办件当前状态下不能执行此操作" in text(response)
    db.session.expire_all()
    assert case.status is CaseStatus.RECEIVED


def test_row_action_without_javascript_goes_back_to_the_queue(login_as):
    case = f.make_case()
    response = post_event(login_as("staff-ll"), case, "accept", next="/cases/?colour=green")
    assert response.status_code == 303 and response.headers["Location"].endswith("/cases/?colour=green")


# --- scope ------------------------------------------------------------------------------------------------------


def test_queue_never_shows_another_scope(login_as, gd, qn):
    ll = f.make_case(enterprise=gd.enterprise)
    qh = f.make_case(by="staff-qh", station_code="QH", enterprise=qn.enterprise)
    gd_at_qh = f.make_case(by="staff-qh", station_code="QH", enterprise=gd.enterprise)  # clerk-ll's client at QH
    assert row_ids(table(login_as("staff-ll"))) == {ll.id}
    assert row_ids(table(login_as("staff-qh"))) == {qh.id, gd_at_qh.id}
    assert row_ids(table(login_as("clerk-ll"))) == {ll.id, gd_at_qh.id}
    assert row_ids(table(login_as("clerk-qh"))) == {qh.id}
    assert counter(text(login_as("clerk-qh").get("/cases/")), "green") == 1


# --- bounded queries --------------------------------------------------------------------------------------------


def _isolated_station(app):
    """A station of its own (no other cases) with a few LL items in scope, and a staff account there."""
    station = Station(code="TQ", name="测试驿站", kind=StationKind.BUILDING)
    db.session.add(station)
    db.session.flush()
    ll_items = db.session.scalars(
        select(StationItem.item_id).join(Station).where(Station.code == "LL").order_by(StationItem.item_id).limit(20)
    ).all()
    for item_id in ll_items:
        db.session.add(StationItem(station_id=station.id, item_id=item_id, mode=ScopeMode.ACCEPT))
    db.session.commit()
    make_user("staff-tq", Role.STAFF, station_id=station.id)
    return logged_in(app, "staff-tq")


def _make_cases(n: int) -> None:
    for i in range(n):
        case = f.make_case(by="staff-tq", station_code="TQ")
        if i % 3 == 1:
            fire(case, CaseEvent.ACCEPT, by="staff-tq")
        elif i % 3 == 2:
            fire(case, CaseEvent.ACCEPT, by="staff-tq")
            fire(case, CaseEvent.START_REVIEW, by="staff-tq")
    db.session.commit()


def test_queue_page_query_count_does_not_grow_with_the_cases(app, count_queries):
    client = _isolated_station(app)
    _make_cases(3)
    client.get("/cases/")  # warm the calendar cache
    with count_queries() as few:
        small = client.get("/cases/")
    assert len(row_ids(text(small))) == 3
    _make_cases(37)
    with count_queries() as many:
        large = client.get("/cases/")
    assert len(row_ids(text(large))) == QUEUE_PAGE_SIZE == 25  # one page
    assert "下一页" in text(large)
    # The first page holds no received case (they sort last), so the one query of the partner districts that a
    # received case's forwarding check needs is not run; the second page holds them, and runs exactly as many
    # statements as the page of three did.
    assert many.count <= few.count, (few.statements, many.statements)
    with count_queries() as second:
        rest = client.get("/cases/?page=2")
    assert len(row_ids(text(rest))) == 40 - 25
    assert second.count == few.count, (few.statements, second.statements)
    assert few.count <= 15
    print(f"queue page: {few.count} statements with 3 cases, {many.count} and {second.count} with 40")
    with count_queries() as home:
        client.get("/home")
    assert home.count == many.count


# --- 容缺 ledger and first handlers ----------------------------------------------------------------------------


def test_ledger_lists_the_deficiencies_in_scope_with_their_tags(login_as):
    mine = rongque_case()
    theirs = rongque_case(by="staff-qh", station_code="QH", enterprise=f.make_client(station_code="QH").enterprise)
    client = login_as("staff-ll")
    response = client.get("/cases/ledger")
    body = text(response)
    assert response.status_code == 200 and body.count("<h1") == 1
    assert mine.case_no in body and theirs.case_no not in body
    deficiency = mine.deficiencies[0]
    assert deficiency.case_material.item_material.name in body
    assert deficiency.supply_deadline.isoformat() in body
    assert '<td data-label="责任人">两链驿站 王敏</td>' in body  # the responsible person
    assert "badge badge-GREEN" in body or "badge badge-YELLOW" in body
    red_only = client.get("/cases/ledger?tag=red", headers=htmx_headers("ledger-table"))
    assert "<html" not in text(red_only) and mine.case_no not in text(red_only)
    assert mine.case_no not in text(login_as("clerk-qh").get("/cases/ledger"))
    assert {mine.case_no, theirs.case_no} <= set(
        re.findall(r"JH[A-Z0-9]+", text(login_as("central").get("/cases/ledger")))
    )


def test_ledger_shows_close_out(login_as, uploads):
    case = rongque_case()
    staff = f.user("staff-ll")
    deficiency = case.deficiencies[0]
    stored = store_bytes(PDF, "application/pdf", "补交.pdf", enterprise_id=case.enterprise_id, user_id=staff.id)
    name = deficiency.case_material.item_material.name
    document = enterprise_services.add_document(case.enterprise_id, name, stored.id, user=staff)
    services.supply_deficiency(deficiency, staff, document=document)
    services.verify_deficiency(deficiency, staff)
    db.session.commit()
    body = text(login_as("staff-ll").get("/cases/ledger?tag=done"))
    assert case.case_no in body and "已销号" in body
    assert deficiency.verified_at is not None


def test_first_handler_table_counts_overdue_cases(login_as):
    late_open = overdue_case()  # started review in 2025, still undecided: overdue now
    late_done = overdue_case()
    fire(late_done, CaseEvent.DECIDE_APPROVE)  # decided today, long after its deadline
    on_time = accepted_case()
    fire(on_time, CaseEvent.START_REVIEW)
    db.session.commit()
    response = login_as("staff-ll").get("/cases/first-handlers")
    body = text(response)
    assert response.status_code == 200
    row = body.split('<th scope="row">两链驿站 王敏', 1)[1].split("</tr>", 1)[0]
    numbers = re.findall(r">(\d+)<", row)
    assert numbers[:2] == ["3", "1"]  # handled, concluded
    assert 'badge-RED">2<' in row  # overdue
    assert "66.7%" in row
    assert late_open.first_handler_id == f.user("staff-ll").id
    assert '<th scope="row">两链驿站 王敏' not in text(login_as("staff-qh").get("/cases/first-handlers"))
