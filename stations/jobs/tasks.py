"""The tasks jobs may run, by name, and the periodic schedule. Targets are "module:function" strings, imported only
when a job runs, so this low-level package knows no feature. A task function takes keyword arguments, runs inside an
app context, commits its own work, must be idempotent (a retried job runs it again) and returns a short summary."""

from __future__ import annotations

from dataclasses import dataclass

TASKS: dict[str, str] = {
    "notifications.expiring": "stations.notifications.services:expiring_documents_job",
    "crossregion.deliver": "stations.crossregion.delivery:delivery_job",
    "idempotency.purge": "stations.idempotency.service:purge_job",
    "appeals.sweep": "stations.appeals.services:sweep_job",
    "meetings.remind": "stations.meetings.reminders:remind_job",  # the day before and an hour before
    "jobs.selftest": "stations.jobs.selftest:selftest_job",  # used by the tests and the rehearsal
    "cases.deem_accepted": "stations.cases.jobs:deem_accepted_job",  # issue 12: the legal clock
    "cases.warnings": "stations.cases.jobs:warnings_job",  # issue 12: yellow / red / 容缺 warnings, digests
    "dashboard.export": "stations.dashboard.export_jobs:export_job",  # a long per-case export (issue 20)
    "dashboard.exports_purge": "stations.dashboard.export_jobs:purge_job",  # expired exports' files
}


# Tasks that need arguments (an export's token): started by their feature, never from "run now" in /admin/jobs.
NEEDS_ARGUMENTS = frozenset({"dashboard.export"})


@dataclass(frozen=True)
class Periodic:
    task: str
    every: str  # "minute" or "day" (business time); the slot is the key that makes each run happen once
    at: str = ""  # "HH:MM" business time, for daily tasks: not before then


SCHEDULE: tuple[Periodic, ...] = (
    Periodic("crossregion.deliver", "minute"),
    Periodic("notifications.expiring", "day", at="07:00"),
    Periodic("idempotency.purge", "day", at="03:00"),
    Periodic("cases.deem_accepted", "day", at="00:30"),  # before the day's warnings
    Periodic("cases.warnings", "day", at="07:00"),  # before the halls open
    Periodic("appeals.sweep", "day", at="08:00"),  # closes replies unanswered 3 working days (§3.5)
    Periodic("meetings.remind", "minute"),
    Periodic("dashboard.exports_purge", "day", at="03:30"),  # also at every export's start
)
