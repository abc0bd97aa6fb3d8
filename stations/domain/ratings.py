"""好差评 and 差评整改 (domain.md §2.13, §3.6, §4.4, §5.4): the rating scale and the rectification state machine.

Pure rules only: the scale and its labels, the transition table of a rectification, its deadlines (§4.4 rule 7) and
its red / yellow / green tag. The calendar, ``now`` and ``today`` are parameters.

Rectification (one per 差评, i.e. a rating of level ≤ 2)::

    PENDING_ASSIGN --assign [SYSTEM "谁办理、谁负责" | STAFF claims | SUPERVISOR]--> ASSIGNED
    ASSIGNED --callback [STAFF] (contact the evaluator, verify the facts)--> VERIFIED
    VERIFIED --start_fix [STAFF] (立行立改 / 台账限期整改)--> RECTIFYING
    VERIFIED --explain [STAFF] (no legal basis for the demand: 解释说明)--> FEEDBACK_GIVEN
    RECTIFYING --report_done [STAFF] (measures + answer)--> FEEDBACK_GIVEN
    FEEDBACK_GIVEN --react_satisfied | react_basic [APPLICANT]--> CLOSED
    FEEDBACK_GIVEN --react_unsatisfied [APPLICANT]--> RECTIFYING (once), then ESCALATED
    FEEDBACK_GIVEN --no_response [SYSTEM] (3 WD without an answer)--> CLOSED
    ESCALATED --close [SUPERVISOR]--> CLOSED

Appeals (申诉复核) are not modelled here yet.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time

from stations.domain.case_vocabulary import CaseStatus
from stations.domain.deadlines import CLOSING_TIME, WarnLevel, compute_deadline

# A case may be rated once delivered (评价 after 送达).
RATABLE_STATUSES = frozenset({CaseStatus.DELIVERED})


def N_(message: str) -> str:
    """Mark a msgid for Babel extraction; translate with gettext() at render time."""
    return message


# --- the rating scale (§4.4 rules 1-2) ----------------------------------------------------------------------------

MIN_LEVEL = 1
MAX_LEVEL = 5
BAD_LEVEL_MAX = 2  # 差评 = 不满意 (2) + 非常不满意 (1)

LEVEL_LABELS: dict[int, str] = {
    5: N_("非常满意"),
    4: N_("满意"),
    3: N_("基本满意"),
    2: N_("不满意"),
    1: N_("非常不满意"),
}

# Preset 差评 reasons the evaluator may tick (free text is allowed too) [S5]; codes are stored.
PRESET_REASONS: dict[str, str] = {
    "SLOW": N_("办理时间长"),
    "MANY_VISITS": N_("多次跑腿"),
    "UNCLEAR_GUIDE": N_("一次性告知不清楚"),
    "ATTITUDE": N_("服务态度不好"),
    "WAITING": N_("排队等候时间长"),
    "SYSTEM": N_("系统操作不便"),
    "OTHER": N_("其他"),
}
MAX_COMMENT = 1000


def is_valid_level(level: object) -> bool:
    return isinstance(level, int) and not isinstance(level, bool) and MIN_LEVEL <= level <= MAX_LEVEL


def is_bad(level: int) -> bool:
    """A 差评 (levels 1-2) opens a rectification."""
    return level <= BAD_LEVEL_MAX


def clean_reasons(codes: list[str]) -> list[str]:
    """The known preset reason codes among ``codes``, in the catalogue's order, without duplicates.

    :raise ValueError: when a code is not a preset reason.
    """
    unknown = [code for code in codes if code not in PRESET_REASONS]
    if unknown:
        raise ValueError(f"unknown reasons: {unknown}")
    return [code for code in PRESET_REASONS if code in codes]


def average(levels_sum: int | float | None, count: int) -> float | None:
    """Mean level rounded to 2 places, None without ratings (never 0, which would read as "all bad")."""
    if not count or levels_sum is None:
        return None
    return round(float(levels_sum) / count, 2)


# --- the rectification state machine (§3.6) -----------------------------------------------------------------------


class RectificationStatus(enum.StrEnum):
    PENDING_ASSIGN = "PENDING_ASSIGN"
    ASSIGNED = "ASSIGNED"
    VERIFIED = "VERIFIED"
    RECTIFYING = "RECTIFYING"
    FEEDBACK_GIVEN = "FEEDBACK_GIVEN"
    ESCALATED = "ESCALATED"
    CLOSED = "CLOSED"


STATUS_LABELS: dict[RectificationStatus, str] = {
    RectificationStatus.PENDING_ASSIGN: N_("待分派"),
    RectificationStatus.ASSIGNED: N_("待回访"),
    RectificationStatus.VERIFIED: N_("已回访核实"),
    RectificationStatus.RECTIFYING: N_("整改中"),
    RectificationStatus.FEEDBACK_GIVEN: N_("已反馈"),
    RectificationStatus.ESCALATED: N_("已上报督办"),
    RectificationStatus.CLOSED: N_("已办结"),
}


class RectificationEvent(enum.StrEnum):
    ASSIGN = "assign"
    CALLBACK = "callback"
    START_FIX = "start_fix"
    EXPLAIN = "explain"
    REPORT_DONE = "report_done"
    REACT_SATISFIED = "react_satisfied"
    REACT_BASIC = "react_basic"
    REACT_UNSATISFIED = "react_unsatisfied"
    NO_RESPONSE = "no_response"
    CLOSE = "close"


EVENT_LABELS: dict[RectificationEvent, str] = {
    RectificationEvent.ASSIGN: N_("认领"),
    RectificationEvent.CALLBACK: N_("回访核实"),
    RectificationEvent.START_FIX: N_("开始整改"),
    RectificationEvent.EXPLAIN: N_("解释说明"),
    RectificationEvent.REPORT_DONE: N_("反馈整改结果"),
    RectificationEvent.REACT_SATISFIED: N_("满意"),
    RectificationEvent.REACT_BASIC: N_("基本满意"),
    RectificationEvent.REACT_UNSATISFIED: N_("不满意"),
    RectificationEvent.NO_RESPONSE: N_("逾期未评价，自动办结"),
    RectificationEvent.CLOSE: N_("督办办结"),
}


class Reaction(enum.StrEnum):
    """How the evaluator rates the rectification (§4.4 rule 8)."""

    SATISFIED = "SATISFIED"
    BASIC = "BASIC"
    UNSATISFIED = "UNSATISFIED"
    NO_RESPONSE = "NO_RESPONSE"


REACTION_LABELS: dict[Reaction, str] = {
    Reaction.SATISFIED: N_("满意"),
    Reaction.BASIC: N_("基本满意"),
    Reaction.UNSATISFIED: N_("不满意"),
    Reaction.NO_RESPONSE: N_("未评价"),
}
REACTION_EVENTS: dict[Reaction, RectificationEvent] = {
    Reaction.SATISFIED: RectificationEvent.REACT_SATISFIED,
    Reaction.BASIC: RectificationEvent.REACT_BASIC,
    Reaction.UNSATISFIED: RectificationEvent.REACT_UNSATISFIED,
}


class Disposition(enum.StrEnum):
    FIX_NOW = "FIX_NOW"  # 立行立改
    FIX_LATER = "FIX_LATER"  # 台账限期整改
    EXPLAIN = "EXPLAIN"  # 解释说明


DISPOSITION_LABELS: dict[Disposition, str] = {
    Disposition.FIX_NOW: N_("立行立改"),
    Disposition.FIX_LATER: N_("台账限期整改"),
    Disposition.EXPLAIN: N_("解释说明"),
}


class Actor(enum.StrEnum):
    SYSTEM = "SYSTEM"
    STAFF = "STAFF"  # staff of the rated case's station (谁办理、谁负责)
    APPLICANT = "APPLICANT"  # the enterprise that rated
    SUPERVISOR = "SUPERVISOR"  # the administrator


class RectificationError(Exception):
    code = "rectification_error"


class IllegalTransition(RectificationError):
    code = "illegal_transition"


class NotPermitted(RectificationError):
    code = "not_permitted"


S, E = RectificationStatus, RectificationEvent
# (status, event) -> (target, actors). REACT_UNSATISFIED's target depends on how often it was reopened.
TRANSITIONS: dict[tuple[RectificationStatus, RectificationEvent], tuple[RectificationStatus, frozenset[Actor]]] = {
    (S.PENDING_ASSIGN, E.ASSIGN): (S.ASSIGNED, frozenset({Actor.SYSTEM, Actor.STAFF, Actor.SUPERVISOR})),
    (S.ASSIGNED, E.CALLBACK): (S.VERIFIED, frozenset({Actor.STAFF})),
    (S.VERIFIED, E.START_FIX): (S.RECTIFYING, frozenset({Actor.STAFF})),
    (S.VERIFIED, E.EXPLAIN): (S.FEEDBACK_GIVEN, frozenset({Actor.STAFF})),
    (S.RECTIFYING, E.REPORT_DONE): (S.FEEDBACK_GIVEN, frozenset({Actor.STAFF})),
    (S.FEEDBACK_GIVEN, E.REACT_SATISFIED): (S.CLOSED, frozenset({Actor.APPLICANT})),
    (S.FEEDBACK_GIVEN, E.REACT_BASIC): (S.CLOSED, frozenset({Actor.APPLICANT})),
    (S.FEEDBACK_GIVEN, E.REACT_UNSATISFIED): (S.RECTIFYING, frozenset({Actor.APPLICANT})),
    (S.FEEDBACK_GIVEN, E.NO_RESPONSE): (S.CLOSED, frozenset({Actor.SYSTEM})),
    (S.ESCALATED, E.CLOSE): (S.CLOSED, frozenset({Actor.SUPERVISOR})),
}
del S, E

MAX_REOPENS = 1  # 不满意 sends it back to RECTIFYING once; the second 不满意 escalates to the supervisor
# While these hold, the first call-back deadline (1 WD) is what counts.
AWAITING_CALLBACK = frozenset({RectificationStatus.PENDING_ASSIGN, RectificationStatus.ASSIGNED})
# The station has answered (or it is closed / with the supervisor): no deadline runs for the station.
ANSWERED = frozenset({RectificationStatus.FEEDBACK_GIVEN, RectificationStatus.ESCALATED, RectificationStatus.CLOSED})
OPEN = frozenset(RectificationStatus) - {RectificationStatus.CLOSED}


def next_status(
    status: RectificationStatus, event: RectificationEvent, actor: Actor, *, reopen_count: int = 0
) -> RectificationStatus:
    """The status after ``event``.

    :raise IllegalTransition: when the event does not apply to the status.
    :raise NotPermitted: when the actor may not fire it.
    """
    entry = TRANSITIONS.get((status, event))
    if entry is None:
        raise IllegalTransition(f"{event} from {status}")
    target, actors = entry
    if actor not in actors:
        raise NotPermitted(f"{actor} may not {event}")
    if event is RectificationEvent.REACT_UNSATISFIED and reopen_count >= MAX_REOPENS:
        return RectificationStatus.ESCALATED
    return target


def available_events(status: RectificationStatus, actor: Actor) -> list[RectificationEvent]:
    """The events ``actor`` may fire now, in the table's order."""
    return [event for (st, event), (_t, actors) in TRANSITIONS.items() if st is status and actor in actors]


