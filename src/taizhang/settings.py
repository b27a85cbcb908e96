"""The one settings module. Every value a deployment may change is read from a TAIZHANG_* variable.

Defaults suit a laptop: SQLite under ./data, plain HTTP on 127.0.0.1, DEBUG off. Production sets
TAIZHANG_SECRET_KEY, TAIZHANG_ALLOWED_HOSTS and TAIZHANG_HTTPS=1 (TLS ends at the proxy) and then
`taizhang manage check --deploy --fail-level WARNING` is clean.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    value = int(raw) if raw not in (None, "") else default
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} 不能小于 {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("TAIZHANG_DATA_DIR", "data")).resolve()
MEDIA_ROOT = DATA_DIR / "attachments"


def _secret_key() -> str:
    """Use the configured key; on a laptop keep a generated one in the data directory, never the repo."""
    configured = env_str("TAIZHANG_SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
# The audit chain's key (see taizhang.core.audit): by default DATA_DIR/audit_key, made 0600 on first
# use. Keep a copy apart from the backups: a restore needs it, and a backup never holds it.
AUDIT_KEY = env_str("TAIZHANG_AUDIT_KEY")
# every this many audit rows a signed checkpoint line goes to the `taizhang.audit` log (0: never)
AUDIT_CHECKPOINT_EVERY = env_int("TAIZHANG_AUDIT_CHECKPOINT_EVERY", 1000, minimum=0)
DEBUG = env_bool("TAIZHANG_DEBUG", False)
HTTPS = env_bool("TAIZHANG_HTTPS", False)
ALLOWED_HOSTS = env_list("TAIZHANG_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("TAIZHANG_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "taizhang.core",
    "taizhang.orgs",
    "taizhang.ledger",
    "taizhang.rules",
    "taizhang.reports",
    "taizhang.library",
    "taizhang.notify",
    "taizhang.notices",
]

MIDDLEWARE = [
    # outermost, so the answers middleware below gives by itself (the NUL refusal, a bad Host's
    # 400, the HTTPS redirect) carry the same frame and content policies as every page
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "taizhang.core.middleware.RequestContextMiddleware",
    "taizhang.core.ops.RequestLogMiddleware",
    "taizhang.core.ops.RefuseNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "taizhang.core.headers.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "axes.middleware.AxesMiddleware",
    "taizhang.core.ops.RateLimitMiddleware",
    "taizhang.orgs.middleware.PasswordChangeRequiredMiddleware",
    "taizhang.orgs.middleware.CurrentUnitMiddleware",
]

ROOT_URLCONF = "taizhang.urls"
WSGI_APPLICATION = "taizhang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "taizhang.orgs.context_processors.shell",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
DATABASE_URL = env_str("TAIZHANG_DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "taizhang.sqlite3"),
            "OPTIONS": {
                # Writers take the lock when the transaction starts instead of failing at upgrade;
                # the busy timeout lets concurrent writers queue rather than see "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": env_int("TAIZHANG_SQLITE_TIMEOUT", 30, minimum=20),
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-32000;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and login policy ------------------------------------------------------------------
AUTH_USER_MODEL = "orgs.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

PASSWORD_MIN_LENGTH = env_int("TAIZHANG_PASSWORD_MIN_LENGTH", 8, minimum=8)
PASSWORD_MIN_CLASSES = env_int("TAIZHANG_PASSWORD_MIN_CLASSES", 3, minimum=1)
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "taizhang.orgs.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {
        "NAME": "taizhang.orgs.passwords.CharacterClassValidator",
        "OPTIONS": {"min_classes": PASSWORD_MIN_CLASSES},
    },
    {"NAME": "taizhang.orgs.passwords.NotUsernameValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "taizhang.orgs.passwords.CommonInChinaValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("TAIZHANG_LOCKOUT_FAILURES", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("TAIZHANG_LOCKOUT_MINUTES", 30, minimum=1))
# Either the account or the address trips the lock on its own.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# axes' own reset deletes every failure matching *any* lockout parameter, so one person's success
# would wipe the failures of every account guessed from that address. A success instead clears the
# succeeding account's own failures from that address (taizhang.orgs.signals).
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "taizhang.core.middleware.client_address"

# The proxies whose X-Forwarded-For and X-Request-ID are believed: addresses or networks
# ("10.0.0.5,10.1.0.0/24"). The client address (rate limit, lockout, audit) is then the nearest
# untrusted hop of X-Forwarded-For; from anyone else both headers are ignored. Empty trusts no
# one. The older TAIZHANG_BEHIND_PROXY=1 (implied by TAIZHANG_HTTPS=1) means nginx on this machine.
LOOPBACK_PROXIES = ["127.0.0.1", "::1"]
TRUSTED_PROXIES = env_list(
    "TAIZHANG_TRUSTED_PROXIES", LOOPBACK_PROXIES if env_bool("TAIZHANG_BEHIND_PROXY", HTTPS) else []
)
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _exc:
        raise ValueError(f"TAIZHANG_TRUSTED_PROXIES 中的 {_proxy!r} 不是地址或网段") from _exc
AXES_VERBOSE = False

SESSION_IDLE_MINUTES = env_int("TAIZHANG_SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True  # the age counts from the last request: an idle timeout
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Security headers ---------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("TAIZHANG_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
    }
}

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Files --------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
ATTACHMENT_MAX_BYTES = env_int("TAIZHANG_ATTACHMENT_MAX_MB", 20, minimum=1) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Logging ------------------------------------------------------------------------------------
LOG_FORMAT = env_str("TAIZHANG_LOG_FORMAT", "plain")  # "json": one JSON object per line
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "taizhang.core.ops.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": env_str("TAIZHANG_LOG_LEVEL", "WARNING")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # signed audit checkpoints (one line per AUDIT_CHECKPOINT_EVERY rows) for syslog/journald
        "taizhang.audit": {"level": "INFO"},
        # one line per request (method, path, status, time, person, unit, client, request id)
        # (on by default with JSON logs, which then replace gunicorn's access log)
        "taizhang.request": {
            "level": env_str("TAIZHANG_REQUEST_LOG_LEVEL", "INFO" if LOG_FORMAT == "json" else "WARNING")
        },
    },
}

# --- Cache and rate limits ------------------------------------------------------------------------
# A province points every application server at one Redis: the rate-limit counters (and any
# cached value) are then shared. Alone on one machine, each worker keeps its own in memory.
REDIS_URL = env_str("TAIZHANG_REDIS_URL")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "taizhang",
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
RATE_LIMIT_PER_MINUTE = env_int("TAIZHANG_RATE_LIMIT", 600, minimum=0)

# --- Messages, reminders and their delivery (taizhang.notify) -------------------------------------
# In-app messages are always on. E-mail goes out over SMTP when TAIZHANG_NOTIFY_EMAIL=1 (to the
# account's address, unless the person switched it off); a unit's group robot (企业微信/政务微信/钉钉,
# set by the system administrator) only on the hosts listed here. `taizhang notify deliver`
# (a systemd timer, every minute) sends the outbox; `taizhang notify remind` (daily) writes reminders.
EMAIL_BACKEND = env_str("TAIZHANG_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("TAIZHANG_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("TAIZHANG_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("TAIZHANG_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("TAIZHANG_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("TAIZHANG_EMAIL_STARTTLS")
EMAIL_USE_SSL = env_bool("TAIZHANG_EMAIL_SSL")
DEFAULT_FROM_EMAIL = env_str("TAIZHANG_EMAIL_FROM", "taizhang@localhost")
EMAIL_FILE_PATH = env_str("TAIZHANG_EMAIL_FILE_PATH", str(DATA_DIR / "mail"))  # the file backend (the demo)
NOTIFY_EMAIL = env_bool("TAIZHANG_NOTIFY_EMAIL")
NOTIFY_WEBHOOKS = env_bool("TAIZHANG_NOTIFY_WEBHOOKS")
NOTIFY_WEBHOOK_HOSTS = env_list("TAIZHANG_NOTIFY_WEBHOOK_HOSTS", ["qyapi.weixin.qq.com", "oapi.dingtalk.com"])
NOTIFY_WEBHOOK_ALLOW_HTTP = env_bool("TAIZHANG_NOTIFY_WEBHOOK_ALLOW_HTTP")  # an intranet 政务微信 without TLS
# links in e-mail and robot posts, e.g. https://taizhang.example.gov.cn
NOTIFY_SITE_URL = env_str("TAIZHANG_SITE_URL")
NOTIFY_REMIND_DAYS = env_int("TAIZHANG_REMIND_DAYS", 7, minimum=1)
NOTIFY_TIMEOUT = env_int("TAIZHANG_NOTIFY_TIMEOUT", 10, minimum=1)
NOTIFY_MAX_ATTEMPTS = env_int("TAIZHANG_NOTIFY_MAX_ATTEMPTS", 6, minimum=1)
NOTIFY_RETRY_SECONDS = env_int("TAIZHANG_NOTIFY_RETRY_SECONDS", 60, minimum=1)
NOTIFY_LEASE_SECONDS = env_int("TAIZHANG_NOTIFY_LEASE_SECONDS", 300, minimum=2)  # longer than one send
