"""Background and timed work (issue 20): one way to run a job, whatever runs it.

- With ``REDIS_URL`` set, jobs go to RQ (a Redis queue: ``flask jobs worker`` runs the workers,
  ``flask jobs cron`` the periodic schedule). A job that dies with its worker is retried by RQ.
- Without it, jobs run inside the app in a thread, and each web process ticks the periodic schedule; ``make run``
  alone therefore does everything.

Either way every run is one ``JobRun`` row, whose unique key makes a periodic slot (a day, a minute) run once
however many processes tick it, and lets a retried job see that a previous attempt started. The tasks themselves
are idempotent. Features name tasks by string (stations/jobs/tasks.py), so nothing here imports a feature and any
feature may enqueue.
"""

from .queue import enqueue, init_app

__all__ = ["enqueue", "init_app"]
