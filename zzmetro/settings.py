"""Settings for zzmetro. Every value is read from the environment (see .env.example).

The defaults are the embedded demo setup: SQLite, Celery tasks run in-process, e-mails written to a folder.
"""

import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="insecure-demo-key-change-me-in-production-zzmetro")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Absolute base URL used in e-mails and in the QR code printed on certificates (DOMAIN D2).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "zzmetro.admin_site.ZZAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "simple_history",
    "zzmetro.apps.CoreConfig",
    "authorizations",
    "reporting",
    "inspections",
    # Last, as its docs ask: deletes a FileField's old file after the transaction that replaced or deleted it commits.
    "django_cleanup.apps.CleanupConfig",
]

MIDDLEWARE = [
    # First: every log line of a request carries its id (nginx's X-Request-ID or a new one), and one access line ends it.
    "zzmetro.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (django-csp): no inline scripts anywhere, see CONTENT_SECURITY_POLICY below.
    "csp.middleware.CSPMiddleware",
    # X-Frame-Options: DENY on every answer, including those of the middleware below (400, 413, slash redirects).
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Signed-in answers are never cached (Cache-Control: no-store), the slash redirects and the 400/413 pages of the
    # middleware below included; it reads request.user on the way out. Downloads set it in zzmetro/responses.py.
    "zzmetro.middleware.NoStoreForSignedInMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Before any process_view (CSRF reads the body): a body over the upload limit gets a 413 unread.
    "zzmetro.upload_handlers.UploadSizeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A NUL byte in a query parameter or form field gets a 400 page, never a database error (zzmetro/middleware.py).
    "zzmetro.middleware.ForbiddenCharactersMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Idle sessions, the second factor and the first-login password change (DOMAIN G1, G3; zzmetro/security/).
    "zzmetro.security.middleware.IdentityMiddleware",
    # Security audit (DOMAIN G2): records every download, export and admin write with its account and address; after
    # the identity checks, so it sees only requests that reach a view.
    "zzmetro.audit.AuditMiddleware",
    # Last, as its docs ask: turns a login refused for lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zzmetro.urls"
WSGI_APPLICATION = "zzmetro.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # A database host that goes silent must fail a request (and the readiness probe) in seconds, not hang it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
# A worker keeps its connection for this many seconds instead of opening one per request (issue 13 "Load"); Django
# checks that a kept connection still answers before a request uses it. 0: a new connection for every request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Two roles on PostgreSQL (README "Database roles"): the portal connects as DATABASE_URL's role, which owns nothing;
# `manage.py migrate` and `grant_app_role` connect as the tables' owner named by DATABASE_MIGRATE_URL (same database).
DATABASE_OWNER = env.db("DATABASE_MIGRATE_URL") if env.str("DATABASE_MIGRATE_URL", default="") else None
if DATABASE_OWNER and any(DATABASE_OWNER[k] != DATABASES["default"][k] for k in ("ENGINE", "NAME", "HOST", "PORT")):
    raise ImproperlyConfigured("DATABASE_MIGRATE_URL must name the same database as DATABASE_URL, as another role.")
# Rate limits (password reset) count in this cache; the default is per process. Production: redis://…/1.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
# Pages kept rendered (zzmetro/pagecache.py: the public register, and signed-in pages per account): in each process's
# memory, whatever CACHE_URL says — a stamp read from the database keeps every process right — and apart from the
# counters above, so that many different pages can never push a rate limit out.
CACHES["pages"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "zzmetro-pages",
    "TIMEOUT": 3600,
    "OPTIONS": {"MAX_ENTRIES": 1000},
}
# Signed-in pages kept per account apart from the public ones, so that anonymous visitors asking for many different
# register queries can never push the staff's and officers' pages out.
CACHES["kept"] = {**CACHES["pages"], "LOCATION": "zzmetro-kept"}
# Anonymous password-reset requests per hour, per e-mail address and per client address.
PASSWORD_RESET_PER_EMAIL_PER_HOUR = env.int("PASSWORD_RESET_PER_EMAIL_PER_HOUR", default=3)
PASSWORD_RESET_PER_IP_PER_HOUR = env.int("PASSWORD_RESET_PER_IP_PER_HOUR", default=10)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "authorizations.User"

# Passwords (DOMAIN G1): 8 characters or more from 3 of 4 classes, not like the account's names, not common, none of
# the last 5. Staff-set passwords (new accounts, createsuperuser, admin resets) are changed at first login.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "zzmetro.security.passwords.UsernameSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "zzmetro.security.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "zzmetro.security.passwords.PasswordHistoryValidator", "OPTIONS": {"count": 5}},
]
# Login lockout (DOMAIN G1) by django-axes, on the portal and admin logins alike: LOGIN_FAILURE_LIMIT failures from
# one address for one username, each within LOGIN_FAILURE_WINDOW_MINUTES of the previous, lock that pair for
# LOGIN_LOCKOUT_MINUTES after the last one (zzmetro/security/lockout.py). Staff unlock in the admin.
LOGIN_FAILURE_WINDOW_MINUTES = env.int("LOGIN_FAILURE_WINDOW_MINUTES", default=15)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=30)
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_COOLOFF_TIME = "zzmetro.security.lockout.cool_off"
AXES_USE_ATTEMPT_EXPIRATION = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "zzmetro.throttle.client_ip"
# The username as the login form normalises it (" officer1", ｏｆｆｉｃｅｒ１ sign in as officer1 and are locked as it).
AXES_USERNAME_CALLABLE = "zzmetro.security.lockout.username"
AXES_LOCKOUT_CALLABLE = "zzmetro.security.lockout.lockout_response"
AXES_COOLOFF_MESSAGE = "登录失败次数过多，账号已暂时锁定，请稍后再试或联系市局计量处解除锁定。"
AXES_VERBOSE = False
# Sessions end after this many idle minutes (DOMAIN G1); the login page then says 会话已超时.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
# Security audit log (DOMAIN G2): a daily job deletes rows older than this many days; fewer than 180 are refused
# (网络安全法 第二十一条), by the job and by the database itself.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=180)
# Second factor (DOMAIN G3): bureau staff and managers confirm a TOTP code at login. Off in the demo, on in production.
ZZ_REQUIRE_2FA = env.bool("ZZ_REQUIRE_2FA", default=False)
OTP_TOTP_ISSUER = "郑州计量授权"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "register:index"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
# Production (DEBUG off, not under pytest) serves collected files with hashed, compressed names (collectstatic first,
# as `make serve` does); the demo and the tests serve the source files as they are, without collectstatic. The demo's
# server runs with DEBUG off (the portal's own error pages) and STATIC_MANIFEST=0.
STATIC_MANIFEST = env.bool("STATIC_MANIFEST", default=not DEBUG and "pytest" not in sys.modules)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Uploads (zzmetro/uploads.py, DOMAIN G4). Each field has one limit: scanned documents and images here, the monthly
# report workbook and the archive import in ZZ_POLICY. A request body longer than the largest of them plus 1 MB gets a
# 413 before it is read; a streamed file past it is cut off (zzmetro/upload_handlers.py).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
UPLOAD_IMAGE_MAX_PIXELS = env.int("UPLOAD_IMAGE_MAX_PIXELS", default=80_000_000)  # a 600 dpi A3 scan is 70 million
FILE_UPLOAD_HANDLERS = [
    "zzmetro.upload_handlers.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # the form fields of a request, files excluded
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # larger files stream to a temporary file
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000  # the admin changelist posts one field per selected row
DATA_UPLOAD_MAX_NUMBER_FILES = 5  # every form takes one file

# Fonts prepared for PDF rendering by `manage.py prepare_fonts` (see zzmetro/pdf.py).
PDF_FONT_DIR = env.path("PDF_FONT_DIR", default=str(VAR_DIR / "fonts"))

# E-mail: the demo writes each message into var/mail; production sets EMAIL_URL (smtp://user:pass@host:25).
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env.path("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
# Every mail is first written to the outbox in the same transaction as the change that causes it
# (zzmetro/outbox.py); the transport above only delivers it afterwards, retrying with back-off.
OUTBOX_EMAIL_BACKEND = EMAIL_BACKEND
EMAIL_BACKEND = "zzmetro.outbox.OutboxBackend"
# Seconds to wait for the mail server: a silent server must never hold a worker (or a page) for long.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=5)
# After this many failed attempts (about a day with back-off) a mail is shown as failed for staff to resend.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="郑州市质量技术监督局计量处 <jlc@zzmetro.local>")
# Bureau staff mailbox copied on overdue reminders and major-issue reports.
BUREAU_EMAIL = env.list("BUREAU_EMAIL", default=["jlc@zzmetro.local"])

# Celery: with REDIS_URL the tasks go to the broker; without it they run in-process (embedded demo).
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
# No result backend: nothing reads task results (work reports progress in its own rows), and a result store that is
# down would otherwise be retried on every publish.
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Work is recorded in the database before it is queued (zzmetro/jobs.py), so a broker that is down or silent
# must fail fast rather than hold the user's request: no publish retries, short socket timeouts.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 3, "max_retries": 0}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 3
# An import whose worker stops reporting progress for this long is declared failed (the officer uploads again).
IMPORT_STALE_AFTER_SECONDS = env.int("IMPORT_STALE_AFTER_SECONDS", default=600)


def _go_live_month(value: str):
    """ZZ_GO_LIVE "2026-05" → date(2026, 5, 1); empty → None (every month is reported online)."""
    if not value:
        return None
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError as error:
        raise ImproperlyConfigured("ZZ_GO_LIVE must read YYYY-MM, e.g. 2026-05.") from error


# Domain policy numbers (DOMAIN.md): one place, overridable from the environment.
ZZ_POLICY = {
    "CERTIFICATE_VALID_YEARS": env.int("ZZ_CERTIFICATE_VALID_YEARS", default=3),  # A6
    "RENEWAL_MONTHS_BEFORE_EXPIRY": env.int("ZZ_RENEWAL_MONTHS_BEFORE_EXPIRY", default=6),  # A7
    "TERMINATION_NOTICE_MONTHS": env.int("ZZ_TERMINATION_NOTICE_MONTHS", default=6),  # A9
    "REVOCATION_RETURN_DAYS": env.int("ZZ_REVOCATION_RETURN_DAYS", default=30),  # A11
    "REVOCATION_BAN_YEARS": env.int("ZZ_REVOCATION_BAN_YEARS", default=3),  # A11
    "EXPIRY_WARNING_MONTHS": env.int("ZZ_EXPIRY_WARNING_MONTHS", default=6),  # admin filter, dashboard
    "SAMPLE_TRADE_WEIGHT": env.float("ZZ_SAMPLE_TRADE_WEIGHT", default=3.0),  # I4: weight of trade settlement
    "INSPECTION_FLAG_MONTH_DAY": (11, 30),  # I1: a station without an on-site inspection by 30 November
    "MONTHLY_REPORT_DUE_DAY": env.int("ZZ_MONTHLY_REPORT_DUE_DAY", default=3),  # M2: by the 3rd of month M+1
    "PLAN_DUE_DAY": env.int("ZZ_PLAN_DUE_DAY", default=10),  # P1: next year's plan by this day of December
    "RESOURCE_WARNING_DAYS": tuple(env.list("ZZ_RESOURCE_WARNING_DAYS", cast=int, default=[90, 30])),  # R2
    "ARCHIVE_IMPORT_MAX_ROWS": env.int("ZZ_ARCHIVE_IMPORT_MAX_ROWS", default=100_000),  # M1 import size limit
    "ARCHIVE_IMPORT_MAX_BYTES": env.int("ZZ_ARCHIVE_IMPORT_MAX_BYTES", default=30 * 1024 * 1024),
    "MONTHLY_REPORT_UPLOAD_MAX_BYTES": env.int("ZZ_MONTHLY_REPORT_UPLOAD_MAX_BYTES", default=2 * 1024 * 1024),  # M2
    # Q1: a month's count is flagged outside median ± k·MAD of the previous (window) submitted months, given at
    # least (min months) of history; MAD is floored so a count that never varied still tolerates ±k.
    "QUALITY_OUTLIER_K": Decimal(env.str("ZZ_QUALITY_OUTLIER_K", default="3")),
    "QUALITY_OUTLIER_WINDOW": env.int("ZZ_QUALITY_OUTLIER_WINDOW", default=12),
    "QUALITY_OUTLIER_MIN_MONTHS": env.int("ZZ_QUALITY_OUTLIER_MIN_MONTHS", default=6),
    "QUALITY_MAD_FLOOR": Decimal(env.str("ZZ_QUALITY_MAD_FLOOR", default="1")),
    # Q2: a report line may differ from the archive by max(tolerance, percent % of the archive's count).
    "QUALITY_ARCHIVE_TOLERANCE": env.int("ZZ_QUALITY_ARCHIVE_TOLERANCE", default=2),
    "QUALITY_ARCHIVE_PERCENT": Decimal(env.str("ZZ_QUALITY_ARCHIVE_PERCENT", default="5")),
    # M8: first month reported through the portal ("YYYY-MM"); earlier months were on paper, never overdue.
    "GO_LIVE": _go_live_month(env.str("ZZ_GO_LIVE", default="")),
}

SESSION_COOKIE_AGE = 8 * 3600
# Django's database sessions, read with one plain statement on every request (zzmetro/sessions.py, issue 13 "Load").
SESSION_ENGINE = "zzmetro.sessions"
# Behind an HTTPS reverse proxy: cookies only over HTTPS, and trust the proxy's scheme header.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("HTTPS_ONLY", default=False)
if env.bool("BEHIND_HTTPS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind the proxy, the client's address is the last X-Forwarded-For hop, read only on connections from these addresses
# (nginx on the same host, deploy/nginx/zzmetro.conf): the login lockout and the audit log count by it (zzmetro/throttle.py).
TRUSTED_PROXY_ADDRESSES = env.list("TRUSTED_PROXY_ADDRESSES", default=["127.0.0.1", "::1"])
# Redirect plain HTTP to HTTPS, except the health endpoints that a load balancer or systemd asks over plain HTTP.
SECURE_SSL_REDIRECT = env.bool("HTTPS_ONLY", default=False)
SECURE_REDIRECT_EXEMPT = [r"^healthz/"]
# HSTS on HTTPS responses (production: a year, the whole domain).
SECURE_HSTS_SECONDS = env.int("HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("HSTS_PRELOAD", default=False)
X_FRAME_OPTIONS = "DENY"
# No inline script and no on…= handler anywhere: page scripts live in static/js/ (forms ask with data-confirm="…").
# Styles keep 'unsafe-inline' for style="" attributes (templates, the admin, the OTP QR code's SVG); scripts do not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Readiness (/healthz/ready, zzmetro/health.py): a mail still pending this many minutes past its due time means the
# worker or beat is down; beat's heartbeat (every minute) older than this many seconds means beat is down.
HEALTH_OUTBOX_STUCK_MINUTES = env.int("HEALTH_OUTBOX_STUCK_MINUTES", default=15)
HEALTH_BEAT_MAX_AGE_SECONDS = env.int("HEALTH_BEAT_MAX_AGE_SECONDS", default=180)

# LOG_FORMAT=json (production): one JSON object a line with the request id, and one access line per request
# (zzmetro/logging.py); text (the demo): plain messages, no access lines (runserver prints its own).
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured("LOG_FORMAT must be text or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "zzmetro.logging.RequestIdFilter"}},
    "formatters": {"json": {"()": "zzmetro.logging.JsonFormatter"}, "text": {"format": "%(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # axes logs every login at INFO; failures and lockouts come at WARNING.
    "loggers": {
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
        "zzmetro.access": {"level": "INFO" if LOG_FORMAT == "json" else "WARNING"},
    },
}
# Celery's worker and beat log through the configuration above instead of replacing the root handler.
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT != "json"
# Axes first: it refuses a locked-out username and address before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "authorizations.backends.RoleBackend"]
