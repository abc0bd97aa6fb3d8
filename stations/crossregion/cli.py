"""`flask crossregion ...`: the outbox worker and the commands of the two-district demonstration."""

from __future__ import annotations

import hashlib
import time

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from ..extensions import db
from .delivery import deliver_once, pending_count
from .models import AgreementKind, InboxMessage, OutboxMessage, OutboxStatus, PartnerRegion, Transfer, TransferDirection
from .services import forward_transfer, partner_by_code, report_status, sign_inbound

crossregion_group = AppGroup("crossregion", help="Cross-region (跨区通办) federation.")


@crossregion_group.command("deliver")
@click.option("--loop", is_flag=True, help="Keep delivering until interrupted (default: one round).")
@click.option("--interval", type=float, default=1.0, help="Seconds between rounds when nothing was sent.")
@click.option("--until-empty", is_flag=True, help="Loop until the outbox has nothing pending.")
@click.option("--max-seconds", type=float, default=0, help="Stop looping after this many seconds (0: never).")
@click.option("--batch", type=int, default=50, help="Messages per partner and round.")
def deliver_command(loop: bool, interval: float, until_empty: bool, max_seconds: float, batch: int) -> None:
    """Deliver due outbox messages (a queue per partner, exponential backoff)."""
    region = current_app.config["REGION_CODE"]
    started = time.monotonic()
    total = 0
    while True:
        delivered, _failed = deliver_once(region, batch=batch)
        total += delivered
        if not (loop or until_empty):
            break
        if until_empty and pending_count() == 0:
            break
        if max_seconds and time.monotonic() - started > max_seconds:
            break
        if not delivered:
            time.sleep(interval)
    elapsed = time.monotonic() - started
    rate = total / elapsed if elapsed > 0 else 0.0
    click.echo(f"delivered {total} in {elapsed:.2f} s ({rate:.1f} messages/s), pending {pending_count()}")


@crossregion_group.command("init-demo-db")
def init_demo_db_command() -> None:
    """Create the tables of an empty demonstration database (scripts/two_districts.py; never on real data)."""
    db.create_all()
    click.echo("schema ready")


@crossregion_group.command("set-partner")
@click.argument("code")
@click.option("--name", default=None)
@click.option("--url", "base_url", default=None)
@click.option("--key", "shared_key", default=None)
def set_partner_command(code: str, name: str | None, base_url: str | None, shared_key: str | None) -> None:
    """Create or update a partner district (base URL, shared key)."""
    partner = partner_by_code(code)
    if partner is None:
        partner = PartnerRegion(code=code, name=name or code, agreement_kind=AgreementKind.CROSS_REGION)
        db.session.add(partner)
    if name:
        partner.name = name
    if base_url is not None:
        partner.base_url = base_url
    if shared_key is not None:
        partner.shared_key = shared_key
    partner.is_active = True
    db.session.commit()
    click.echo(f"partner {code} ready")


@crossregion_group.command("demo-forward")
@click.argument("partner_code")
@click.argument("count", type=int)
@click.option("--prefix", default="DEMO")
def demo_forward_command(partner_code: str, count: int, prefix: str) -> None:
    """Forward COUNT synthetic cases to a partner (each one transaction: transfer + outbox row)."""
    partner = partner_by_code(partner_code)
    if partner is None:
        raise click.ClickException(f"no partner {partner_code}")
    for number in range(1, count + 1):
        content = f"{prefix}-{number} application form".encode()
        import base64

        payload = {
            "case_no": f"{prefix}{number:06d}",
            "item_code": "XR-DEMO-001",
            "item_name": "企业名称变更登记(演示)",
            "applicant_name": "演示申请人",
            "enterprise": {"name": "演示企业有限公司", "credit_code": "91610000MA6TG1234X"},
            "materials": [
                {
                    "name": "申请书",
                    "sha256": hashlib.sha256(content).hexdigest(),
                    "content": base64.b64encode(content).decode(),
                }
            ],
        }
        forward_transfer(partner, payload)
        db.session.commit()
    click.echo(f"{count} cases forwarded to {partner_code}")


@crossregion_group.command("demo-advance")
@click.option("--steps", default="ACCEPTED,IN_REVIEW,APPROVED", help="Statuses to report, in order.")
def demo_advance_command(steps: str) -> None:
    """At the handling site: sign for every inbound transfer and report STEPS back (demo)."""
    steps = [step.strip() for step in steps.split(",") if step.strip()]
    transfers = db.session.scalars(select(Transfer).where(Transfer.direction == TransferDirection.INBOUND)).all()
    changed = 0
    for transfer in transfers:
        if transfer.partner_signed_at is None:
            sign_inbound(transfer)
        for status in steps[steps.index(transfer.state) + 1 if transfer.state in steps else 0 :]:
            report_status(transfer, status)
            changed += 1
        db.session.commit()
    click.echo(f"{len(transfers)} inbound transfers, {changed} status changes reported")


@crossregion_group.command("stats")
def stats_command() -> None:
    """Counts as JSON: transfers by direction/state, outbox by status, inbox size."""
    import json

    transfers = db.session.execute(
        select(Transfer.direction, Transfer.state, func.count()).group_by(Transfer.direction, Transfer.state)
    ).all()
    outbox = db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
    duplicates = db.session.scalar(
        select(func.count()).select_from(
            select(Transfer.remote_case_no)
            .where(Transfer.direction == TransferDirection.INBOUND)
            .group_by(Transfer.partner_id, Transfer.remote_case_no)
            .having(func.count() > 1)
            .subquery()
        )
    )
    signed = db.session.scalar(
        select(func.count(Transfer.id)).where(
            Transfer.direction == TransferDirection.OUTBOUND, Transfer.partner_signed_at.is_not(None)
        )
    )
    click.echo(
        json.dumps(
            {
                "transfers": {f"{d.value}:{s}": n for d, s, n in transfers},
                "outbound_signed": signed,
                "inbound_duplicates": duplicates,
                "outbox": {s.value: n for s, n in outbox},
                "pending": db.session.scalar(
                    select(func.count(OutboxMessage.id)).where(OutboxMessage.status != OutboxStatus.DELIVERED)
                ),
                "inbox": db.session.scalar(select(func.count(InboxMessage.id))),
            }
        )
    )
