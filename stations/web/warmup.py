"""Work a server does once, before it forks its workers, so that no worker does it again (issue 21).

gunicorn builds the app in its master (``preload_app``) and forks the workers from it, at start and at every
``max_requests`` recycle. Measured in a forked child on the demo data: its first signed-in request took 137 ms
(SQLAlchemy configuring the mappers), its first queue page 97 ms and case page 91 ms (compiling their
templates), against 3, 17 and 10 ms afterwards. Done in the master, each worker inherits the result.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import configure_mappers


def compile_templates(app: Flask) -> int:
    """Compile every template into the app's Jinja cache; returns how many. A template that does not compile
    stops the start, as it would have failed its first request."""
    env = app.jinja_env
    names = env.list_templates()
    if env.cache is not None and getattr(env.cache, "capacity", len(names)) < len(names):
        raise RuntimeError(f"the Jinja cache holds fewer templates than the app has ({len(names)})")
    for name in names:
        env.get_template(name)
    return len(names)


def warm_up(app: Flask) -> None:
    """Everything a worker would otherwise do on its first requests and can share with its siblings."""
    configure_mappers()
    compile_templates(app)
