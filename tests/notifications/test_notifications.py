"""Notifications: created by case events for the enterprise, the bell on every page, the list, marking read,
expiring documents, and the channel interface."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from stations.auth.sessions import SEEN_AT
from stations.domain.case_vocabulary import CaseEvent
from stations.enterprises import services as enterprise_services
from stations.extensions import db
from stations.notifications import services
from stations.notifications.models import Notification, NotificationKind
from stations.timeutil import business_today, utcnow
from stations.uploads.storage import store_bytes
from tests import factories as f
from tests.helpers.cases import PDF, fire, token
from tests.helpers.ratings import delivered_case
from tests.helpers.suite import htmx_headers
from tests.security.test_sessions import set_clock


def notifications_of(username: str) -> list[Notification]:
    user = f.user(username)
    return list(
        db.session.scalars(select(Notification).where(Notification.user_id == user.id).order_by(Notification.id))
    )


def kinds_of(username: str) -> list[NotificationKind]:
    return [n.kind for n in notifications_of(username)]


def test_the_case_path_tells_the_enterprise_each_step(qn, gd):
    case = delivered_case(enterprise=gd.enterprise)
    assert kinds_of(gd.username) == [
        NotificationKind.CASE_ACCEPTED,
        NotificationKind.DECISION_APPROVED,  # says which way it went (issue 19)
        NotificationKind.RESULT_READY,
        NotificationKind.RATING_INVITED,  # delivered: invited to rate
    ]
    first = notifications_of(gd.username)[0]
    assert first.link == f"/cases/{case.case_no}"
    assert case.case_no in first.text and case.item.name in first.text
    assert first.read_at is None
    assert kinds_of(qn.username) == []  # another enterprise hears nothing
    assert kinds_of("staff-ll") == [] and kinds_of("clerk-ll") == []


def test_correction_and_deficiency_and_rejection(gd):
    correction = f.make_case(materials="missing", enterprise=gd.enterprise)
    fire(correction, CaseEvent.REQUEST_CORRECTION, note="请补营业执照")
    rongque = f.make_case(rongque=True, materials="missing_minor", enterprise=gd.enterprise)
    fire(rongque, CaseEvent.ACCEPT_WITH_DEFICIENCY, commitment_signed=True)
    rejected = f.make_case(enterprise=gd.enterprise)
    for event in (CaseEvent.ACCEPT, CaseEvent.START_REVIEW):
        fire(rejected, event)
    fire(rejected, CaseEvent.DECIDE_REJECT, note="不符合条件,可申请复议")
    assert kinds_of(gd.username) == [
        NotificationKind.CORRECTION_NEEDED,
        NotificationKind.MATERIAL_MISSING,
        NotificationKind.CASE_ACCEPTED,
        NotificationKind.DECISION_REFUSED,
    ]


def test_the_bell_counts_the_things_with_news_with_one_query(login_as, count_queries, gd):
    delivered_case(enterprise=gd.enterprise)  # four notices about one case: one thing to look at
    f.make_case(enterprise=gd.enterprise)
    other = f.make_case(enterprise=gd.enterprise)
    fire(other, CaseEvent.ACCEPT)  # and one about another case
    client = login_as(gd.username)
    with count_queries() as counter:
        body = client.get("/account/password").get_data(as_text=True)
    assert len(notifications_of(gd.username)) == 5
    assert 'class="bell-count">2<' in body
    on_notifications = [s for s in counter.statements if "FROM notifications" in s]
    assert len(on_notifications) == 1, on_notifications
    staff_body = login_as("staff-ll").get("/account/password").get_data(as_text=True)
    assert 'id="bell"' in staff_body and "bell-count" not in staff_body  # nothing unread for staff


def test_pages_without_the_bell_run_no_count(login_as, count_queries, gd):
    client = login_as(gd.username)
    with count_queries() as counter:
        response = client.get("/notifications/badge", headers=htmx_headers("bell"))
    assert response.status_code == 200
    assert sum("FROM notifications" in s for s in counter.statements) == 1
    with count_queries() as counter:
        client.get("/catalog/", headers=htmx_headers("item-table"))  # a fragment: no base.html, no bell
    assert not any("FROM notifications" in s for s in counter.statements)


def test_the_badge_answers_304_while_unchanged(login_as, count_queries, gd):
    client = login_as(gd.username)
    first = client.get("/notifications/badge", headers=htmx_headers("bell"))
    assert first.status_code == 200 and first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache"
    assert "Vary" in first.headers and "<html" not in first.get_data(as_text=True)
    etag = first.headers["ETag"]
    with count_queries() as counter:
        again = client.get("/notifications/badge", headers=htmx_headers("bell", **{"If-None-Match": etag}))
    assert again.status_code == 304 and again.get_data() == b""
    assert counter.count <= 2  # the session's user, the count
    delivered_case(enterprise=gd.enterprise)
    changed = client.get("/notifications/badge", headers=htmx_headers("bell", **{"If-None-Match": etag}))
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert 'class="bell-count">1<' in changed.get_data(as_text=True)  # four notices, one case


def test_list_groups_by_case_mark_read_open_and_mark_all(login_as, gd):
    case = delivered_case(enterprise=gd.enterprise)
    other = f.make_case(enterprise=gd.enterprise)
    fire(other, CaseEvent.ACCEPT)
    client = login_as(gd.username)
    page = client.get("/notifications/").get_data(as_text=True)
    # One entry per case, the latest notice on top, the earlier ones folded under it (all four unread).
    assert page.count('<li class="notification notification-unread"') == 2
    assert "此前还有 3 条相关通知" in page and "办件已受理" in page
    assert page.index(other.case_no) < page.index(case.case_no)  # the latest changed thing first
    latest_of_case = next(n for n in notifications_of(gd.username) if n.link == f"/cases/{case.case_no}")
    response = client.post(
        f"/notifications/{latest_of_case.id}/read",
        data={"csrf_token": token(client)},
        headers=htmx_headers("notification-list"),
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.count('<li class="notification notification-unread"') == 1  # the whole group of the case is read
    assert all(n.read_at is not None for n in notifications_of(gd.username) if n.link == latest_of_case.link)
    assert 'id="bell"' in body and 'hx-swap-oob="true"' in body and 'class="bell-count">1<' in body
    of_other = next(n for n in notifications_of(gd.username) if n.link != latest_of_case.link)
    opened = client.post(f"/notifications/{of_other.id}/open", data={"csrf_token": token(client)})
    assert opened.status_code == 303 and opened.headers["Location"] == f"/cases/{other.case_no}"
    done = client.post("/notifications/read-all", data={"csrf_token": token(client)})
    assert done.status_code == 303
    assert all(n.read_at is not None for n in notifications_of(gd.username))
    assert "bell-count" not in client.get("/notifications/").get_data(as_text=True)


def test_another_users_notification_is_a_404(login_as, qn, gd):
    case = delivered_case(enterprise=gd.enterprise)
    theirs = notifications_of(gd.username)[0]
    client = login_as(qn.username)
    for action in ("read", "open"):
        response = client.post(f"/notifications/{theirs.id}/{action}", data={"csrf_token": token(client)})
        assert response.status_code == 404
    assert theirs.read_at is None
    assert case.case_no not in client.get("/notifications/").get_data(as_text=True)


def _document(owner: f.Client, valid_until: date, name: str = "营业执照"):
    enterprise = owner.enterprise
    stored = store_bytes(PDF, "application/pdf", f"{name}.pdf", enterprise_id=enterprise.id, user_id=None)
    return enterprise_services.add_document(enterprise.id, name, stored.id, user=owner.account, valid_until=valid_until)


def test_expiring_documents_are_flagged_once(app, uploads, gd):
    today = business_today()
    soon = _document(gd, today + timedelta(days=10), "营业执照")
    _document(gd, today + timedelta(days=45), "章程")  # not yet
    _document(gd, today - timedelta(days=1), "旧执照")  # already expired: not "expiring"
    assert services.notify_expiring_documents(today) == 1
    [notification] = notifications_of(gd.username)
    assert notification.kind is NotificationKind.MATERIAL_EXPIRING
    assert notification.link == "/enterprise/documents"
    assert soon.material_name in notification.text and (today + timedelta(days=10)).isoformat() in notification.text
    assert services.notify_expiring_documents(today) == 0  # once per document and date
    result = app.test_cli_runner().invoke(args=["notifications", "expiring"])
    assert result.exit_code == 0 and "0 notifications created" in result.output
    soon.valid_until = today + timedelta(days=20)  # renewed with a new date inside the window: a new reminder
    assert services.notify_expiring_documents(today) == 1


class RecordingChannel:
    name = "recording"

    def __init__(self):
        self.sent = []

    def send(self, notification):
        self.sent.append((notification.user_id, notification.kind))


def test_another_channel_receives_every_notification(gd):
    channel = RecordingChannel()
    services.register_channel(channel)
    try:
        case = f.make_case(enterprise=gd.enterprise)
        fire(case, CaseEvent.ACCEPT)
    finally:
        services.unregister_channel("recording")
    assert channel.sent == [(gd.account.id, NotificationKind.CASE_ACCEPTED)]
    assert [c.name for c in services.channels()] == ["in_app"]
    assert kinds_of(gd.username) == [NotificationKind.CASE_ACCEPTED]  # the in-app row as well


def test_background_polls_do_not_keep_an_idle_session_alive(login_as, gd):
    """The bell polls every 30 s on every page: that must not defeat the idle timeout (security.md S3)."""
    client = login_as(gd.username)
    page = client.get("/account/password").get_data(as_text=True)
    assert """hx-headers='{"X-Poll": "1"}'""" in page.split('id="bell"')[1][:400]
    poll = htmx_headers("bell", **{"X-Poll": "1"})
    set_clock(client, seen_minutes_ago=20)
    assert client.get("/notifications/badge", headers=poll).status_code == 200
    with client.session_transaction() as session:
        assert utcnow().timestamp() - session[SEEN_AT] > 19 * 60  # unchanged
    set_clock(client, seen_minutes_ago=31)
    ended = client.get("/notifications/badge", headers=poll)
    assert ended.status_code == 200 and ended.headers["HX-Location"].startswith("/login")
    assert client.get("/notifications/").status_code == 302  # and the session is over


def test_a_user_request_still_counts_as_activity(login_as, gd):
    client = login_as(gd.username)
    set_clock(client, seen_minutes_ago=20)
    assert client.get("/notifications/badge", headers=htmx_headers("bell")).status_code == 200
    with client.session_transaction() as session:
        assert utcnow().timestamp() - session[SEEN_AT] < 5


def test_a_decision_notice_says_which_way_it_went(login_as, gd):
    """Issue 19: "办件已作出审批决定" did not say whether the case was approved."""
    delivered_case(enterprise=gd.enterprise)
    rejected = f.make_case(enterprise=gd.enterprise)
    for event in (CaseEvent.ACCEPT, CaseEvent.START_REVIEW):
        fire(rejected, event)
    fire(rejected, CaseEvent.DECIDE_REJECT, note="不符合条件")
    body = login_as(gd.username).get("/notifications/").get_data(as_text=True)
    assert "办件已办结：准予许可" in body and "办件未获通过，请查看理由" in body
    assert "办件已作出审批决定" not in body
    english = login_as(gd.username).get("/notifications/?lang=en").get_data(as_text=True)
    assert "办件已办结" not in english