# --- deadlines and tags (§4.4 rule 7, §4.2) -----------------------------------------------------------------------

CALLBACK_DAYS = 1  # assign and first call-back within 1 working day
ANSWER_DAYS = 5  # rectify and answer within 5 working days (15 for complex cases, with approval: not modelled)


@dataclass(frozen=True)
class RectificationDeadlines:
    callback_due_on: date  # assign + first call-back by the end of this day
    due_on: date  # rectified and answered by the end of this day
    warn_on: date  # first day the rectification shows YELLOW


def rectification_deadlines(opened_local: datetime, calendar, closing: time = CLOSING_TIME) -> RectificationDeadlines:
    """Deadlines of a rectification opened at ``opened_local`` (naive business time), counted like a case's.

    The opening day does not count; an opening on a non-working day or after closing time counts from the next
    working day (§4.1 rules 2 and 4).
    """
    callback = compute_deadline(opened_local, CALLBACK_DAYS, calendar, closing=closing)
    answer = compute_deadline(opened_local, ANSWER_DAYS, calendar, closing=closing)
    return RectificationDeadlines(callback_due_on=callback.due_on, due_on=answer.due_on, warn_on=answer.warn_on)


def rectification_tag(
    status: RectificationStatus,
    *,
    today: date,
    callback_due_on: date | None,
    due_on: date | None,
    warn_on: date | None,
) -> WarnLevel:
    """DONE once answered; RED when a deadline passed (the call-back one while awaiting it); YELLOW on the call-back
    day or from ``warn_on``; GREEN otherwise. ratings/queries.py states the same rule in SQL."""
    if status in ANSWERED:
        return WarnLevel.DONE
    awaiting_callback = status in AWAITING_CALLBACK
    if (due_on is not None and today > due_on) or (
        awaiting_callback and callback_due_on is not None and today > callback_due_on
    ):
        return WarnLevel.RED
    if (warn_on is not None and today >= warn_on) or (
        awaiting_callback and callback_due_on is not None and today >= callback_due_on
    ):
        return WarnLevel.YELLOW
    return WarnLevel.GREEN
