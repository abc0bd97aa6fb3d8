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
    _trust_hosts(app)
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
            MFA_REQUIRED=True,  # 等保 level 3: two factors for administrators (security.md A9)
        )

    # 2. Extensions.
    from . import (
        datakey,
        extensions,
        models,  # noqa: F401  (the whole schema, for Alembic)
    )
    from .database import configure_engine_events
    from .web import change_stamp, outside_transaction, render_cache
    from .web.session_cookie import RememberingSessionInterface

    datakey.init_app(app)  # the key for secrets at rest: required in production
    extensions.db.init_app(app)
    with app.app_context():
        configure_engine_events(extensions.db.engine)
        change_stamp.track_writes(extensions.db.engine)  # every committed write changes it (issue 21)
        outside_transaction.refuse_writes(extensions.db.engine)
    render_cache.init_app(app)
    app.session_interface = RememberingSessionInterface()  # verified session cookies remembered per worker
    _mark_write_requests(app)
    extensions.migrate.init_app(app, extensions.db, directory=str(REPO_ROOT / "migrations"))
    extensions.csrf.init_app(app)
    extensions.htmx.init_app(app)
    from .web import ratelimit_store  # noqa: F401  (registers the stationsfile:// limit storage)

    extensions.limiter.init_app(app)
    _trust_proxies(app)

    from .web import i18n

    extensions.babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)

    # 3. Web plumbing: logging (request ids), headers, errors, template helpers.
    from .web import context, errors, filters, logs, security

    logs.init_app(app)
    security.init_app(app)
    errors.register_error_handlers(app)
    filters.init_app(app)
    context.init_app(app)

    from .uploads import scan

    scan.init_app(app)  # logs whether uploads are virus-scanned

    # 4. Accounts and sessions; idempotent creates (the submission-key form field); jobs.
    from . import idempotency, jobs
    from .auth import sessions

    sessions.init_app(app)
    idempotency.init_app(app)
    jobs.init_app(app)  # without Redis, the periodic schedule ticks inside each web process

    # 5. Blueprints, one line per feature (URL prefixes live with each blueprint).
    from .admin.views import bp as admin_bp
    from .api.views import bp as api_bp
    from .appeals.log_views import bp as service_log_bp
    from .appeals.views import bp as appeals_bp
    from .auth.mfa_views import bp as mfa_bp
    from .auth.views import bp as auth_bp
    from .bundles.admin_views import bp as bundle_admin_bp
    from .bundles.views import bp as bundles_bp
    from .cases.backoffice_views import bp as backoffice_bp
    from .cases.track_views import bp as track_bp
    from .cases.views import bp as cases_bp
    from .catalog.views import bp as catalog_bp
    from .crossregion.case_views import bp as crossregion_cases_bp
    from .crossregion.views import admin_bp as crossregion_admin_bp
    from .crossregion.views import bp as federation_bp
    from .dashboard.api import bp as dashboard_api_bp
    from .dashboard.views import bp as dashboard_bp
    from .health import bp as health_bp
    from .home.views import bp as home_bp
    from .jobs.views import bp as jobs_bp
    from .messaging.views import bp as messaging_bp
    from .notifications.views import bp as notifications_bp
    from .open311.admin_views import bp as open311_admin_bp
    from .open311.views import bp as open311_bp
    from .ops import metrics as ops_metrics
    from .portal.clerk_views import bp as clerks_bp
    from .portal.enterprise_views import bp as enterprises_bp
    from .projects.views import bp as projects_bp
    from .ratings.views import bp as ratings_bp
    from .sites.views import bp as sites_bp

    app.register_blueprint(health_bp)  # /healthz
    app.register_blueprint(auth_bp)  # sign-in, sign-out, password
    app.register_blueprint(home_bp)  # /home, by role
    app.register_blueprint(catalog_bp)  # the public service catalogue
    app.register_blueprint(sites_bp)  # the stations
    app.register_blueprint(admin_bp)  # /admin/
    app.register_blueprint(api_bp)  # /api/v1: CSRF-exempt, its own check for sessions (api/views.py)
    app.register_blueprint(cases_bp)  # /cases/: queue, intake, case page
    app.register_blueprint(track_bp)  # /track: a case by its number and query code
    app.register_blueprint(jobs_bp)  # /admin/jobs: runs, failures, "run now" (issue 20)
    app.register_blueprint(mfa_bp)  # the second factor: /login/mfa, /account/mfa (issue 20)
    app.register_blueprint(open311_bp)  # machine API: CSRF-exempt, api_key instead of the session
    app.register_blueprint(open311_admin_bp)  # /admin/open311: integration keys
    app.register_blueprint(enterprises_bp)  # the enterprise's pages (portal)
    app.register_blueprint(clerks_bp)  # the clerk directory (portal)
    app.register_blueprint(dashboard_bp)  # the central office's live board
    app.register_blueprint(dashboard_api_bp)  # /api/v1/metrics/stations and /period
    app.register_blueprint(notifications_bp)  # the bell and /notifications
    app.register_blueprint(messaging_bp)  # one conversation per enterprise with its clerk
    app.register_blueprint(ratings_bp)  # 好差评 and 差评整改
    app.register_blueprint(federation_bp)  # POST /federation/v1/messages: signed, CSRF-exempt
    app.register_blueprint(crossregion_admin_bp)  # /admin/crossregion: partners, outbox, inbox
    app.register_blueprint(crossregion_cases_bp)  # /cases/<no>/xr-supplement: correction materials to the partner
    app.register_blueprint(ops_metrics.bp)  # GET /metrics for operators (issue 20)
    app.register_blueprint(appeals_bp)  # 企业诉求 (issue 13)
    app.register_blueprint(service_log_bp)  # the commissioners' service log (issue 13)
    app.register_blueprint(bundles_bp)  # 一件事: apply once, the bundle case and its steps (issue 16)
    app.register_blueprint(bundle_admin_bp)  # /admin/bundles: maintenance, xlsx import and export
    app.register_blueprint(projects_bp)  # key projects: the board, procedures, dispatch meetings, 销号 (issue 16)
    from .admin.catalog_views import bp as catalog_admin_bp
    from .cases.person_views import bp as person_cases_bp
    from .crossregion.manual_views import bp as xr_manual_bp

    app.register_blueprint(backoffice_bp)  # /backoffice: the department queue (issue 12)
    app.register_blueprint(catalog_admin_bp)  # /admin/catalog: items, materials, the catalogue as xlsx (issue 12)
    app.register_blueprint(person_cases_bp)  # /persons: intake for a 群众 and their own cases (issue 12)
    app.register_blueprint(xr_manual_bp)  # manual cross-region channel, public cross-region items (issue 12)

    from .meetings import slot_views as _meeting_slot_views  # noqa: F401  (registers on meetings_bp)
    from .meetings.policy_views import bp as policy_sessions_bp
    from .meetings.views import bp as meetings_bp

    app.register_blueprint(meetings_bp)  # 一键约见 (issue 14)
    app.register_blueprint(policy_sessions_bp)  # 政策宣讲 sessions (issue 14)

    from .takeout.views import bp as takeout_bp

    app.register_blueprint(takeout_bp)  # 政务外卖: order, call back, dispatch, on site (issue 15)

    from .web.pwa import bp as pwa_bp

    app.register_blueprint(pwa_bp)  # /sw.js and /manifest.webmanifest: the on-site pages work offline (issue 15)

    # 6. Wiring between features, in plain sight: cases reach cross-region handling through a port only (cases
    # sits below crossregion), and every flush keeps the board's daily roll-ups in step (same transaction).
    from .bundles.services import install as install_bundles
    from .cases.xr_port import install as install_cross_region
    from .crossregion.case_link import FederationPort
    from .dashboard import rollups

    install_cross_region(FederationPort())
    rollups.install()
    install_bundles()  # a bundle opens its next member when a child case concludes (cases' event listener)
    ops_metrics.init_app(app)  # request counts and latencies by route

    # 7. Command line.
    from .cli import register_commands

    register_commands(app)

    # 8. The demo never reaches production: no start on a database that holds demo accounts or demo keys.
    from .demo.guard import refuse_demo_data_at_start

    refuse_demo_data_at_start(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies the client's address, scheme and host come from their X-Forwarded-*
    headers (limits, lockouts and the audit trail then see the real client); with 0 those headers are ignored."""
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)  # type: ignore[method-assign]


def _mark_write_requests(app: Flask) -> None:
    from flask import g, request

    from .database import write_intent

    @app.before_request
    def flag_write_intent():
        g.write_intent_token = write_intent.set(request.method not in ("GET", "HEAD", "OPTIONS"))

    @app.teardown_request
    def clear_write_intent(_error=None):
        # The flag belongs to this request only: a test client (or a worker thread reused by the server) runs the
        # next request, or a CLI command, in the same context, where a left-over True would start every
        # transaction IMMEDIATE.
        token = g.pop("write_intent_token", None)
        if token is not None:
            write_intent.reset(token)


def _trust_hosts(app: Flask) -> None:
    """Only the public URL's host and loopback (health checks, /metrics scraped on the host) may be the Host."""
    from urllib.parse import urlsplit

    if app.config.get("TRUSTED_HOSTS") is None:
        hosts = [urlsplit(app.config["PUBLIC_URL"]).hostname or "localhost", "localhost", "127.0.0.1", "::1"]
        app.config["TRUSTED_HOSTS"] = list(dict.fromkeys(hosts))
