"""Comptoir settings: one file, every value from the environment.

COMPTOIR_DATA_DIR (default ./var) holds what a single-machine install keeps: the SQLite
database and stored files (attachments). DATABASE_URL (sqlite:///... or postgres://...)
overrides the database.
"""

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("COMPTOIR_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("COMPTOIR_DEBUG", False)
# A fixed development key is only acceptable when nothing is exposed; production sets it.
SECRET_KEY = os.environ.get("COMPTOIR_SECRET_KEY", "insecure-development-key-change-me")
ALLOWED_HOSTS = os.environ.get("COMPTOIR_ALLOWED_HOSTS", "localhost,.localhost,127.0.0.1").split(
    ","
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "comptoir.tenancy",
    "comptoir.campaigns",
    "comptoir.scripts",
    "comptoir.tickets",
    "comptoir.distribution",
    "comptoir.mail",
    "comptoir.ui",
    "comptoir.ops",
    "comptoir.demo",
    "comptoir.supervision",
    "comptoir.api",
    "comptoir.imports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Above WhiteNoise, so static files carry the policy too.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "comptoir.tenancy.middleware.DomainMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "comptoir.tenancy.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# --- The web behind TLS (docs/operations.md, "Behind a TLS proxy") -------------------------
# How many reverse proxies stand in front of the web processes (0: clients connect directly).
# With 1 or more, X-Forwarded-Proto: https from the proxy makes a request secure (CSRF origin
# checks, HSTS, secure redirects) and the client's address is read from X-Forwarded-For (the
# entry added by the nearest trusted proxy): never set it when clients can reach the web port.
COMPTOIR_TRUSTED_PROXY = env_int("COMPTOIR_TRUSTED_PROXY", 0)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if COMPTOIR_TRUSTED_PROXY > 0 else None
)
# Session and CSRF cookies sent over HTTPS only (set it once the site is served over TLS).
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("COMPTOIR_SECURE_COOKIES", False)
SECURE_HSTS_SECONDS = env_int("COMPTOIR_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("COMPTOIR_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("COMPTOIR_HSTS_PRELOAD", False)
# Origins (https://host) whose POSTs are accepted besides the request's own host.
CSRF_TRUSTED_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("COMPTOIR_CSRF_TRUSTED_ORIGINS", "").split(",")
    if origin.strip()
]
# A form posted without its token: the UI's own page, in the reader's language.
CSRF_FAILURE_VIEW = "comptoir.ui.common.errors.csrf_failure"
# Every response's Content-Security-Policy, unless the view set its own stricter one (icons,
# email HTML, downloads). Pages show customers' HTML (sanitised with nh3): scripts only from
# our own static files (htmx, console.js), never inline nor eval'd; no image fetched from
# elsewhere (a remote image is a read receipt for whoever sent it); no plugin; frames only
# from us (a PDF preview); nobody frames us.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "frame-src": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Django's own admin (/django-admin/), for operators: off unless enabled; its login goes
# through the same throttle as the UI's.
COMPTOIR_DJANGO_ADMIN = env_bool("COMPTOIR_DJANGO_ADMIN", False)

ROOT_URLCONF = "comptoir.urls"
WSGI_APPLICATION = "comptoir.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
SQLITE_PATH = DATA_DIR / "comptoir.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{SQLITE_PATH}"), conn_max_age=600
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: Comptoir's queries are short (OLTP), and PostgreSQL compiles a query whose
    # estimated cost crosses jit_above_cost: the board's figures spent 78 of 105 ms compiling
    # on a million tickets (docs/benchmarks.md). Appended to any options of DATABASE_URL and
    # to PGOPTIONS: libpq's `options` replaces PGOPTIONS, whose settings (lock_timeout…) an
    # operator or a test gives the process must survive.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _given = f"{os.environ.get('PGOPTIONS', '')} {_options.get('options', '')}"
    _options["options"] = f"{_given} -c jit=off".strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE: a writing transaction takes the write lock at BEGIN, so two writers
        # never deadlock on a lock upgrade; the busy timeout makes the second one wait.
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("COMPTOIR_SQLITE_TIMEOUT", 30),
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            f"PRAGMA synchronous={os.environ.get('COMPTOIR_SQLITE_SYNCHRONOUS', 'FULL')};"
            f"PRAGMA busy_timeout={env_int('COMPTOIR_SQLITE_TIMEOUT', 30) * 1000};"
            "PRAGMA foreign_keys=ON;"
        ),
    }
    # Tests that use several processes need a file, not an in-memory database.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-comptoir.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "tenancy.User"
