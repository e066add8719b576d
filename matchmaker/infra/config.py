"""Configuration: classes whose values environment variables override."""
import os
from datetime import timedelta

# The service's time zone when MATCHMAKER_TIMEZONE is not set (the task forces work on Beijing time).
DEFAULT_TIMEZONE = "Asia/Shanghai"


def _env(name, default=None):
    return os.environ.get(f"MATCHMAKER_{name}", default)


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def duration(text):
    """A timedelta from seconds ("3600") or a number with a unit s, m, h or d ("30m", "12h", "7d")."""
    text = str(text).strip().lower()
    unit = _UNITS.get(text[-1:]) if text else None
    number = text[:-1] if unit else text
    if not number.replace(".", "", 1).isdigit() or float(number) <= 0:
        raise ValueError(f"not a duration: {text!r} (use e.g. 3600, 30m, 12h or 7d)")
    return timedelta(seconds=float(number) * (unit or 1))


class Config:
    """Defaults for a single-machine install; every value can be overridden by MATCHMAKER_<NAME>."""

    SECRET_KEY = _env("SECRET_KEY")
    # None means: a SQLite file in the instance folder (filled in by create_app).
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    TIMEZONE = _env("TIMEZONE", DEFAULT_TIMEZONE)
    # Pin the service's "today" (ISO date) to replay a past week, e.g. the 2020-03-16 demo.
    TODAY = _env("TODAY")
    # Weekly report: cron fields (day_of_week, hour, minute) in TIMEZONE.
    REPORT_SCHEDULE = _env("REPORT_SCHEDULE", "mon 08:00")
    MATCH_SCHEDULE = _env("MATCH_SCHEDULE", "06:00")
    # notifications (issue 13): the daily reminders of commitments, and the e-mail outbox's SMTP server
    REMINDER_SCHEDULE = _env("REMINDER_SCHEDULE", "07:00")
    MAIL_SEND_INTERVAL = int(_env("MAIL_SEND_INTERVAL", "60"))  # seconds between sender runs
    MAIL_HOST = _env("MAIL_HOST", "localhost")
    MAIL_PORT = int(_env("MAIL_PORT", "25"))
    MAIL_USERNAME = _env("MAIL_USERNAME")
    MAIL_PASSWORD = _env("MAIL_PASSWORD")
    MAIL_STARTTLS = _env("MAIL_STARTTLS", "false").lower() in ("1", "true", "yes")
    MAIL_FROM = _env("MAIL_FROM", "matchmaker@localhost")
    MAIL_BASE_URL = _env("MAIL_BASE_URL", "")  # e.g. https://matchmaker.example.cn: links in the e-mails
    MAIL_TIMEOUT = float(_env("MAIL_TIMEOUT", "10"))
    MAIL_LEASE_SECONDS = int(_env("MAIL_LEASE_SECONDS", "300"))  # a claimed mail waits this long for its sender
    MAIL_RETRY_BASE_SECONDS = int(_env("MAIL_RETRY_BASE_SECONDS", "60"))  # backoff: base * 2**(attempts-1)
    MAIL_RETRY_MAX_SECONDS = int(_env("MAIL_RETRY_MAX_SECONDS", str(6 * 3600)))
    MAIL_BATCH = int(_env("MAIL_BATCH", "50"))
    # a run started by a person at most once per this many seconds (0: no limit); see services.matching.runs
    MATCH_RUN_MIN_INTERVAL = int(_env("MATCH_RUN_MIN_INTERVAL", "60"))
    BREAK_HORIZON_DAYS = int(_env("BREAK_HORIZON_DAYS", "56"))
    # Alternative routes kept per supply edge while upstream breaks propagate (see graphs.chain_breaks).
    BREAK_MAX_ROUTES = int(_env("BREAK_MAX_ROUTES", "4"))
    # Article 10 (spec/article10.md): an order_first link is overdue ORDER_DAYS after it started
    # without an order; a pay_first delivery PAY_DAYS after it was made while still unpaid.
    ORDER_DAYS = int(_env("ORDER_DAYS", "7"))
    PAY_DAYS = int(_env("PAY_DAYS", "15"))
    # The dispatch agenda's factor -> departments table (issue 12), a JSON object merged over the
    # defaults (services.agenda.DEFAULT_DEPARTMENTS), e.g. {"funds": ["finance"]}.
    AGENDA_DEPARTMENTS = _env("AGENDA_DEPARTMENTS")
    # Agenda items with at least this much at stake (input-weeks) are discussed; the others are routine.
    AGENDA_DISCUSS_STAKE = float(_env("AGENDA_DISCUSS_STAKE", "1"))
    SCHEDULER_ENABLED = True
    # Views computed from stored data (the weekly report's page) kept per process: how many, and
    # for how long at most (a change to the data they come from replaces them at once).
    VIEW_CACHE_SIZE = int(_env("VIEW_CACHE_SIZE", "64"))
    VIEW_CACHE_TTL = float(_env("VIEW_CACHE_TTL", "300"))
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = _env("TIMEZONE", DEFAULT_TIMEZONE)
    LANGUAGES = ("zh_CN", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env("SESSION_COOKIE_SECURE", "false").lower() in ("1", "true", "yes")
    # How long a signed-in browser stays signed in without using the service (each request
    # renews it); sign-out, a password change or deactivation ends every session at once.
    PERMANENT_SESSION_LIFETIME = duration(_env("SESSION_LIFETIME", "12h"))
    # How long an API bearer token is honoured after it is issued or renewed
    # (POST /api/v1/auth/tokens/{id}/renew); seconds or a number with s, m, h or d.
    TOKEN_LIFETIME = duration(_env("TOKEN_LIFETIME", "30d"))
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Request bodies: uploads (admin import page) up to MAX_CONTENT_LENGTH; API bodies (JSON
    # records) up to API_MAX_CONTENT_LENGTH. Larger ones get 413 without being read.
    MAX_CONTENT_LENGTH = int(_env("MAX_CONTENT_LENGTH", str(64 * 1024 * 1024)))
    API_MAX_CONTENT_LENGTH = int(_env("API_MAX_CONTENT_LENGTH", str(1024 * 1024)))
    # Data-package imports (upload and `matchmaker import`): what reading one package may cost.
    # Empty = the default of matchmaker.packages.readers.Limits (see docs/data-packages.md).
    IMPORT_MAX_ROWS = _env("IMPORT_MAX_ROWS")  # 1048576, Excel's; can only be lowered
    IMPORT_MAX_COLUMNS = _env("IMPORT_MAX_COLUMNS")  # 16384, Excel's; can only be lowered
    IMPORT_MAX_CELLS = _env("IMPORT_MAX_CELLS")  # 3000000 cells in one package
    IMPORT_MAX_PART_MB = _env("IMPORT_MAX_PART_MB")  # 256: one sheet, shared strings, CSV or JSON file
    IMPORT_MAX_TOTAL_MB = _env("IMPORT_MAX_TOTAL_MB")  # 512: everything read, decompressed
    IMPORT_MAX_FIELD_CHARS = _env("IMPORT_MAX_FIELD_CHARS")  # 32767, Excel's; can only be lowered
    IMPORT_MAX_LINE_CHARS = _env("IMPORT_MAX_LINE_CHARS")  # 1048576 characters in a CSV line
    IMPORT_MAX_JSON_DEPTH = _env("IMPORT_MAX_JSON_DEPTH")  # 20 levels of JSON nesting
    # Redis, shared by every web server and worker: rate-limit counters, the shared cache
    # (matchmaker.infra.cache) and, unless BROKER_URL says otherwise, the task queue. Unset: all of
    # it lives in this process (the single-machine default; nothing else to start).
    REDIS_URL = _env("REDIS_URL")
    CACHE_KEY_PREFIX = _env("CACHE_KEY_PREFIX", "matchmaker:")
    # The task queue (Celery): its broker and result backend; both default to REDIS_URL. With
    # neither set, the tasks (uploads, matching runs, the weekly report) run in the process that
    # asks for them. Start workers with `celery -A matchmaker.worker worker` (docs/deploy.md).
    BROKER_URL = _env("BROKER_URL")
    RESULT_BACKEND = _env("RESULT_BACKEND")
    TASK_QUEUE = _env("TASK_QUEUE", "matchmaker")  # the queue's name on the broker
    TASK_RESULT_EXPIRES = int(_env("TASK_RESULT_EXPIRES", str(7 * 24 * 3600)))  # seconds a task's state is kept
    # A matching run's components solved on this many workers at once (0 or 1: in the run's own
    # process); a group no worker answers within MATCH_FANOUT_WAIT seconds is solved by the run.
    MATCH_FANOUT = int(_env("MATCH_FANOUT", "0"))
    MATCH_FANOUT_WAIT = int(_env("MATCH_FANOUT_WAIT", "300"))
    # How long a web request waits for a queued matching run started by staff (seconds).
    TASK_WAIT_SECONDS = int(_env("TASK_WAIT_SECONDS", "600"))
    # Failed sign-ins and password changes (successful ones cost nothing): per client address, and
    # per account whatever the address. Counters live in the storage: unset = REDIS_URL when it is
    # set (shared by every process and machine), else memory:// (per process).
    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI")
    RATELIMIT_KEY_PREFIX = _env("RATELIMIT_KEY_PREFIX", "matchmaker")
    RATELIMIT_LOGIN = _env("RATELIMIT_LOGIN", "10 per minute")
    RATELIMIT_LOGIN_ACCOUNT = _env("RATELIMIT_LOGIN_ACCOUNT", "5 per minute; 30 per hour")
    RATELIMIT_BEST_PARTNERS = _env("RATELIMIT_BEST_PARTNERS", "30 per minute; 300 per hour")
    # How many reverse proxies stand in front of the service. 0: X-Forwarded-* headers are ignored
    # (the client address is the peer's); N: the address is the N-th from the right of
    # X-Forwarded-For, scheme and host come from the nearest proxy.
    PROXY_COUNT = int(_env("PROXY_COUNT", "0"))

    # flask-smorest / OpenAPI
    API_TITLE = "Chain matchmaking service"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_REDOC_PATH = None
    OPENAPI_SWAGGER_UI_PATH = None  # served offline by our own docs page (see matchmaker/api/docs.py)


class TestConfig(Config):
    """Tests: in-memory SQLite unless MATCHMAKER_TEST_DATABASE_URL points elsewhere."""

    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("MATCHMAKER_TEST_DATABASE_URL", "sqlite://")
    SCHEDULER_ENABLED = False
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    REDIS_URL = None  # the suite's shared-store tests ask for Redis themselves (tests/scale/)
    BROKER_URL = None
    RESULT_BACKEND = None
    MATCH_RUN_MIN_INTERVAL = 0  # tests that start runs back to back; the throttle's own test sets it
    TODAY = "2020-03-16"  # the demo's day: the tests' postings are dated around it (a need may not be due before today)
