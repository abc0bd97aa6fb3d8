"""docs/federation.md's worked example is exact (issue 18): signed with hashlib and hmac alone, the app accepts it.

The values are read from the document itself, so the document and this test cannot drift apart.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime

import pytest
import time_machine
from sqlalchemy import select

from stations.cases.models import Case
from stations.config import REPO_ROOT
from stations.crossregion.models import AgreementKind, PartnerKey, PartnerRegion
from stations.extensions import db
from stations.timeutil import utcnow

DOC = (REPO_ROOT / "docs" / "federation.md").read_text(encoding="utf-8")


def worked_example() -> dict[str, str]:
    section = DOC.split("### Worked example", 1)[1].split("\n## ", 1)[0]
    blocks = [block.strip() for block in re.findall(r"```(?:text|json)\n(.*?)\n\s*```", section, re.DOTALL)]
    key, headers, body, digest, signing_string, signature = blocks
    fields = dict(line.strip().split(": ", 1) for line in headers.splitlines())
    return {
        "key": key,
        "body": body,
        "digest": digest,
        "signing_string": signing_string,
        "signature": signature.split(": ", 1)[1],
        **fields,
    }


@pytest.fixture
def example() -> dict[str, str]:
    return worked_example()


def test_the_documented_signature_is_what_hashlib_and_hmac_give(example):
    body = example["body"].encode("utf-8")
    assert len(body) == int(re.search(r"body \((\d+) bytes", DOC).group(1))
    digest = hashlib.sha256(body).hexdigest()
    assert digest == example["digest"]
    signing_string = b"\n".join(
        [
            b"POST",
            b"/federation/v1/messages",
            example["X-XR-Timestamp"].encode(),
            example["X-XR-Nonce"].encode(),
            digest.encode(),
        ]
    )
    assert repr(signing_string) == example["signing_string"]
    mac = hmac.new(example["key"].encode(), signing_string, hashlib.sha256).hexdigest()
    assert example["signature"] == f"hmac-sha256={mac}"


def test_the_app_accepts_the_worked_example(client, example):
    partner = PartnerRegion(code=example["X-XR-Region"], name="示例伙伴", agreement_kind=AgreementKind.CROSS_REGION)
    partner.base_url, partner.is_active = "http://loopback.test", True
    db.session.add(partner)
    db.session.flush()
    db.session.add(
        PartnerKey(
            partner_id=partner.id,
            key_id=example["X-XR-Key-Id"],
            secret=example["key"],
            not_before=datetime(2025, 1, 1),  # before the example's timestamp (2026-01-01)
            created_at=utcnow(),
        )
    )
    db.session.commit()
    headers = {name: value for name, value in example.items() if name.startswith("X-XR-")}
    headers["X-XR-Signature"] = example["signature"]
    headers["Content-Type"] = "application/json"
    with time_machine.travel(int(example["X-XR-Timestamp"]) + 5, tick=False):
        response = client.post("/federation/v1/messages", data=example["body"].encode(), headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["result"]["state"] == "RECEIVED"
    case_no = response.get_json()["result"]["remote_case_no"]
    assert db.session.scalar(select(Case).where(Case.case_no == case_no)) is not None


def test_set_partner_takes_a_key_id(app):
    runner = app.test_cli_runner()
    args = [
        "crossregion",
        "set-partner",
        "KQ",
        "--url",
        "http://127.0.0.1:5999",
        "--key",
        "s3cret-k1",
        "--key-id",
        "k1",
    ]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=[*args[:-4], "--key", "s3cret-k1b", "--key-id", "k1"]).exit_code == 0  # replaces
    partner = db.session.scalar(select(PartnerRegion).where(PartnerRegion.code == "KQ"))
    [key] = db.session.scalars(select(PartnerKey).where(PartnerKey.partner_id == partner.id)).all()
    assert (key.key_id, key.secret, key.not_after) == ("k1", "s3cret-k1b", None)
    assert partner.shared_key is None
    assert runner.invoke(args=["crossregion", "set-partner", "KQ", "--key-id", "k2"]).exit_code != 0
