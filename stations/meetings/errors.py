"""The refusals of the meetings package: a code for machines, a status for HTTP."""

from __future__ import annotations


class MeetingError(Exception):
    """A refused write: ``code`` for machines, ``status`` for HTTP (409 stale or taken, 422 otherwise)."""

    status = 422

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class StaleVersion(MeetingError):
    status = 409

    def __init__(self) -> None:
        super().__init__("stale_version")


class SlotTaken(MeetingError):
    status = 409

    def __init__(self) -> None:
        super().__init__("slot_taken")


class FlowRefused(MeetingError):
    """The machine said no: illegal now, not for this caller, or a guard (``code`` = the guard's code)."""
