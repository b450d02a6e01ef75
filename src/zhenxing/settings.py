"""The one settings module. Everything comes from the environment and fails loudly when wrong.

DATABASE_URL   default: SQLite file ./var/zhenxing.sqlite3 (WAL mode)
DB_CONN_MAX_AGE default: 60 (seconds a database connection is kept; 0: one per request)
SECRET_KEY     default: generated once and kept in ./var/secret_key (also SECRET_KEY_FILE)
DEBUG          default: false
ALLOWED_HOSTS  default: 127.0.0.1,localhost
ZHENXING_VAR   default: ./var (where the SQLite file, the secret and uploads live)
ZHENXING_PINNED_CLOCK  tests and scripts/test-calendar only (see pin_clock_for_tests)
ZHENXING_NOTICE_ISSUER default: 中共<county name>委组织部 (the issuer and author of the Word notices)
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import time
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def pin_clock_for_tests() -> None:
    """Run this process on the test suite's pinned clock when ``ZHENXING_PINNED_CLOCK`` is set.

    For the test suite and ``scripts/test-calendar`` only, never in a deployment: the browser
    tests set it for every process they start (``zhenxing demo``, ``zhenxing serve`` and through it
    the gunicorn workers, the background worker and the scheduler, ``zhenxing stars_finalise``), so
    that all of them read the same "now" as the pytest session, whenever each one starts.

    Its value is ``<pinned instant>@<real Unix time at that instant>``, e.g.
    ``2026-12-08T10:00:00+08:00@1796436000.25``. The process travels (time-machine, ticking) to
    ``pinned + (real now - real moment pinned)``. Unset or empty: nothing happens. Set without
    time-machine installed (a test dependency), or malformed: ImproperlyConfigured.
    """
    value = os.environ.get("ZHENXING_PINNED_CLOCK")
    if not value:
        return
    try:
        import time_machine  # a test dependency, needed only here
    except ImportError as exc:
        raise ImproperlyConfigured(
            "ZHENXING_PINNED_CLOCK is set but time-machine is not installed "
            "(it is a test dependency: scripts/install test); unset it outside the tests"
        ) from exc
    instant, _, since = value.rpartition("@")
    try:
        pinned, real_then = dt.datetime.fromisoformat(instant), float(since)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"ZHENXING_PINNED_CLOCK must be <ISO 8601 instant>@<Unix time>, got {value!r}"
        ) from exc
    if pinned.tzinfo is None:
        raise ImproperlyConfigured(f"ZHENXING_PINNED_CLOCK needs a UTC offset, got {value!r}")
    hatch = time_machine.escape_hatch
    real_now = hatch.time.time() if hatch.is_travelling() else time.time()
    elapsed = real_now - real_then
    time_machine.travel(pinned + dt.timedelta(seconds=elapsed), tick=True).start()


pin_clock_for_tests()


VAR_DIR = Path(os.environ.get("ZHENXING_VAR") or PROJECT_DIR / "var").resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def envsecret(name: str) -> str:
    """A secret from NAME, NAME_FILE, or generated once and kept under ./var/."""
    if os.environ.get(name):
        return os.environ[name]
    if os.environ.get(f"{name}_FILE"):
        return Path(os.environ[f"{name}_FILE"]).read_text().strip()
    keep = VAR_DIR / name.lower()
    if not keep.exists():
        keep.write_text(secrets.token_urlsafe(50))
        keep.chmod(0o600)
    return keep.read_text().strip()


SECRET_KEY = envsecret("SECRET_KEY")
DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "treebeard",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "zhenxing.core",
    "zhenxing.regions",
    "zhenxing.accounts",
    "zhenxing.orders",
    "zhenxing.ledgers",
    "zhenxing.grids",
    "zhenxing.stars",
    "zhenxing.reports",
    "zhenxing.web",
    "zhenxing.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "zhenxing.web.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "zhenxing.accounts.middleware.ScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhenxing.urls"
WSGI_APPLICATION = "zhenxing.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhenxing.web.context_processors.navigation",
            ],
        },
    }
]

# Persistent connections (DB_CONN_MAX_AGE seconds; 0: a new one per request): on PostgreSQL a new
# connection costs more than a villager's whole request. The health check (one "SELECT 1" on the
# first query of a request, only when the connection was already open) drops a connection the
# server closed meanwhile (a restart, idle timeouts) instead of failing that request. Each gunicorn
# thread and each of serve's children (db_worker, scheduler) keeps at most one connection; the
# children call close_old_connections() between jobs, so they also reconnect after this age.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'zhenxing.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
        conn_health_checks=envbool("DB_CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the background worker read while one of them writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# API lists: ?limit= (default 100) is capped at 500; a larger one answers 422.
NINJA_PAGINATION_CLASS = "zhenxing.api.pagination.LimitOffset"
NINJA_PAGINATION_PER_PAGE = 100
NINJA_PAGINATION_MAX_LIMIT = 500
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: five failures lock that username from that address for 15 minutes.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "zhenxing.accounts.lockout.lockout_response"
AXES_ENABLED = envbool("AXES_ENABLED", True)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
FORMAT_MODULE_PATH = ["zhenxing.formats"]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Front-end packages come from npm at install time (package.json) and are served from here.
NODE_MODULES = PROJECT_DIR / "node_modules"
STATICFILES_DIRS = [
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
    ("vendor/swagger-ui", NODE_MODULES / "swagger-ui-dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# The service loop (三单制 + 三级会商). Cut-off days are one county's rule (Xinning: the 20th to the
# township, the 28th to the county); a cut-off on a day off moves to the previous or next working day.
ORDERS_TOWNSHIP_CUTOFF_DAY = envint("ORDERS_TOWNSHIP_CUTOFF_DAY", 20)
ORDERS_COUNTY_CUTOFF_DAY = envint("ORDERS_COUNTY_CUTOFF_DAY", 28)
STARS_NOTICE_ISSUER = os.environ.get("ZHENXING_NOTICE_ISSUER", "").strip()
ORDERS_CUTOFF_ON_DAY_OFF = os.environ.get("ORDERS_CUTOFF_ON_DAY_OFF", "previous")
if ORDERS_CUTOFF_ON_DAY_OFF not in {"previous", "next"}:
    raise ImproperlyConfigured("ORDERS_CUTOFF_ON_DAY_OFF must be 'previous' or 'next'")
# Small reference tables read on every villager's request (the holiday overrides, the request
# categories, the village behind a form) are kept in each process's memory for this many seconds
# (core/reference.py). A change made through the application shows at once in the process that
# made it; the other processes see it within this time.
REFERENCE_CACHE_SECONDS = envint("REFERENCE_CACHE_SECONDS", 60)
# The public request form: how many requests one address or one phone may send.
ORDERS_INTAKE_PER_IP_PER_HOUR = envint("ORDERS_INTAKE_PER_IP_PER_HOUR", 20)
ORDERS_INTAKE_PER_PHONE_PER_DAY = envint("ORDERS_INTAKE_PER_PHONE_PER_DAY", 5)
ORDERS_PHOTO_MAX_BYTES = envint("ORDERS_PHOTO_MAX_BYTES", 5 * 1024 * 1024)
ORDERS_PHOTO_MAX_COUNT = envint("ORDERS_PHOTO_MAX_COUNT", 3)
# Ledgers: days after recording that a 三色账 entry goes up on the village's public board; the
# base points every member starts a year with, and the balance under which a member is followed up.
LEDGERS_BOOK_PUBLISH_DELAY_DAYS = envint("LEDGERS_BOOK_PUBLISH_DELAY_DAYS", 3)
LEDGERS_POINTS_BASE = envint("LEDGERS_POINTS_BASE", 100)
LEDGERS_POINTS_THRESHOLD = envint("LEDGERS_POINTS_THRESHOLD", 60)
# How often the scheduler inside `zhenxing serve` runs the periodic sweep (seconds; 0 turns it off).
SCHEDULER_INTERVAL = envint("SCHEDULER_INTERVAL", 300)
# Each job is an idempotent service taking ``now``; the star ranking job archives last month's
# 月排序 once, from the 1st of the month.
PERIODIC_JOBS = [
    "zhenxing.orders.services.orders_sweep",
    "zhenxing.stars.services.rhythm.ranking_snapshots_due",
    "zhenxing.stars.services.applications.applications_finalise",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}
AXES_VERBOSE = False
