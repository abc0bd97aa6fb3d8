"""What every transition table of the domain shares (cases, appeals, meetings): the row, the three refusals, the
order the checks run in, and the list of events one may fire now.

Each machine keeps its own table, guards and error classes (callers catch ``CaseFlowError``, ``AppealFlowError``,
``MeetingFlowError``); the classes here are their common bases, so the wording and the attributes of a refusal are
the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

E = TypeVar("E")
R = TypeVar("R")


@dataclass(frozen=True)
class Transition:
    event: Any
    sources: frozenset[Any]  # None = a record not yet created
    target: Any  # None (meetings): the status does not change
    actors: frozenset[Any]


def row(event: Any, sources: Iterable[Any], target: Any, *actors: Any) -> Transition:
    """A table row, written the short way: ``row(event, [source, ...], target, actor, ...)``."""
    return Transition(event, frozenset(sources), target, frozenset(actors))


class FlowError(Exception):
    code: str = "flow_error"

    @property
    def message(self) -> str:
        return str(self)


class IllegalTransition(FlowError):
    """The event does not apply to the current status."""

    code = "illegal_transition"
    new_record: ClassVar[str] = "a new record"  # the words for "no status yet" in the message

    def __init__(self, event: str, status: str | None) -> None:
        super().__init__(f"{event} does not apply to {status or self.new_record}")
        self.event = event  # no ``status`` attribute: the edges read ``error.status`` as an HTTP status


class NotPermitted(FlowError):
    code = "not_permitted"

    def __init__(self, event: str, actor: str) -> None:
        super().__init__(f"{actor} may not fire {event}")
        self.event = event
        self.actor = actor


class GuardFailed(FlowError):
    """A guard failed; ``code`` is the reason code, ``message`` its words from the machine's ``messages``."""

    messages: ClassVar[Mapping[str, str]] = {}

    def __init__(self, event: str, reason_code: str) -> None:
        super().__init__(f"{event}: {reason_code}")
        self.event = event
        self.reason_code = reason_code
        self.code = reason_code

    @property
    def message(self) -> str:
        return self.messages.get(self.reason_code, self.reason_code)


@dataclass(frozen=True)
class Refusals:
    """A machine's own three error classes, raised by ``check``."""

    illegal: type[IllegalTransition]
    not_permitted: type[NotPermitted]
    guard_failed: type[GuardFailed]


def check(
    refusals: Refusals,
    transition: R | None,
    *,
    event: Any,
    status: Any,
    actor: Any,
    actor_allowed: Callable[[R], bool],
    guard_codes: Callable[[], Iterable[str]],
    form_guard_codes: frozenset[str],
    include_form_guards: bool,
) -> R:
    """The checks in their fixed order: the event applies to the status, then the actor, then the guards (the
    first failing code). Guards on form input are skipped when ``include_form_guards`` is false (the form will
    ask for them)."""
    if transition is None:
        raise refusals.illegal(event, status)
    if not actor_allowed(transition):
        raise refusals.not_permitted(event, actor)
    for code in guard_codes():
        if include_form_guards or code not in form_guard_codes:
            raise refusals.guard_failed(event, code)
    return transition


def firable(events: Iterable[E], attempt: Callable[[E], object], refused: type[Exception]) -> list[E]:
    """The events for which ``attempt`` raises no ``refused``, in the order given."""
    allowed = []
    for event in events:
        try:
            attempt(event)
        except refused:
            continue
        allowed.append(event)
    return allowed