AUTHENTICATION_BACKENDS = ["comptoir.tenancy.backends.DomainLoginBackend"]
# Logins are unique per domain, not globally: the backend above resolves the domain first.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
LOGIN_URL = "ui:login"
LOGIN_REDIRECT_URL = "ui:tickets"
LOGOUT_REDIRECT_URL = "ui:login"
SESSION_COOKIE_AGE = env_int("COMPTOIR_SESSION_AGE", 12 * 3600)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("COMPTOIR_PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed logins (tenancy.throttle, docs/security.md): failures within the window are counted
# per (login, client address), per login over addresses it never logged in from, and per
# address over every login. Past the free failures of a count, each attempt waits 2**k
# seconds after the last failure (k: failures past the free ones), at most the cap.


def login_window_and_delay(environ: Mapping[str, str]) -> tuple[timedelta, int]:
    """How long failures are counted, and the longest delay they impose (seconds): two
    settings. The hard lock they replaced read COMPTOIR_LOCKOUT_MINUTES for both its window
    and its duration; when still set, it is the default of each (minutes, and as long a
    delay), so that an older configuration keeps its meaning."""
    old = environ.get("COMPTOIR_LOCKOUT_MINUTES")
    window = int(environ.get("COMPTOIR_LOGIN_WINDOW_MINUTES", old or 60))
    delay = int(environ.get("COMPTOIR_LOGIN_MAX_DELAY", int(old) * 60 if old else 900))
    return timedelta(minutes=window), delay


COMPTOIR_LOGIN_WINDOW, COMPTOIR_LOGIN_MAX_DELAY = login_window_and_delay(os.environ)
COMPTOIR_LOGIN_FREE_FAILURES = env_int("COMPTOIR_LOGIN_FREE_FAILURES", 5)
COMPTOIR_LOGIN_ACCOUNT_FAILURES = env_int("COMPTOIR_LOGIN_ACCOUNT_FAILURES", 20)
# Short: it also delays the real user on a new address, so an outsider gains little from it.
COMPTOIR_LOGIN_ACCOUNT_MAX_DELAY = env_int("COMPTOIR_LOGIN_ACCOUNT_MAX_DELAY", 60)
COMPTOIR_LOGIN_ADDRESS_FAILURES = env_int("COMPTOIR_LOGIN_ADDRESS_FAILURES", 30)
# How long an address a login succeeded from stays known (exempt from the last two counts).
COMPTOIR_LOGIN_KNOWN_ADDRESS_DAYS = env_int("COMPTOIR_LOGIN_KNOWN_ADDRESS_DAYS", 30)
# Password reset emails asked for on the login page: at most this many to one login an hour.
COMPTOIR_RESET_EMAILS_PER_HOUR = env_int("COMPTOIR_RESET_EMAILS_PER_HOUR", 3)
# Links mailed to users: a password reset lives an hour, an invitation some days.
PASSWORD_RESET_TIMEOUT = env_int("COMPTOIR_PASSWORD_RESET_SECONDS", 3600)
COMPTOIR_INVITATION_DAYS = env_int("COMPTOIR_INVITATION_DAYS", 7)
# A domain's web address in those links: its first hostname (with this scheme), else this
# development address.
COMPTOIR_URL_SCHEME = os.environ.get("COMPTOIR_URL_SCHEME", "https")
COMPTOIR_DEV_URL = os.environ.get("COMPTOIR_DEV_URL", "http://{slug}.localhost:8000")

# --- I18n -----------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("COMPTOIR_TIME_ZONE", "Europe/Paris")
USE_TZ = True

# --- Files ----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise serves from here once collectstatic ran
MEDIA_ROOT = DATA_DIR / "files"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- Mail -----------------------------------------------------------------------------
# Largest inbound message accepted (SMTP SIZE, parser limit), in bytes.
COMPTOIR_MAX_MESSAGE_SIZE = env_int("COMPTOIR_MAX_MESSAGE_SIZE", 50 * 1024 * 1024)
COMPTOIR_MAX_MIME_PARTS = env_int("COMPTOIR_MAX_MIME_PARTS", 1000)
COMPTOIR_MAX_MIME_DEPTH = env_int("COMPTOIR_MAX_MIME_DEPTH", 20)
# Message-IDs kept from References (and In-Reply-To) per inbound message: the first (the thread's
# root) and the most recent ones, all that threading needs (issue 10: 200,000 rows from one mail).
COMPTOIR_MAX_REFERENCES = env_int("COMPTOIR_MAX_REFERENCES", 100)
COMPTOIR_IMAP_POLL_INTERVAL = env_int("COMPTOIR_IMAP_POLL_INTERVAL", 60)
# Networks the IMAP poller and "test the connection" may reach although they are internal
# (loopback, private, link-local, reserved...): comma-separated CIDRs, e.g. "10.0.0.0/8". Empty
# (the default): only public addresses, and never plaintext IMAP (docs/security.md).
COMPTOIR_IMAP_ALLOWED_NETWORKS = [
    net.strip()
    for net in os.environ.get("COMPTOIR_IMAP_ALLOWED_NETWORKS", "").split(",")
    if net.strip()
]
# Keys that encrypt stored secrets (IMAP passwords): comma-separated Fernet keys; the first
# encrypts, all decrypt (rotation: put the new key first, run `comptoir rotate-secrets`, then
# drop the old one). Unset: one key derived from SECRET_KEY (docs/operations.md).
COMPTOIR_SECRET_KEYS = [
    key.strip() for key in os.environ.get("COMPTOIR_SECRET_KEYS", "").split(",") if key.strip()
]
# The SMTP/LMTP listener's caps (docs/security.md, "The mail listener's limits"): its peak
# memory is bounded by them, not by the number of senders.
# Sessions at once; one more is answered 421 and closed.
COMPTOIR_SMTP_MAX_SESSIONS = env_int("COMPTOIR_SMTP_MAX_SESSIONS", 20)
# A message being received stays in memory up to this size, then goes to a temporary file.
COMPTOIR_SMTP_SPOOL_THRESHOLD = env_int("COMPTOIR_SMTP_SPOOL_THRESHOLD", 1024 * 1024)
# Where those temporary files go ("": the system's, $TMPDIR); they are unlinked at creation.
COMPTOIR_SMTP_SPOOL_DIR = os.environ.get("COMPTOIR_SMTP_SPOOL_DIR", "")
# Messages up to the spool threshold stored and parsed at once (threads, so as many database
# connections); larger ones are ingested one at a time, on one more thread.
COMPTOIR_SMTP_INGEST_THREADS = env_int("COMPTOIR_SMTP_INGEST_THREADS", 4)
# Group commit: at most this many messages (one per domain a message is sent to) written in
# one group by the listener's committer thread, which takes whatever is waiting; each `250`
# follows its own message's commit. 0: one transaction per message, on the ingest threads.
COMPTOIR_SMTP_GROUP_MAX = env_int("COMPTOIR_SMTP_GROUP_MAX", 64)
# Listener processes `comptoir smtpd` runs on its port (SO_REUSEPORT): one Python process uses
# about one core. Each has its own caps above, so the memory bound is per process.
COMPTOIR_SMTP_PROCESSES = env_int("COMPTOIR_SMTP_PROCESSES", 1)
# Seconds a session may stay silent, or take to send its data, before it is closed.
COMPTOIR_SMTP_TIMEOUT = env_int("COMPTOIR_SMTP_TIMEOUT", 300)
# Where the outbox sends: smtp://user:pass@host:587?starttls=1, smtps://host:465, or
# maildir:///path (development: messages are written to a Maildir). Unset: mail waits queued.
COMPTOIR_SMTP_URL = os.environ.get("COMPTOIR_SMTP_URL", "")
# Mail to Comptoir's own users (invitations, password resets): through COMPTOIR_SMTP_URL, or
# printed on the console without it.
MAILERS = {"default": {"BACKEND": "comptoir.mail.mailer.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("COMPTOIR_FROM_EMAIL", "comptoir@localhost")
# Retries of transient failures: the n-th waits base * 2**(n-1) seconds, at most the cap;
# after COMPTOIR_OUTBOX_MAX_ATTEMPTS attempts the message is marked failed.
COMPTOIR_OUTBOX_RETRY_BASE = env_int("COMPTOIR_OUTBOX_RETRY_BASE", 60)
COMPTOIR_OUTBOX_RETRY_CAP = env_int("COMPTOIR_OUTBOX_RETRY_CAP", 3600)
# 48 attempts with the defaults: about 42 hours, like an MTA's queue lifetime, so that a relay
# down for a night or a weekend day costs no reply.
COMPTOIR_OUTBOX_MAX_ATTEMPTS = env_int("COMPTOIR_OUTBOX_MAX_ATTEMPTS", 48)
# Recipients (To and Cc) of one reply: a contact centre writes to a customer and a few people
# in copy; thousands would make Comptoir a relay that multiplies one request into spam.
COMPTOIR_MAX_RECIPIENTS = env_int("COMPTOIR_MAX_RECIPIENTS", 50)
# How long a worker holds the messages it claimed; longer than any send can take (at least
# a minute: a worker stops starting sends in the last half of its lease).
COMPTOIR_OUTBOX_LEASE = max(60, env_int("COMPTOIR_OUTBOX_LEASE", 600))

# --- Imports (docs/imports.md) --------------------------------------------------------
# Largest file accepted by the upload form, in bytes.
COMPTOIR_IMPORT_MAX_FILE_SIZE = env_int("COMPTOIR_IMPORT_MAX_FILE_SIZE", 2 * 1024**3)
# A zip is refused (zip bomb) past this many files or uncompressed bytes.
COMPTOIR_IMPORT_MAX_MEMBERS = env_int("COMPTOIR_IMPORT_MAX_MEMBERS", 200_000)
COMPTOIR_IMPORT_MAX_UNCOMPRESSED = env_int("COMPTOIR_IMPORT_MAX_UNCOMPRESSED", 8 * 1024**3)
# How long a worker holds an import between two chunks (renewed after each chunk).
COMPTOIR_IMPORT_LEASE = max(60, env_int("COMPTOIR_IMPORT_LEASE", 600))
# Days an uploaded file is kept after its import ended (0: forever); the worker deletes it.
COMPTOIR_IMPORT_RETENTION_DAYS = env_int("COMPTOIR_IMPORT_RETENTION_DAYS", 30)

# --- Play mode ------------------------------------------------------------------------
# How long a ticket stays locked to an agent without a heartbeat from their open console
# (which beats every COMPTOIR_LOCK_SECONDS / 3 seconds).
COMPTOIR_LOCK_SECONDS = max(30, env_int("COMPTOIR_LOCK_SECONDS", 300))
# A console left open with nobody using it gives its ticket back after this many seconds
# (a warning shows during the last quarter, at most 2 minutes); 0: never.
COMPTOIR_IDLE_SECONDS = max(0, env_int("COMPTOIR_IDLE_SECONDS", 900))
# How often the "no ticket now" page asks for one again, serving it as soon as one comes.
COMPTOIR_QUEUE_POLL_SECONDS = max(1, env_int("COMPTOIR_QUEUE_POLL_SECONDS", 5))

# --- Supervision ----------------------------------------------------------------------
# An agent not seen for this many seconds (no action, console heartbeat or page poll) is
# offline from their last sign of life. Above the console's beat (30 s at most) and the
# waiting page's poll.
COMPTOIR_OFFLINE_SECONDS = max(45, env_int("COMPTOIR_OFFLINE_SECONDS", 90))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "filters": {"no_refusal_traceback": {"()": "comptoir.lib.logfilters.NoTracebackForRefusals"}},
    "root": {"handlers": ["console"], "level": os.environ.get("COMPTOIR_LOG_LEVEL", "INFO")},
    "loggers": {
        "aiosmtpd": {"level": "WARNING"},
        "mail.log": {"level": "WARNING"},
        # A 403 or 404 is one line in the log, without a traceback.
        "django.request": {"filters": ["no_refusal_traceback"]},
    },
}
