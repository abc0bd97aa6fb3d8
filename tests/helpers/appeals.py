"""Test helpers for appeals (moved out of tests/appeals/conftest.py, which keeps only fixtures)."""

from __future__ import annotations

import re

from sqlalchemy import select

from stations.appeals.models import Appeal
from stations.extensions import db

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def token(client, url: str = "/appeals/new") -> str:
    match = CSRF_RE.search(client.get(url).get_data(as_text=True))
    assert match, f"no csrf token on {url}"
    return match.group(1)


def appeal(no: str) -> Appeal:
    db.session.expire_all()
    return db.session.scalar(select(Appeal).where(Appeal.appeal_no == no))


def fire(client, no: str, event: str, headers=None, **fields):
    current = appeal(no)
    data = {"csrf_token": token(client, f"/appeals/{no}"), "event": event, "version": current.version, **fields}
    return client.post(f"/appeals/{no}/events", data=data, headers=headers or {})
