"""Test helpers for crossregion (moved out of tests/crossregion/conftest.py, which keeps only fixtures)."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
import uuid

from flask.testing import FlaskClient
from sqlalchemy import select

from stations.catalog.models import ServiceItem
from stations.crossregion import signing
from stations.crossregion.protocol import encode
from stations.crossregion.services import FEDERATION_PATH
from stations.extensions import db

KEY = "test-shared-key-0123456789abcdef"


CREDIT_CODE = "91610000MA6TG12349"  # valid GB 32100 check character; not a demo enterprise


PDF_HEAD = b"%PDF-1.4\n"


# A demo item every station accepts (社会保障卡申领, 3 WD): a forwarded case has somewhere to go (ZX first).
XR_ITEM_CODE = "GG-SB-0005"


XR_MATERIAL = "社会保障卡申领申请表"


def xr_item() -> ServiceItem:
    return db.session.scalar(select(ServiceItem).where(ServiceItem.code == XR_ITEM_CODE))


def forward_payload(case_no: str = "PX0001", content: bytes = b"form") -> dict:
    content = PDF_HEAD + content
    return {
        "case_no": case_no,
        "item_code": XR_ITEM_CODE,
        "item_name": "社会保障卡申领",
        "applicant_name": "张三",
        "enterprise": {"name": "示例企业有限公司", "credit_code": CREDIT_CODE},
        "materials": [
            {
                "name": XR_MATERIAL,
                "sha256": hashlib.sha256(content).hexdigest(),
                "content": base64.b64encode(content).decode(),
            }
        ],
    }


def signed_post(
    client: FlaskClient,
    body: bytes,
    *,
    region: str = "PX",
    key: str = KEY,
    timestamp: int | None = None,
    nonce: str | None = None,
    path: str = FEDERATION_PATH,
    sign_path: str | None = None,
    tamper=None,
):
    timestamp_text = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or secrets.token_hex(16)
    headers = {
        "Content-Type": "application/json",
        signing.HEADER_REGION: region,
        signing.HEADER_TIMESTAMP: timestamp_text,
        signing.HEADER_NONCE: nonce,
        signing.HEADER_SIGNATURE: signing.sign(key, "POST", sign_path or path, timestamp_text, nonce, body),
    }
    if tamper:
        body = tamper(body)
    return client.post(path, data=body, headers=headers)


def message(
    kind: str = "forward", payload: dict | None = None, *, message_id: str | None = None, sender: str = "PX"
) -> bytes:
    return encode(message_id or str(uuid.uuid4()), kind, sender, payload if payload is not None else forward_payload())
