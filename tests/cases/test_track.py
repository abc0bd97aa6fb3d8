"""Public tracking: status without personal data, the same answer for a wrong code and an unknown number, a rate limit."""

from __future__ import annotations

import re

from stations.cases.track_views import TRACK_RATE_LIMIT
from stations.domain.case_vocabulary import CaseEvent
from tests import factories as f
from tests.helpers.cases import accepted_case, fire, text, visible_text

NOT_FOUND = "未找到该办件，请核对办件编号和查询码"


def track(client, case_no: str, code: str):
    return client.get("/track", query_string={"case_no": case_no, "code": code})


def test_empty_form_is_a_public_page(client):
    response = client.get("/track")
    body = text(response)
    assert response.status_code == 200
    assert body.count("<h1") == 1
    assert '<label class="label" for="track-case-no">' in body and '<label class="label" for="track-code">' in body
    assert 'method="get" action="/track"' in body
    assert NOT_FOUND not in body


def test_track_shows_progress_without_personal_data(client):
    case = accepted_case()
    fire(case, CaseEvent.START_REVIEW)
    response = track(client, case.case_no, case.query_code)
    body = text(response)
    words = visible_text(body)
    assert response.status_code == 200
    assert "审查中" in words and case.item.name in words and case.station.name in words
    assert case.due_on.isoformat() in words
    assert "受理" in words and "开始审查" in words  # the status changes, in plain words
    for secret in (
        case.enterprise.name,
        case.enterprise.uscc,
        case.applicant_name,
        case.applicant_phone,
        "王敏",
        "张丽",
    ):
        assert secret not in body


def test_query_code_is_not_case_sensitive(client):
    case = f.make_case()
    assert "已收件" in text(track(client, case.case_no.lower(), case.query_code.lower()))


def test_wrong_code_and_unknown_number_get_the_same_answer(client):
    case = f.make_case()
    wrong_code = "222222" if case.query_code != "222222" else "333333"
    unknown_no = case.case_no[:-4] + "9999"
    wrong = track(client, case.case_no, wrong_code)
    unknown = track(client, unknown_no, case.query_code)
    assert wrong.status_code == unknown.status_code == 200
    assert NOT_FOUND in text(wrong) and NOT_FOUND in text(unknown)
    # The pages differ only by the numbers typed in, echoed in the form.
    normalise = lambda r, no, code: text(r).replace(no, "<NO>").replace(code, "<CODE>")  # noqa: E731
    assert normalise(wrong, case.case_no, wrong_code) == normalise(unknown, unknown_no, case.query_code)
    for response in (wrong, unknown):
        assert case.item.name not in text(response) and "已收件" not in text(response)


def test_one_field_only_asks_for_both(client):
    case = f.make_case()
    body = text(client.get("/track", query_string={"case_no": case.case_no}))
    assert "请填写办件编号和查询码" in body and "已收件" not in body


def test_the_receipt_qr_code_opens_tracking(login_as, client):
    case = accepted_case()
    receipt = text(login_as("staff-ll").get(f"/cases/{case.case_no}/receipt"))
    url = re.search(r'<span class="mono small">([^<]+)</span>', receipt).group(1).replace("&amp;", "&")
    assert url.startswith("http://localhost/track?")
    response = client.get(url.removeprefix("http://localhost"))
    assert response.status_code == 200 and "已受理" in text(response)


def test_tracking_is_rate_limited_per_client_address(limited_app):
    allowed = int(TRACK_RATE_LIMIT.split("/")[0])
    client = limited_app.test_client()
    statuses = [track(client, f"JHLL2026010100{n:02d}", "ABCDEF").status_code for n in range(allowed)]
    assert statuses == [200] * allowed
    response = track(client, "JHLL202601010099", "ABCDEF")
    assert response.status_code == 429
    assert "操作过于频繁" in text(response)
    other_address = limited_app.test_client()
    assert other_address.get("/track", environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 200
