"""Page models of the case pages, computed in Python: queue rows with their one-tap actions, the case page."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from flask import url_for
from flask_babel import gettext as _

from ..access import APPLICANT_ROLES, actor_for, may_see_query_code, offers_manual_channel
from ..auth.models import User
from ..calendar.services import current_calendar
from ..domain.case_flow import available_events
from ..domain.case_vocabulary import (
    DECIDED_STATUSES,
    EVENT_LABELS,
    NOTE_REQUIRED_EVENTS,
    PARTNER_PENDING_STATUSES,
    STATUS_LABELS,
    CaseEvent,
    CaseStatus,
)
from ..domain.deadlines import WarnLevel, remaining_working_days
from ..domain.deficiency_flow import DEFICIENCY_EVENT_LABELS, DeficiencyEvent, available_deficiency_events
from ..enterprises import queries as enterprise_queries
from ..timeutil import business_today
from . import checklist, page_queries, queries
from .guide import OTHER_EVENT_LABELS, applicant_guide, plain_event
from .labels import (
    CONFIRMED_ROW_EVENTS,
    EVENTS_WITH_NOTE,
    EVENTS_WITH_REASON,
    ROW_EVENTS,
    deficiency_tag,
    template_labels,
)
from .models import Case, MaterialStatus
from .services import facts_for
from .xr_port import PartnerChoice
from .xr_port import port as xr_port


@dataclass(frozen=True)
class RowAction:
    """One button of a queue row: what it fires, where it posts, what it reads, whether it asks once more."""

    event: CaseEvent
    url: str
    label: str
    confirm: bool


@dataclass
class QueueRow:
    case: Case
    level: str
    remaining: int | None  # working days left (negative: overdue); None once decided or paused
    quick: list[CaseEvent]  # events a tap on the row fires
    more: bool  # other events need the case page
    forward_to: PartnerChoice | None = None  # the one partner a row's forward button sends the case to
    confirm: frozenset[CaseEvent] = frozenset()  # quick events asked once more (with an optional note) before firing
    show_url: str = ""
    actions: tuple[RowAction, ...] = ()  # ``quick`` as buttons, labels and links computed here, once per row


class CaseLinks:
    """The case page's and the event form's URLs of any row, from one ``url_for`` each per request: a queue page
    asked the URL map for about a hundred links. Case numbers and event names are URL-safe ASCII, so the
    placeholders are replaced as they are."""

    def __init__(self) -> None:
        self._show = url_for("cases.show", case_no="CASE-NO")
        self._event = url_for("cases.event", case_no="CASE-NO", event_name="EVENT-NAME")

    def show(self, case_no: str) -> str:
        return self._show.replace("CASE-NO", case_no)

    def event(self, case_no: str, event: CaseEvent) -> str:
        return self._event.replace("CASE-NO", case_no).replace("EVENT-NAME", event.value)


def _row_label(event: CaseEvent, forward_to: PartnerChoice | None) -> str:
    if event is CaseEvent.DELIVER:
        return _("窗口领取送达")
    if event is CaseEvent.FORWARD and forward_to is not None:
        return _("转%(partner)s办理", partner=forward_to.name)
    return _(EVENT_LABELS[event])


def remaining_days(case: Case, level: str, today: date, calendar) -> int | None:
    if case.due_on is None or level in (WarnLevel.DONE.value, WarnLevel.PAUSED.value):
        return None
    return remaining_working_days(today, case.due_on, calendar)


def queue_rows(user: User, pairs: list[tuple[Case, str]]) -> list[QueueRow]:
    """Rows with their one-tap actions: a fixed number of queries for the whole page."""
    cases = [case for case, _level in pairs]
    if not cases:
        return []
    checklists = checklist.checklists(case.id for case in cases)
    # Every row came through the user's scope, so the user acts on each in the same role: ask once.
    actor = actor_for(user, cases[0])
    calendar = current_calendar()
    today = business_today()
    links = CaseLinks()
    rows = []
    for case, level in pairs:
        events = available_events(facts_for(case, checklist=checklists[case.id]), actor) if actor else []
        quick = [event for event in events if event in ROW_EVENTS]
        forward_to = None
        if CaseEvent.FORWARD in quick:
            # One tap forwards only a case taken in for a partner district (chosen at intake); any other case
            # can still be forwarded from its page, where the partner is chosen.
            partners = xr_port().partners_for_item(case.item_id) if case.xr_partner_code else []
            forward_to = next((p for p in partners if p.code == case.xr_partner_code), None)
            if forward_to is None:
                quick.remove(CaseEvent.FORWARD)
        more = len(events) > len(quick)
        confirm = frozenset(event for event in quick if event in CONFIRMED_ROW_EVENTS)
        actions = tuple(
            RowAction(event, links.event(case.case_no, event), _row_label(event, forward_to), event in confirm)
            for event in quick
        )
        remaining = remaining_days(case, level, today, calendar)
        rows.append(
            QueueRow(case, level, remaining, quick, more, forward_to, confirm, links.show(case.case_no), actions)
        )
    return rows


def row_of(user: User, case: Case) -> QueueRow:
    return queue_rows(user, [(case, queries.warn_level_of(case))])[0]


def event_label(name: str) -> str:
    for enum_cls, labels in ((CaseEvent, EVENT_LABELS), (DeficiencyEvent, DEFICIENCY_EVENT_LABELS)):
        try:
            return _(labels[enum_cls(name)])
        except (ValueError, KeyError):
            continue
    if name in OTHER_EVENT_LABELS:
        return str(OTHER_EVENT_LABELS[name])
    return name


def status_label(value: str | None) -> str:
    try:
        return _(STATUS_LABELS[CaseStatus(value)]) if value else ""
    except ValueError:
        return value or ""


def page_events(case: Case, user: User) -> list[CaseEvent]:
    """What the user can do now. Accept is offered too when ticking the handed-in materials would allow it."""
    actor = actor_for(user, case)
    if actor is None:
        return []
    facts = facts_for(case)
    events = available_events(facts, actor)
    required = [m for m in case.materials if m.item_material.is_required]
    if any(m.status is MaterialStatus.PROVIDED for m in required):
        ticked = replace(
            facts,
            required_materials_verified=all(
                m.status in (MaterialStatus.VERIFIED, MaterialStatus.PROVIDED) for m in required
            ),
        )
        possible = available_events(ticked, actor)
        for checked in (CaseEvent.ACCEPT, CaseEvent.FORWARD):  # both check the materials (forward: 形式审查)
            if checked not in events and checked in possible:
                events = sorted([*events, checked], key=list(CaseEvent).index)
    return events


@dataclass(frozen=True)
class CaseAction:
    """One action the case page offers: its event and which fields its form shows (computed here, not in the
    template, so a new event or status cannot silently show the wrong form)."""

    event: CaseEvent
    note_label: str | None = None  # the note field's label, when the event takes a note
    note_required: bool = False  # the core refuses the event without it (case_vocabulary.NOTE_REQUIRED_EVENTS)
    note_prefill: str = ""  # a correction notice starts from the materials still missing
    reason_label: str | None = None  # refuse / terminate: a required reason
    ticks_materials: bool = False  # accept / forward: tick the handed-in materials as checked
    asks_commitment: bool = False  # 容缺: the signed commitment and the materials it covers
    asks_delivery_mode: bool = False
    chooses_partner: bool = False

    @property
    def needs_input(self) -> bool:
        """A form to fill in (a card that opens) rather than a one-tap button."""
        return bool(
            self.note_label
            or self.reason_label
            or self.ticks_materials
            or self.asks_commitment
            or self.asks_delivery_mode
            or self.chooses_partner
        )


def case_actions(events: list[CaseEvent], *, provided: list, gaps: list) -> list[CaseAction]:
    """The case page's actions for ``events``, each with the fields its form needs."""
    actions = []
    for event in events:
        note_label = EVENTS_WITH_NOTE.get(event)
        reason_label = EVENTS_WITH_REASON.get(event)
        actions.append(
            CaseAction(
                event=event,
                note_label=str(note_label) if note_label else None,
                note_required=event in NOTE_REQUIRED_EVENTS,
                note_prefill="、".join(m.item_material.name for m in gaps)
                if event is CaseEvent.REQUEST_CORRECTION
                else "",
                reason_label=str(reason_label) if reason_label else None,
                ticks_materials=event in (CaseEvent.ACCEPT, CaseEvent.FORWARD) and bool(provided),
                asks_commitment=event is CaseEvent.ACCEPT_WITH_DEFICIENCY,
                asks_delivery_mode=event is CaseEvent.DELIVER,
                chooses_partner=event is CaseEvent.FORWARD,
            )
        )
    return actions


