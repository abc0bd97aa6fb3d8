"""Configuration defaults. Environment variables override them (see contract.md)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_PATH = REPO_ROOT / "instance"


class Config:
    ENV_NAME = os.environ.get("STATIONS_ENV", "development")

    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_PATH / 'stations.db'}"
    # No pool_pre_ping: database.ping_when_idle pings only a connection that has lain idle (issue 21).
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}

    # Sessions and CSRF (architecture.md §2.5, security.md §2.2).
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = None  # a tablet left open over lunch must not fail with a 400
    IDLE_TIMEOUT_MINUTES = 30
    PRIVILEGED_IDLE_TIMEOUT_MINUTES = 15  # administrator and central office
    ABSOLUTE_TIMEOUT_HOURS = 10  # one shift

    # Accounts (security.md §0 and §2.1).
    PASSWORD_PROFILE = "dengbao"  # or "asvs"
    PASSWORD_MAX_AGE_DAYS = 90  # dengbao profile, staff-side accounts only
    # Throttling by (username, address): 5 failures lock that pair for 15 minutes; failures from all addresses
    # delay the next attempt for that username, doubling from 0.5 s up to 4 s (stations/auth/throttle.py).
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_MINUTES = 15
    LOGIN_FREE_FAILURES = 3
    LOGIN_DELAY_BASE_SECONDS = 0.5
    LOGIN_DELAY_MAX_SECONDS = 4.0
    LOGIN_RATE_LIMIT = "120 per minute"  # per client address; tablets of a station share one
    # Two-factor sign-in (TOTP) for administrators and the central office: always in production, on elsewhere with
    # STATIONS_MFA_REQUIRED=true. Others (and everyone in the demo) may enrol at /account/mfa.
    MFA_REQUIRED = False
    MFA_RATE_LIMIT = "10 per minute"  # code attempts per client address

    # Language: Chinese first (the msgids are Chinese), English by catalogue.
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    BABEL_TRANSLATION_DIRECTORIES = "translations"
    LANGUAGES = ("zh", "en")

    # Business time: deadlines and "today" are in Asia/Shanghai; the hall closes at 17:00.
    BUSINESS_TIMEZONE = "Asia/Shanghai"
    CLOSING_TIME = "17:00"

    # Pages served again while nothing they show has changed (issue 21, stations/web/render_cache.py): the number
    # kept per worker process (about 50 KB each), and the longest any is kept (the bound for what a page computes
    # from the clock other than the business date and cases' deadlines). STATIONS_RENDER_CACHE_ENABLED=false: off.
    RENDER_CACHE_ENABLED = True
    RENDER_CACHE_ENTRIES = 256
    RENDER_CACHE_MAX_AGE = 60  # seconds

    MAX_CONTENT_LENGTH = 11 * 1024 * 1024  # one 10 MB material plus form overhead
    UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    UPLOAD_ROOT = os.environ.get("UPLOAD_ROOT") or None  # default: <instance>/uploads (stations/uploads/storage.py)
    # ClamAV daemon for uploads (stations/uploads/scan.py): a socket path or tcp://host:port; unset: scanning off.
    CLAMD_SOCKET = os.environ.get("CLAMD_SOCKET") or None

    # The site's public address (scheme, host, port): every absolute URL we hand out (the receipt's QR code, the
    # Open311 discovery document) is built from it, never from the request's Host header. TRUSTED_HOSTS (Flask
    # 3.1: other Host headers are answered 400) defaults to its host name plus loopback (health checks, /metrics);
    # set STATIONS_TRUSTED_HOSTS='["a.example", "b.example"]' to list others.
    PUBLIC_URL = os.environ.get("PUBLIC_URL") or f"http://127.0.0.1:{os.environ.get('PORT', '5000')}"
    TRUSTED_HOSTS: list[str] | None = None

    # Counted once for every worker and host: Redis when REDIS_URL is set, else a SQLite file in instance/ that the
    # workers of one host share (stations/web/ratelimit_store.py). Never memory://, which counts per worker.
    REDIS_URL = os.environ.get("REDIS_URL") or None
    RATELIMIT_STORAGE_URI = REDIS_URL or f"stationsfile://{INSTANCE_PATH / 'ratelimits.sqlite'}"
    RATELIMIT_HEADERS_ENABLED = True
    # Behind a reverse proxy: how many proxies in front of the app set X-Forwarded-For/-Proto/-Host (0: none, so
    # those headers are ignored and a client cannot spoof its address). See deploy/nginx.conf.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    # Jobs (stations/jobs): "rq" with REDIS_URL, else "thread"; tests use "inline". Without Redis each web process
    # ticks the periodic schedule (turn off where a system cron runs `flask jobs tick` instead).
    JOBS_RUNNER: str | None = None
    JOBS_IN_APP_SCHEDULE = True
    # /metrics (Prometheus) for a scraper: "Authorization: Bearer <METRICS_TOKEN>"; administrators need none.
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN") or None

    CATALOG_PAGE_SIZE = 30

    # Cross-region federation (docs/federation.md): our region code as partners know it.
    REGION_CODE = os.environ.get("REGION_CODE", "JH")
    # Partner URLs must match one of these prefixes (security.md N5; stations/crossregion/egress.py). None:
    # loopback only, and nothing in production. The receive endpoint's own request limit: a forward inlines
    # its materials (base64). Pinned CA files by partner code (N6; or the partner's PEM on its admin page).
    FEDERATION_EGRESS_ALLOWLIST: list[str] | None = None
    FEDERATION_MAX_BYTES = 80 * 1024 * 1024
    FEDERATION_CA_FILES: dict[str, str] = {}
    # Per-case exports longer than this run as a background job with a progress bar (stations/dashboard).
    EXPORT_ASYNC_ROWS = 5000
    # They run on the job queue (JOBS_RUNNER) with their state and file in the database, kept an hour.
    EXPORT_MAX_BYTES = 256 * 1024 * 1024  # a larger file fails (a million cases as CSV is about 200 MB)
    # Secrets at rest (TOTP secrets): Fernet keys, comma-separated, first encrypts (stations/datakey.py).
    # Required in production; derived from SECRET_KEY elsewhere.
    DATA_KEY: str | None = None


class TestConfig(Config):
    TESTING = True
    JOBS_RUNNER = "inline"
    JOBS_IN_APP_SCHEDULE = False
    RATELIMIT_STORAGE_URI = "memory://"  # each test app counts on its own (a shared file would leak across tests)
    ENV_NAME = "testing"
    SECRET_KEY = "test-secret-key-not-for-production"
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"  # fast hashing for the suite only
    PUBLIC_URL = "http://localhost"  # the test client's host
    CLAMD_SOCKET = None  # tests that scan start their own daemon (tests/uploads/clamav.py)
    LOGIN_DELAY_BASE_SECONDS = 0.01  # the throttle's delays, short for the suite
    LOGIN_DELAY_MAX_SECONDS = 0.04
    # Loopback plus the made-up partner hosts of tests/crossregion (their transports never open a socket).
    FEDERATION_EGRESS_ALLOWLIST = [
        "http://127.0.0.1",
        "https://127.0.0.1",
        "http://localhost",
        "https://localhost",
        "http://loopback.test",
        "http://py.test",
    ]


def load_secret_key(env_name: str) -> str:
    """Return SECRET_KEY from the environment, or (development only) one generated once into instance/.

    Every worker must sign with the same key, so a per-process random key is never used.
    :raise RuntimeError: in production without a SECRET_KEY.
    """
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if env_name == "production":
        raise RuntimeError("SECRET_KEY must be set in production")
    INSTANCE_PATH.mkdir(parents=True, exist_ok=True)
    key_file = INSTANCE_PATH / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
