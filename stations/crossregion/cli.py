"""`flask crossregion ...`: the outbox worker and the commands of the two-district demonstration."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from ..auth import audit
from ..auth.models import Role, User
from ..cases.models import Case, CaseEventRecord, Channel, MaterialStatus
from ..cases.services import PARTNER_ROLE, CaseError, EventInput, MaterialInput, apply_event, receive_case
from ..catalog.models import ServiceItem
from ..database import is_transient
from ..domain.case_flow import CaseFlowError
from ..domain.case_vocabulary import CaseEvent
from ..enterprises.models import Enterprise
from ..enterprises.services import add_document
from ..extensions import db
from ..sites.models import Station, StationItem
from ..timeutil import utcnow
from ..uploads.storage import store_bytes
from . import egress
from .delivery import deliver_once, pending_count
from .models import (
    AgreementKind,
    InboxMessage,
    OutboxMessage,
    OutboxStatus,
    PartnerItem,
    PartnerKey,
    PartnerRegion,
    Transfer,
    TransferDirection,
)
from .services import partner_by_code

log = logging.getLogger("stations.crossregion.worker")

crossregion_group = AppGroup("crossregion", help="Cross-region (跨区通办) federation.")


@crossregion_group.command("deliver")
@click.option("--loop", is_flag=True, help="Keep delivering until interrupted (default: one round).")
@click.option("--interval", type=float, default=1.0, help="Seconds between rounds when nothing was sent.")
@click.option("--until-empty", is_flag=True, help="Loop until the outbox has nothing pending.")
@click.option("--max-seconds", type=float, default=0, help="Stop looping after this many seconds (0: never).")
@click.option("--batch", type=int, default=50, help="Messages per partner and round.")
def deliver_command(loop: bool, interval: float, until_empty: bool, max_seconds: float, batch: int) -> None:
    """Deliver due outbox messages (a queue per partner, exponential backoff).

    With --loop it never exits on an error: a locked or unreachable database, a partner that fails, even a bug
    are logged and the round is tried again after a pause that doubles up to a minute. Run it under a supervisor
    that restarts it anyway (docs/deploy.md: systemd, Restart=always).
    """
    _log_to_stderr()
    region = current_app.config["REGION_CODE"]
    started = time.monotonic()
    total = 0
    errors_in_a_row = 0
    while True:
        try:
            delivered, failed = deliver_once(region, batch=batch)
            errors_in_a_row = 0
        except Exception as error:
            db.session.rollback()
            db.session.remove()
            if not (loop or until_empty):
                raise
            errors_in_a_row += 1
            pause = min(interval * 2**errors_in_a_row, 60.0)
            transient = "transient " if is_transient(error) else ""
            log.error(
                "round failed (%serror %s: %s); next round in %.1f s", transient, type(error).__name__, error, pause
            )
            time.sleep(pause)
            continue
        total += delivered
        if delivered or failed:
            log.info("round: %d delivered, %d failed attempts", delivered, failed)
        if not (loop or until_empty):
            break
        try:
            if until_empty and pending_count() == 0:
                break
        except Exception as error:
            db.session.rollback()
            log.error("could not count pending messages (%s)", error)
        if max_seconds and time.monotonic() - started > max_seconds:
            break
        if not delivered:
            time.sleep(interval)
    elapsed = time.monotonic() - started
    rate = total / elapsed if elapsed > 0 else 0.0
    click.echo(f"delivered {total} in {elapsed:.2f} s ({rate:.1f} messages/s), pending {pending_count()}")


def _log_to_stderr() -> None:
    """One line per round and per failed delivery on stderr (the journal, under systemd)."""
    logger = logging.getLogger("stations.crossregion")
    logger.setLevel(logging.INFO)
    if not logger.hasHandlers():  # Flask's handler on the app's logger ("stations") usually serves
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)


@crossregion_group.command("set-partner")
@click.argument("code")
@click.option("--name", default=None)
@click.option("--url", "base_url", default=None)
@click.option("--key", "shared_key", default=None, help="The secret shared with the partner.")
@click.option(
    "--key-id",
    default=None,
    help="Store --key as this key id (X-XR-Key-Id, valid from now, no expiry); without it --key is the legacy key.",
)
@click.option("--item", "item_codes", multiple=True, help="Our item code the partner handles (same code there).")
def set_partner_command(
    code: str,
    name: str | None,
    base_url: str | None,
    shared_key: str | None,
    key_id: str | None,
    item_codes: tuple[str, ...],
) -> None:
    """Create or update a partner district (base URL, key, items it handles)."""
    partner = partner_by_code(code)
    if partner is None:
        partner = PartnerRegion(code=code, name=name or code, agreement_kind=AgreementKind.CROSS_REGION)
        db.session.add(partner)
    if name:
        partner.name = name
    if base_url is not None:
        if not egress.is_allowed(base_url):  # security.md N5: the same allowlist as the admin page and delivery
            raise click.ClickException(f"{base_url} is not in FEDERATION_EGRESS_ALLOWLIST")
        partner.base_url = base_url
    if key_id and not shared_key:
        raise click.ClickException("--key-id needs --key (the secret)")
    if shared_key is not None and not key_id:
        partner.shared_key = shared_key
    partner.is_active = True
    db.session.flush()
    if key_id:
        _set_key(partner, key_id.strip(), shared_key)
    for item_code in item_codes:
        item = db.session.scalar(select(ServiceItem).where(ServiceItem.code == item_code))
        if item is None:
            raise click.ClickException(f"no item {item_code}")
        known = db.session.scalar(
            select(PartnerItem).where(PartnerItem.partner_id == partner.id, PartnerItem.local_item_id == item.id)
        )
        if known is None:
            db.session.add(
                PartnerItem(
                    partner_id=partner.id,
                    local_item_id=item.id,
                    partner_item_code=item.code,
                    partner_item_name=item.name,
                    is_same_standard=True,
                )
            )
    db.session.commit()
    click.echo(f"partner {code} ready")


def _set_key(partner: PartnerRegion, key_id: str, secret: str) -> None:
    """Add (or replace the secret of) a key row: valid from now, no expiry (docs/federation.md, Keys)."""
    now = utcnow()
    row = db.session.scalar(select(PartnerKey).where(PartnerKey.partner_id == partner.id, PartnerKey.key_id == key_id))
    if row is None:
        row = PartnerKey(partner_id=partner.id, key_id=key_id, created_at=now)
        db.session.add(row)
    row.secret, row.not_before, row.not_after = secret, now - timedelta(seconds=1), None
    db.session.flush()
    audit.record("xr.key_add", "ok", username="cli", detail=f"partner={partner.code} key={key_id}")  # never the secret


DEMO_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@crossregion_group.command("demo-forward")
@click.argument("partner_code")
@click.argument("count", type=int)
@click.option("--station", "station_code", default="LL", help="Intake station (its first staff account acts).")
def demo_forward_command(partner_code: str, count: int, station_code: str) -> None:
    """Take in COUNT real cases at a station and forward each to a partner (demo; one transaction per case).

    Each case: an item the partner handles, a demo enterprise, every required material as a small PDF in the
    enterprise's store, checked at the counter, then the ``forward`` event (transfer + outbox row).
    """
    partner = partner_by_code(partner_code)
    if partner is None:
        raise click.ClickException(f"no partner {partner_code}")
    station = db.session.scalar(select(Station).where(Station.code == station_code))
    staff = db.session.scalar(
        select(User).where(User.role == Role.STAFF, User.station_id == station.id).order_by(User.id)
    )
    item = db.session.scalar(
        select(ServiceItem)
        .join(PartnerItem, PartnerItem.local_item_id == ServiceItem.id)
        .join(StationItem, StationItem.item_id == ServiceItem.id)
        .where(PartnerItem.partner_id == partner.id, StationItem.station_id == station.id)
        .order_by(ServiceItem.id)
    )
    if item is None:
        raise click.ClickException(f"{partner_code} handles no item offered at {station_code}")
    enterprises = list(
        db.session.scalars(select(Enterprise).where(Enterprise.uscc.is_not(None)).order_by(Enterprise.id).limit(20))
    )
    for number in range(count):
        enterprise = enterprises[number % len(enterprises)]
        inputs = []
        for material in item.materials:
            if not material.is_required:
                continue
            stored = store_bytes(
                DEMO_PDF, "application/pdf", f"{material.name}.pdf", enterprise_id=enterprise.id, user_id=staff.id
            )
            document = add_document(enterprise.id, material.name, stored.id, user=staff)
            inputs.append(MaterialInput(material.id, MaterialStatus.VERIFIED, document.id))
        case = receive_case(
            user=staff,
            station=station,
            item=item,
            enterprise=enterprise,
            channel=Channel.STATION,
            applicant_name="演示经办人",
            materials=inputs,
        )
        apply_event(case, CaseEvent.FORWARD, staff, version=case.version, data=EventInput(partner_code=partner.code))
        db.session.commit()
    click.echo(f"{count} cases of {item.code} taken in at {station_code} and forwarded to {partner_code}")


@crossregion_group.command("demo-advance")
@click.option(
    "--steps",
    default="accept,start_review,decide_approve,issue",
    help="Events to fire on each inbound case after signing for it, in order (skipped when not possible).",
)
def demo_advance_command(steps: str) -> None:
    """At the handling site: sign for every inbound case, then fire STEPS as the station's staff (demo)."""
    events = [CaseEvent(step.strip()) for step in steps.split(",") if step.strip()]
    cases = db.session.scalars(select(Case).where(Case.channel == Channel.XR_INBOUND).order_by(Case.id)).all()
    staff_by_station: dict[int, User] = {}
    fired = 0
    for case in cases:
        staff = staff_by_station.get(case.station_id)
        if staff is None:
            staff = db.session.scalar(
                select(User).where(User.role == Role.STAFF, User.station_id == case.station_id).order_by(User.id)
            )
            staff_by_station[case.station_id] = staff
        provided = [m.id for m in case.materials if m.status is MaterialStatus.PROVIDED]
        for event in [CaseEvent.SIGN_FOR, *events]:
            try:
                apply_event(case, event, staff, version=None, data=EventInput(verified_material_ids=provided))
            except (CaseFlowError, CaseError):
                continue
            fired += 1
        db.session.commit()
    click.echo(f"{len(cases)} inbound cases, {fired} events fired and reported")


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
                "cases": {
                    f"{channel.value}:{status.value}": n
                    for channel, status, n in db.session.execute(
                        select(Case.channel, Case.status, func.count())
                        .where(Case.channel.in_((Channel.XR_INBOUND, Channel.XR_OUTBOUND)))
                        .group_by(Case.channel, Case.status)
                    )
                },
                "partner_events": db.session.scalar(
                    select(func.count(CaseEventRecord.id)).where(CaseEventRecord.actor_role == PARTNER_ROLE)
                ),
            }
        )
    )