def applicant_view(user: User) -> bool:
    """The case page as its applicant reads it: the guide in sentences, "my" document store, no queue to go back to.

    An enterprise user or a natural person (APPLICANT_ROLES; a person's case belongs to its person record). A person
    once got the staff's variant, with a breadcrumb to a queue that refuses them. The rating panel decides for
    itself who may rate (ratings.views.rating_panel_for).
    """
    return user.role in APPLICANT_ROLES


def show_context(user: User, case: Case, **extra) -> dict:
    today = business_today()
    calendar = current_calendar()
    level = queries.warn_level_of(case)
    actor = actor_for(user, case)
    page_queries.load_users([record.actor_id for record in case.events] + [d.responsible_id for d in case.deficiencies])
    deficiencies = [
        (
            deficiency,
            deficiency_tag(deficiency.status, deficiency.supply_deadline, deficiency.warn_on, today),
            available_deficiency_events(deficiency.status, actor) if actor else [],
        )
        for deficiency in case.deficiencies
    ]
    can_supply = any(DeficiencyEvent.SUPPLY in events for _d, _t, events in deficiencies)
    required = [m for m in case.materials if m.item_material.is_required]
    timeline = [
        {
            "record": record,
            "label": event_label(record.event),
            "from": status_label(record.from_status),
            "to": status_label(record.to_status),
            "changed": record.from_status != record.to_status,
            "plain": plain_event(record),
        }
        for record in case.events
    ]
    applicant = applicant_view(user)
    # The applicant reads the page in sentences: what is missing, what to do next (guide.py).
    guide = applicant_guide(case, can_act=actor is not None, today=today) if applicant else None
    events = page_events(case, user)
    if guide is not None and guide.can_supply:
        can_supply = True
    provided = [m for m in case.materials if m.status is MaterialStatus.PROVIDED]
    gaps = [m for m in required if m.status is not MaterialStatus.VERIFIED]
    context = {
        "user": user,
        "case": case,
        "level": level,
        "remaining": remaining_days(case, level, today, calendar),
        "events": events,
        "actions": case_actions(events, provided=provided, gaps=gaps),
        "is_decided": case.status in DECIDED_STATUSES,
        "awaits_partner": case.status in PARTNER_PENDING_STATUSES,
        "xr_partners": xr_port().partners_for_item(case.item_id) if CaseEvent.FORWARD in events else [],
        "deficiencies": deficiencies,
        "documents": enterprise_queries.valid_documents(case.enterprise_id, today) if can_supply else [],
        "provided": provided,
        "missing": [m for m in required if m.status in (MaterialStatus.MISSING, MaterialStatus.NEEDS_CORRECTION)],
        "gaps": gaps,
        "timeline": timeline,
        "guide": guide,
        "applicant_view": applicant,
        "manual_channel": offers_manual_channel(user, case),
        "show_query_code": may_see_query_code(user),
        "posted": {},
        "failed_event": None,
        "action_error": None,
        "conflict": None,
        **template_labels(),
        **extra,
    }
    context["error_in_form"] = error_in_form(context["failed_event"], _page_forms(context))
    return context


def _page_forms(context: dict) -> set[str]:
    """The keys of the forms on the case page that show their own errors (``failed_event`` names one)."""
    forms = {act.event.value for act in context["actions"] if act.needs_input}
    forms |= {f"supply-{d.id}" for d, _tag, events in context["deficiencies"] if DeficiencyEvent.SUPPLY in events}
    guide = context["guide"]
    if guide is not None:
        forms |= {f"material-{row.material.id}" for row in guide.missing if row.can_supply and row.material}
    return forms


def error_in_form(failed_event: str | None, forms: set[str]) -> bool:
    """Whether the failed action's form is on the page to show its error summary (else the error goes on top)."""
    return bool(failed_event) and failed_event in forms
