"""Stations: the Jinghe New City government service stations portal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from .config import INSTANCE_PATH, REPO_ROOT, Config, load_secret_key


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application. ``config`` overrides the defaults (tests pass a mapping)."""
    app = Flask(
        __name__,
        instance_path=str(INSTANCE_PATH),
        template_folder=str(REPO_ROOT / "templates"),
        static_folder=str(REPO_ROOT / "static"),
    )

    # 1. Configuration: defaults, then STATIONS_* environment variables, then the caller's mapping.
    app.config.from_object(Config)
    app.config.from_prefixed_env("STATIONS")
    # STATIONS_ENV arrives as "ENV" (read at start-up, not only at import): development, testing or production.
    app.config["ENV_NAME"] = str(app.config.pop("ENV", app.config["ENV_NAME"]))
    if config:
        app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(app.config["ENV_NAME"])
    if app.config["ENV_NAME"] == "production":
        app.config.update(
            SESSION_COOKIE_SECURE=True,
            SESSION_COOKIE_NAME="__Host-session",  # Secure, Path=/ and no Domain, or browsers refuse it
            SESSION_COOKIE_PATH="/",
            SESSION_COOKIE_DOMAIN=None,
            REMEMBER_COOKIE_SECURE=True,
            DEBUG=False,
        )

    # 2. Extensions.
    from . import (
        extensions,
        models,  # noqa: F401  (the whole schema, for Alembic)
    )
    from .database import configure_engine_events

    extensions.db.init_app(app)
    with app.app_context():
        configure_engine_events(extensions.db.engine)
    _mark_write_requests(app)
    extensions.migrate.init_app(app, extensions.db, directory=str(REPO_ROOT / "migrations"))
    extensions.csrf.init_app(app)
    extensions.htmx.init_app(app)
    extensions.limiter.init_app(app)

    from .web import i18n

    extensions.babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)

    # 3. Web plumbing: headers, errors, template helpers.
    from .web import context, errors, filters, security

    security.init_app(app)
    errors.register_error_handlers(app)
    filters.init_app(app)
    context.init_app(app)

    # 4. Accounts and sessions.
    from .auth import sessions

    sessions.init_app(app)

    # 5. Blueprints, one per feature.
    from .admin.views import bp as admin_bp
    from .api.views import bp as api_bp
    from .auth.views import bp as auth_bp
    from .catalog.views import bp as catalog_bp
    from .health import bp as health_bp
    from .home.views import bp as home_bp
    from .sites.views import bp as sites_bp

    for blueprint in (health_bp, auth_bp, home_bp, catalog_bp, sites_bp, admin_bp, api_bp):
        app.register_blueprint(blueprint)

    # 6. Command line.
    from .cli import register_commands

    register_commands(app)
    return app


def _mark_write_requests(app: Flask) -> None:
    from flask import request

    from .database import write_intent

    @app.before_request
    def flag_write_intent():
        write_intent.set(request.method not in ("GET", "HEAD", "OPTIONS"))
