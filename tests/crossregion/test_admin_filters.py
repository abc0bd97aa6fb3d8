"""The outbox and inbox pages' filters (issue 18): every value answers 200 and shows only its rows."""

from __future__ import annotations

import pytest

from stations.crossregion import services
from stations.crossregion.models import InboxMessage, MessageKind, OutboxMessage, OutboxStatus
from stations.extensions import db
from tests.helpers.crossregion import forward_payload


@pytest.fixture
def messages(partner):
    for n, status in enumerate(OutboxStatus):
        message = services.enqueue(partner, MessageKind.FORWARD, forward_payload(f"JH{n:04d}"))
        message.status = status
    for n, kind in enumerate(MessageKind):
        db.session.add(
            InboxMessage(message_id=f"in-{kind.value}-{n}", partner_id=partner.id, kind=kind.value, result={})
        )
    db.session.commit()


@pytest.mark.parametrize("value", ["", *[s.value for s in OutboxStatus], "nope"])
def test_every_outbox_filter_answers_200_with_its_rows(login_as, messages, value):
    response = login_as("admin").get(f"/admin/crossregion/outbox?status={value}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    shown = {s.value for s in OutboxStatus if f"<td>{s.value}</td>" in body}
    assert shown == ({value} if value in {s.value for s in OutboxStatus} else {s.value for s in OutboxStatus})
    assert db.session.query(OutboxMessage).count() == len(OutboxStatus)


@pytest.mark.parametrize("value", ["", *[k.value for k in MessageKind], "nope"])
def test_every_inbox_filter_answers_200_with_its_rows(login_as, messages, value):
    response = login_as("admin").get(f"/admin/crossregion/inbox?kind={value}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    shown = {k.value for k in MessageKind if f"in-{k.value}-" in body}
    assert shown == ({value} if value in {k.value for k in MessageKind} else {k.value for k in MessageKind})
