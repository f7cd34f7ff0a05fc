"""FLAXU settings: one module, everything read from the environment (see the README's table).

Longer than 500 lines on purpose: every value read from the environment is declared here, once, next
to its default, in the order of the README's table; splitting it by topic would scatter them.
Importing it writes nothing outside DEBUG (a development secret is generated into var/ then); the
directories the running app writes to (FLAXU_WRITABLE_DIRS) are made by flaxu.apps at start-up.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("FLAXU_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()


def _dev_secret(filename: str, factory) -> str:
    """A development-only secret generated once into var/ and reused (never committed)."""
    path = VAR_DIR / filename
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(factory())
        path.chmod(0o600)
    return path.read_text().strip()


# --- Core -----------------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="") or (
    _dev_secret("secret_key", lambda: secrets.token_urlsafe(50)) if DEBUG else ""
)
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is False.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_ID = 1
SITE_URL = env.str("FLAXU_SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "daphne",
    "flaxu.apps.FlaxuAdminConfig",
    "flaxu.app_configs.GroupsConfig",  # django.contrib.auth, readable in the admin
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.sitemaps",
    # third party
    "rest_framework",
    "drf_spectacular",
    "channels",
    "django_celery_beat",
    "allauth",
    "flaxu.app_configs.SignInEmailsConfig",  # allauth.account
    "django_otp",
    "flaxu.app_configs.AuthenticatorAppsConfig",  # django_otp.plugins.otp_totp
    "flaxu.app_configs.RecoveryCodesConfig",  # django_otp.plugins.otp_static
    "health_check",
    # ours
    "core.realtime",
    "accounts",
    "gatekeeper",
    "market",
    "trading",
    "adminpanel",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.IPAllowListMiddleware",
    "gatekeeper.middleware.SecondFactorRequiredMiddleware",
    "gatekeeper.middleware.SuspendedUserMiddleware",
    "core.errors.ApplicationErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "flaxu.csp.FlaxuCSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "flaxu.urls"
WSGI_APPLICATION = None
ASGI_APPLICATION = "flaxu.asgi.application"

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
                "flaxu.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
# SQLite under var/ by default; DATABASE_URL switches to PostgreSQL. WAL + IMMEDIATE let web, worker
# and beat share one SQLite file without "database is locked" errors.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'flaxu.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 20}
    )
    # A file (not :memory:) so that subprocesses in tests (Daphne, Celery worker) see the same data.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    # PostgreSQL: each process borrows connections from psycopg's pool (at most FLAXU_DB_POOL_MAX; a
    # request waits up to FLAXU_DB_POOL_TIMEOUT seconds for one, then gets 503 + Retry-After:
    # core.db_busy), so no number of concurrent requests can exhaust max_connections (docs/deploy.md).
    # A pooled connection goes back to the pool after each request (CONN_MAX_AGE 0, as Django requires).
    # min_size 0: connections open on demand and idle ones close after 10 minutes (Celery's prefork
    # children close their pool after every task anyway, so a warm minimum would be opened for nothing).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    _pool_max = env.int("FLAXU_DB_POOL_MAX", default=10)
    if _pool_max < 1:
        raise ImproperlyConfigured("FLAXU_DB_POOL_MAX must be at least 1.")
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": min(env.int("FLAXU_DB_POOL_MIN", default=0), _pool_max),
        "max_size": _pool_max,
        "timeout": env.float("FLAXU_DB_POOL_TIMEOUT", default=10.0),
    }
    # Behind PgBouncer in transaction mode (its pool shares PostgreSQL's connections among all processes;
    # this one still bounds each process): no server-side cursors, which die with the transaction where
    # PgBouncer may switch the server connection. Django already turns psycopg's prepared statements off.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool("FLAXU_DB_PGBOUNCER", default=False)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Celery, Channels ----------------------------------------------------------------------
# REDIS_URL unset: nothing needs a server (local-memory cache, filesystem broker, in-memory channel
# layer plus the outbox table that carries worker pushes into the web process).
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # The prefix keeps cache keys apart from Celery's and Channels' in the same Redis database.
    CACHES = {
        "default": {
            "BACKEND": "core.cache.SharedPoolRedisCache",  # one connection pool per process, not per request
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "flaxu-cache",
            # A burst of request threads beyond the pool waits for a free connection (up to 10 s) instead of
            # failing with MaxConnectionsError (redis-py's plain pool raises at 100); no call hangs forever.
            "OPTIONS": {
                "pool_class": "redis.BlockingConnectionPool",
                "max_connections": 100,
                "timeout": 10,
                "socket_connect_timeout": 5,
                "socket_timeout": 5,
            },
        }
    }
    # channels-redis's pub/sub layer through core.realtime.layer: a group_send is one PUBLISH, each web
    # process holds one subscriber connection and fans out to its own sockets in memory; memberships live
    # in the process (nothing is left in Redis when a socket or a process goes). At most once: a process
    # cut off from Redis misses what is published meanwhile (redis-py reconnects and subscribes again).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "core.realtime.layer.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [REDIS_URL],
                # Messages a socket may fall behind before it misses some (per socket, in its process).
                "capacity": 100,
            },
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
else:
    CACHES = {
        "default": {
            # File-based so web, worker and beat share one cache without a server. It holds lock-outs and
            # throttles, so it never culls a live entry (Django's file cache drops a random third at 300).
            "BACKEND": "core.cache.ExpiringFileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            # Files at which expired entries are swept (live entries are never removed early).
            "OPTIONS": {"MAX_ENTRIES": env.int("FLAXU_CACHE_MAX_ENTRIES", default=10_000)},
        }
    }
    # Channels' in-memory layer without its per-message sweep of every channel (core.realtime.layer).
    CHANNEL_LAYERS = {"default": {"BACKEND": "core.realtime.layer.InMemoryChannelLayer"}}
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_URL = "flaxu-filesystem://"  # kombu's filesystem transport, writing atomically (core.broker)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }

CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_ACKS_LATE = True
# On shutdown, finish running tasks for at most this long, then stop (late-acked tasks are redelivered).
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = env.float("CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT", default=3.0)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Queues by urgency, each consumed by its own worker (Procfile, docker-compose.yml), so a backlog of
# slow work can never hold back prices: `prices` (tickers, alert checks, pushes), `orders` (one task
# per user-order, position monitoring, reconciliation: a thread pool, so one slow exchange account never
# holds back another's order), `signals` (signal runs, sniper), `default` (quick snapshot and widget
# refreshes, housekeeping, unrouted tasks), `bulk` (candle ingest/repair/retention, slow provider
# refreshes), `reports` (backtests, calibration, the gatekeeper's scheduled re-validation). A worker
# started without -Q consumes all of them.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = {
    q: {"exchange": q, "routing_key": q} for q in ("prices", "orders", "signals", "default", "bulk", "reports")
}
CELERY_TASK_ROUTES = {
    task: {"queue": queue}
    for queue, tasks in {
        "prices": [
            "market.tasks.refresh.refresh_tickers",
            "market.tasks.alerts.check_price_alerts",
            "core.realtime.tasks.notify_user",
        ],
        "orders": [
            "trading.tasks.watch_paper_trades",
            "trading.tasks.execute_signal_for_user",
            "trading.tasks.fan_out_signal",
            "trading.tasks.close_trade",
            "trading.tasks.reconcile_trades",
            "trading.tasks.sync_positions",
            "trading.tasks.sync_user_positions",
            "trading.tasks.check_daily_loss",
            "trading.tasks.check_daily_loss_for_user",
        ],
        "signals": [
            "trading.tasks.run_signals",
            "trading.tasks.update_signal_outcomes",
            "trading.tasks.scan_sniper",
        ],
        "bulk": [
            "market.tasks.refresh.ingest_candles",
            "market.tasks.refresh.ingest_candles_for",
            "market.tasks.refresh.prune_candles",
            "market.tasks.refresh.repair_candles",
            "market.tasks.intel.refresh_liquidation_heatmaps",
            "market.tasks.intel.refresh_top_coins",
            "market.tasks.intel.refresh_fear_greed",
            "market.tasks.intel.refresh_altcoin_season",
            "adminpanel.tasks.prune_error_records",
            "adminpanel.tasks.rollup_recent_trading",
            "adminpanel.tasks.rollup_all_trading",
        ],
        "reports": [
            "trading.tasks.run_backtest",
            "trading.tasks.refresh_calibration",
            "gatekeeper.tasks.revalidate_all",
            "gatekeeper.tasks.revalidate_slice",
            "gatekeeper.tasks.revalidate_user",
        ],
    }.items()
    for task in tasks
}

# --- Auth -----------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# Failed logins: 5 per 15 minutes per account (the typed address) lock that account only; 20 per
# 15 minutes per IP lock that address (spraying many accounts), so a few typos on an unknown address
# do not lock everyone behind the same IP. A refused try spends neither budget (accounts.adapter), and
# the refusal says which limit and how long to wait (accounts.login_limits).
ACCOUNT_RATE_LIMITS = {
    "login_failed": env.str("FLAXU_LOGIN_FAILED_LIMIT", default="5/15m/key,20/15m/ip"),
}
OTP_TOTP_ISSUER = "FLAXU"
# The admin never shows TOTP seeds (key, QR, otpauth:// URL) or recovery codes, only that they exist.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[FLAXU] "
# Behind N proxies that append to X-Forwarded-For (1 behind the TLS proxy of docs/deploy.md), so
# client addresses in allow-lists, login limits and the activity log are the visitors' own.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("FLAXU_TRUSTED_PROXY_COUNT", default=0)

# --- Email ----------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="FLAXU <no-reply@flaxu.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- API ------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "gatekeeper.authentication.TokenAuthentication",  # refuses suspended accounts' tokens
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api_errors.exception_handler",
    # JSON bodies are bounded in depth and size (a deeply nested body is a 400, not a RecursionError).
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["core.throttles.ScopedOrApiRateThrottle"],
    # The seed's defaults: API 100 per 15 min per user, auth 5 per 15 min, trading 10 per minute.
    "DEFAULT_THROTTLE_RATES": {
        "api": env.str("FLAXU_THROTTLE_API", default="100/15m"),
        "auth": env.str("FLAXU_THROTTLE_AUTH", default="5/15m"),
        "trading": env.str("FLAXU_THROTTLE_TRADING", default="10/m"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Client IPs for per-IP throttles: X-Forwarded-For only as appended by our own proxies (else the
    # whole, client-made header would be the key, and each invented value a fresh budget).
    "NUM_PROXIES": ALLAUTH_TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "FLAXU API",
    "DESCRIPTION": "Referral-gated BingX futures terminal. Authenticate with `Authorization: Token <key>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "AccessLevelEnum": "gatekeeper.models.Level",
        "DirectionEnum": "trading.models.Direction",  # a trade's side is the same LONG/SHORT
        # Two "status" choice sets (backtests', trades'): each named, or the schema gets hash-suffixed names.
        "StatusEnum": "trading.portfolio.serializers.BACKTEST_STATUS",
        "TradeStatusEnum": "trading.portfolio.serializers.TRADE_STATUS",
        "BalanceAccountEnum": "trading.portfolio.serializers.BALANCE_ACCOUNTS",  # swap/spot/funding/paper
    },
    # Every error answer documented once (the one JSON shape), and symbol/exchange parameters enumerated.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "flaxu.openapi.document_error_responses",
        "flaxu.openapi.enumerate_live_choices",
    ],
    # Swagger UI from the pinned npm package (package.json), served as static: /api/docs/ works offline.
    # (STATIC_URL + the vendor/ prefix of STATICFILES_DIRS; unhashed names are served as well.)
    "SWAGGER_UI_DIST": "/static/vendor/swagger-ui-dist",
    "SWAGGER_UI_FAVICON_HREF": "/static/vendor/swagger-ui-dist/favicon-32x32.png",
}

# --- Security -------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Error reports (the DEBUG page, error emails) hide secret-looking variables and POST fields and every
# variable of the exchange stack's frames, with DEBUG on too.
DEFAULT_EXCEPTION_REPORTER_FILTER = "core.error_reporting.SecretsExceptionReporterFilter"
# Content-Security-Policy (django-csp): only this origin's scripts, styles, fonts and fetches, no inline
# script or style="..." attribute, no plugins, never framed. flaxu.csp adds this host's ws(s):// origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Static files ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
# node_modules packages (pinned in package.json) are collected as static; see STATICFILES_DIRS.
STATICFILES_DIRS = [BASE_DIR / "static"]
_NODE_MODULES = BASE_DIR / "node_modules"
if _NODE_MODULES.exists():
    STATICFILES_DIRS.append(("vendor", _NODE_MODULES))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG  # the test suite sets this too (flaxu/settings_test.py)
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["flaxu.formats"]  # datetimes shown as 2026-12-05 09:30:00 UTC (the admin too)

# --- Logging --------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        # Server errors and our own ERROR records, kept for the staff errors page (adminpanel.logging).
        "error_records": {"class": "adminpanel.logging.ErrorRecordHandler", "level": "ERROR"},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"handlers": ["error_records"]},
        **{
            app: {"handlers": ["error_records"]}
            for app in ("core", "accounts", "gatekeeper", "market", "trading", "adminpanel", "flaxu")
        },
    },
}
# Server errors and failed tasks stay on the staff errors page this many days (a beat task prunes them).
STAFF_ERROR_RETENTION_DAYS = env.int("STAFF_ERROR_RETENTION_DAYS", default=30)
if STAFF_ERROR_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("STAFF_ERROR_RETENTION_DAYS must be at least 1 (days).")

# --- Sentry (optional) ----------------------------------------------------------------------------
SENTRY_DSN = env.str("SENTRY_DSN", default="")


def _sentry_before_send(event: dict, hint: dict) -> dict | None:
    from adminpanel.redaction import scrub_sentry_event  # when an event is sent: Django is set up by then

    return scrub_sentry_event(event, hint)


def sentry_options(dsn: str) -> dict:
    """sentry_sdk.init's arguments: Django and Celery errors, no PII, no frame locals, no request bodies
    (decrypted exchange keys live in locals and forms), every event scrubbed of secrets before it leaves."""
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    return {
        "dsn": dsn,
        "integrations": [DjangoIntegration(), CeleryIntegration()],
        "send_default_pii": False,
        "include_local_variables": False,
        "max_request_body_size": "never",
        "traces_sample_rate": 0.0,
        "before_send": _sentry_before_send,
    }


if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(**sentry_options(SENTRY_DSN))

# --- FLAXU ----------------------------------------------------------------------------------------
# Key ring for the credential vault: comma-separated "id:base64key" entries (32-byte keys).
# The first entry encrypts new rows; every entry decrypts. In development a key is generated once.
FLAXU_ENCRYPTION_KEYS = env.str("FLAXU_ENCRYPTION_KEYS", default="")
if not FLAXU_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "FLAXU_ENCRYPTION_KEYS must be set when DEBUG is False "
            "(generate one with: python manage.py generate_encryption_key)."
        )
    import base64

    FLAXU_ENCRYPTION_KEYS = _dev_secret(
        "encryption_keys", lambda: "dev1:" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    )
# How long events pushed through the outbox table are kept (seconds).
FLAXU_OUTBOX_RETENTION_SECONDS = env.int("FLAXU_OUTBOX_RETENTION_SECONDS", default=600)
# How often the web process polls the outbox when no Redis carries pushes (seconds).
FLAXU_OUTBOX_POLL_SECONDS = env.float("FLAXU_OUTBOX_POLL_SECONDS", default=0.5)
# An open websocket checks its token/session and account again this often (0: only on messages and events).
FLAXU_WS_RECHECK_SECONDS = env.float("FLAXU_WS_RECHECK_SECONDS", default=60.0)
# Public websocket groups a page may join (prefixes); private groups are derived from the user.
FLAXU_PUBLIC_GROUP_PREFIXES = ["market.", "ticker.", "system"]
FLAXU_HEALTH_PING_INTERVAL = timedelta(seconds=env.int("FLAXU_HEALTH_PING_SECONDS", default=60))
# BingX API root for every API section, e.g. http://127.0.0.1:9000/openApi; empty = real BingX.
FLAXU_BINGX_URL = env.str("FLAXU_BINGX_URL", default="")
# Timeout of one exchange HTTP request (milliseconds).
FLAXU_EXCHANGE_TIMEOUT_MS = env.int("FLAXU_EXCHANGE_TIMEOUT_MS", default=10000)
# Retries after a failed exchange read or cancel (orders are never retried blindly).
FLAXU_EXCHANGE_RETRIES = env.int("FLAXU_EXCHANGE_RETRIES", default=3)
# Consecutive exchange outages (network, 5xx, bad answers) that open an exchange's circuit breaker.
FLAXU_BREAKER_FAIL_MAX = env.int("FLAXU_BREAKER_FAIL_MAX", default=5)
# How long an open circuit breaker refuses calls before letting a trial call through (seconds).
FLAXU_BREAKER_RESET_SECONDS = env.float("FLAXU_BREAKER_RESET_SECONDS", default=30)
# The platform owner's BingX agent (affiliate) API key and secret, used only for referral checks.
FLAXU_REFERRER_AGENT_API_KEY = env.str("FLAXU_REFERRER_AGENT_API_KEY", default="")
FLAXU_REFERRER_AGENT_SECRET = env.str("FLAXU_REFERRER_AGENT_SECRET", default="")
# The platform owner's BingX UID (the referrer users must have been invited by).
FLAXU_REFERRER_UID = env.str("FLAXU_REFERRER_UID", default="")
# The owner's BingX referral link, shown to users who were not referred.
FLAXU_REFERRAL_LINK = env.str("FLAXU_REFERRAL_LINK", default="https://bingx.com/invite/")
# Gatekeeper: rolling (referral + deposits in the trailing window at every check) or qualify_once.
FLAXU_ACCESS_POLICY = env.str("FLAXU_ACCESS_POLICY", default="rolling")
if FLAXU_ACCESS_POLICY not in ("rolling", "qualify_once"):
    raise ImproperlyConfigured("FLAXU_ACCESS_POLICY must be 'rolling' or 'qualify_once'.")
# Deposits must reach FLAXU_MIN_DEPOSIT_USD within this many trailing days.
FLAXU_DEPOSIT_WINDOW_DAYS = env.int("FLAXU_DEPOSIT_WINDOW_DAYS", default=5)
# Minimum credited deposits, in USD, within the window.
FLAXU_MIN_DEPOSIT_USD = env.str("FLAXU_MIN_DEPOSIT_USD", default="200")
# A user may ask for a re-check at most once per this many seconds.
FLAXU_RECHECK_THROTTLE_SECONDS = env.int("FLAXU_RECHECK_THROTTLE_SECONDS", default=60)
# Scheduled re-validation spreads users over this many seconds (and at least 2 s apart).
FLAXU_REVALIDATE_SPREAD_SECONDS = env.int("FLAXU_REVALIDATE_SPREAD_SECONDS", default=4 * 3600)

# --- FLAXU: market intelligence -------------------------------------------------------------------
# Where market data comes from: "replay" (seeded simulator + fixture answers, offline, shown as DEMO)
# or "live" (public exchange and provider APIs).
FLAXU_MARKET_SOURCE = env.str("FLAXU_MARKET_SOURCE", default="replay")
if FLAXU_MARKET_SOURCE not in ("live", "replay"):
    raise ImproperlyConfigured("FLAXU_MARKET_SOURCE must be 'live' or 'replay'.")
# Replay: simulator seed, playback speed (1.0 = real time) and an optional OHLCV CSV to play instead.
FLAXU_REPLAY_SEED = env.int("FLAXU_REPLAY_SEED", default=42)
FLAXU_REPLAY_SPEED = env.float("FLAXU_REPLAY_SPEED", default=1.0)
FLAXU_REPLAY_CSV = env.str("FLAXU_REPLAY_CSV", default="")
# Exchanges compared by the market panel (ccxt ids).
FLAXU_MARKET_EXCHANGES = env.list("FLAXU_MARKET_EXCHANGES", default=["bingx", "binanceusdm", "okx", "bybit"])
# Cache lifetimes (seconds), the seed's defaults.
FLAXU_TTL_PRICES = env.int("FLAXU_TTL_PRICES", default=10)
FLAXU_TTL_LIQUIDATIONS = env.int("FLAXU_TTL_LIQUIDATIONS", default=30)
FLAXU_TTL_FUNDING = env.int("FLAXU_TTL_FUNDING", default=300)
FLAXU_TTL_FEAR_GREED = env.int("FLAXU_TTL_FEAR_GREED", default=3600)
FLAXU_TTL_TOP500 = env.int("FLAXU_TTL_TOP500", default=600)
FLAXU_TTL_ARBITRAGE = env.int("FLAXU_TTL_ARBITRAGE", default=15)
# Arbitrage: report opportunities whose net spread after taker fees is at least this (percent).
FLAXU_ARB_MIN_NET_PCT = env.float("FLAXU_ARB_MIN_NET_PCT", default=0.5)
# Live pushes to one websocket group are coalesced to at most one per this many seconds.
FLAXU_PUSH_COALESCE_SECONDS = env.float("FLAXU_PUSH_COALESCE_SECONDS", default=1.0)
# Exchanges whose candles are stored (ccxt ids); empty: the market source's first exchange.
FLAXU_CANDLE_EXCHANGES = env.list("FLAXU_CANDLE_EXCHANGES", default=[])
# Candle retention per timeframe (days; 0 keeps forever).
FLAXU_CANDLE_RETENTION_DAYS = {
    "1m": env.int("FLAXU_RETENTION_1M_DAYS", default=14),
    "5m": env.int("FLAXU_RETENTION_5M_DAYS", default=120),
    "15m": env.int("FLAXU_RETENTION_15M_DAYS", default=365),
    "1h": env.int("FLAXU_RETENTION_1H_DAYS", default=0),
    "1d": env.int("FLAXU_RETENTION_1D_DAYS", default=0),
}
# Optional provider keys: CoinGecko demo key (header x-cg-demo-api-key); Coinglass is used only when set.
COINGECKO_API_KEY = env.str("COINGECKO_API_KEY", default="")
COINGLASS_API_KEY = env.str("COINGLASS_API_KEY", default="")
# Provider API roots (empty: the public URL); tests and proxies point them elsewhere.
FLAXU_COINGECKO_URL = env.str("FLAXU_COINGECKO_URL", default="")
FLAXU_ALTERNATIVE_ME_URL = env.str("FLAXU_ALTERNATIVE_ME_URL", default="")
FLAXU_COINGLASS_URL = env.str("FLAXU_COINGLASS_URL", default="")
# Timeout of one provider HTTP request (seconds).
FLAXU_PROVIDER_TIMEOUT_SECONDS = env.float("FLAXU_PROVIDER_TIMEOUT_SECONDS", default=10.0)

# --- FLAXU: signals, sniper, backtests ------------------------------------------------------------
# Signals strictly above this confidence (0-100) can be auto-executable (with positive evidence).
FLAXU_SIGNAL_MIN_CONFIDENCE = env.int("FLAXU_SIGNAL_MIN_CONFIDENCE", default=75)
# Symbols the live signal engine follows (ccxt symbols); empty: the market source's universe.
FLAXU_SIGNAL_SYMBOLS = env.list("FLAXU_SIGNAL_SYMBOLS", default=[])
# Timeframes the live signal engine runs on, each on its own stored candles.
FLAXU_SIGNAL_TIMEFRAMES = env.list("FLAXU_SIGNAL_TIMEFRAMES", default=["5m", "15m", "1h"])
# Closed candles each live run analyses (covers the engine's zone age and warm-up).
FLAXU_SIGNAL_LOOKBACK_BARS = env.int("FLAXU_SIGNAL_LOOKBACK_BARS", default=1500)
# On a series' first run, signals of this many latest candles are saved; later runs save only new ones.
FLAXU_SIGNAL_BACKFILL_BARS = env.int("FLAXU_SIGNAL_BACKFILL_BARS", default=300)
# Outcomes a setup class needs before its out-of-sample mean R can make a signal auto-executable.
FLAXU_EVIDENCE_MIN_SAMPLES = env.int("FLAXU_EVIDENCE_MIN_SAMPLES", default=30)
# --- FLAXU: execution ----------------------------------------------------------------------------
# USDT a new (or reset) paper wallet starts with.
FLAXU_PAPER_INITIAL_BALANCE = env.get_value("FLAXU_PAPER_INITIAL_BALANCE", cast=Decimal, default="10000")
# Seconds between two position-monitoring passes (sync positions/orders, close trades whose SL/TP filled).
FLAXU_POSITION_MONITOR_SECONDS = env.int("FLAXU_POSITION_MONITOR_SECONDS", default=10)
# A PENDING trade whose order the exchange cannot find after this many seconds is settled as FAILED.
FLAXU_ORDER_VISIBILITY_SECONDS = env.int("FLAXU_ORDER_VISIBILITY_SECONDS", default=120)
# A backtest may cover at most this many candles of its timeframe.
FLAXU_BACKTEST_MAX_CANDLES = env.int("FLAXU_BACKTEST_MAX_CANDLES", default=200_000)
# Candles per series the daily calibration backtests read.
FLAXU_CALIBRATION_MAX_CANDLES = env.int("FLAXU_CALIBRATION_MAX_CANDLES", default=20_000)
# Sniper: a move within this many minutes, up at least PUMP_PCT or down at least DUMP_PCT, that cleared at
# least MIN_CLEARED_PCT of estimated liquidations; REVERSAL trades against the move.
FLAXU_SNIPER_WINDOW_MINUTES = env.int("FLAXU_SNIPER_WINDOW_MINUTES", default=5)
FLAXU_SNIPER_PUMP_PCT = env.float("FLAXU_SNIPER_PUMP_PCT", default=5.0)
FLAXU_SNIPER_DUMP_PCT = env.float("FLAXU_SNIPER_DUMP_PCT", default=-10.0)
FLAXU_SNIPER_MIN_CLEARED_PCT = env.float("FLAXU_SNIPER_MIN_CLEARED_PCT", default=75.0)
FLAXU_SNIPER_REVERSAL = env.bool("FLAXU_SNIPER_REVERSAL", default=False)
# A sniper scan saves alerts of the last this many minutes (catches up after a missed scan).
FLAXU_SNIPER_RECENT_MINUTES = env.int("FLAXU_SNIPER_RECENT_MINUTES", default=10)
# Budget of the backtest status endpoint, which the page polls every second.
FLAXU_THROTTLE_BACKTEST_STATUS = env.str("FLAXU_THROTTLE_BACKTEST_STATUS", default="1800/15m")
# Budgets of the cached market reads (/api/market/*): per signed-in user, and per client IP for visitors.
FLAXU_THROTTLE_MARKET = env.str("FLAXU_THROTTLE_MARKET", default="600/15m")
FLAXU_THROTTLE_MARKET_ANON = env.str("FLAXU_THROTTLE_MARKET_ANON", default="600/15m")
# /bench/hello: a bare "hello" view, the anchor of bench/load.py; 404 unless on.
FLAXU_BENCH_HELLO = env.bool("FLAXU_BENCH_HELLO", default=False)

# The test suite's settings (a faster password hasher, a partition per pytest-xdist worker): flaxu/settings_test.py.

# Directories the running app writes to, made at start-up (flaxu.apps), never by importing this module.
FLAXU_WRITABLE_DIRS = [VAR_DIR, STATIC_ROOT] + (
    [] if REDIS_URL else [_broker_dir / sub for sub in ("out", "processed", "control")]
)
