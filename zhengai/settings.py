"""Django settings for the 诊改 portal, read from the environment.

``DJANGO_ENV`` picks the mode: ``development`` (the default: SQLite and a file broker under
``var/``, nothing external needed) or ``production`` (PostgreSQL, Redis, HTTPS; every secret
must be given and ``manage.py check --deploy`` stays silent). Any malformed value stops
start-up with one line naming the variable.
"""

from __future__ import annotations

from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONE, SELF

from zhengai.env import (
    ConfigError,
    database_config,
    database_parts,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    redis_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("ZHENGAI_VAR_DIR", str(BASE_DIR / "var")))

ENV = env_choice("DJANGO_ENV", "development", ("development", "production"))
PRODUCTION = ENV == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ConfigError("DEBUG=1 不能用于生产模式（DEBUG must be off when DJANGO_ENV=production）")

if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY", required=True)
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure"):
        raise ConfigError("SECRET_KEY 太弱（use at least 50 random characters）")
else:
    SECRET_KEY = env_str("SECRET_KEY", "django-insecure-development-only-never-in-production")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ConfigError("ALLOWED_HOSTS 未设置（comma-separated host names, required in production）")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "zhengai",
    "indicators",
    "schools",
    "review",
    "notices",
    "disclosure",
    "csp",
    "statedata",
    "accounts",
    "workbench",
]

MIDDLEWARE = [
    # First: an oversized body is refused before any middleware or view reads it.
    "zhengai.middleware.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "zhengai.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Provincial staff and admin users must pass a second factor (TOTP or a recovery code).
    "accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "zhengai.middleware.RefuseNulCharactersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it reads the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhengai.urls"
WSGI_APPLICATION = "zhengai.wsgi.application"

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
                "django.template.context_processors.i18n",
                "schools.context_processors.role",
                "review.context_processors.nav_section",
                "notices.context_processors.unread",
            ],
        },
    },
]

# --- Data ------------------------------------------------------------------------------
# Either one DATABASE_URL or its parts (DATABASE_HOST, _PORT, _NAME, _USER, _PASSWORD): the
# parts take a password as it is, with no URL escaping of @ : / and the like.
DATABASE_URL = env_str("DATABASE_URL")
DATABASE_NAME = env_str("DATABASE_NAME")
if PRODUCTION and not (DATABASE_URL or DATABASE_NAME):
    raise ConfigError(
        "DATABASE_URL 未设置（postgres://user:password@host:5432/name, "
        "or DATABASE_HOST/DATABASE_NAME/DATABASE_USER/DATABASE_PASSWORD）"
    )
if DATABASE_URL:
    DATABASES = {"default": database_config(DATABASE_URL)}
elif DATABASE_NAME:
    DATABASES = {"default": database_parts()}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded default lives under var/
    DATABASES = {"default": database_config(f"sqlite:///{VAR_DIR / 'zhengai.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # runserver and the Celery worker share one file: wait for the lock rather than fail.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "schools.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
# Two-factor sign-in (django-otp): required for provincial staff and admin users. Only tests
# turn this off (the browser-test conftest, for journeys that are not about signing in).
TWO_FACTOR_REQUIRED = True
OTP_TOTP_ISSUER = "福建诊改门户"
# Password-reset links stay valid for one day.
PASSWORD_RESET_TIMEOUT = 24 * 60 * 60

# django-guardian: no anonymous user row; outsiders get 404 from our permission modules.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# django-axes: lock an account/IP pair after repeated wrong passwords, for a while.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Behind the HTTPS proxy the client is read from X-Forwarded-For, trusting exactly this many
# proxy hops (one nginx in front of gunicorn); 0 uses REMOTE_ADDR (development, no proxy).
TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", 1 if PRODUCTION else 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "zhengai.client_ip.client_ip"

# --- Language and time -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Files -------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# The largest upload (a re-check material, 50 MB) plus room for the form around it: a request
# body declared larger is answered 413 before it is read.
MAX_REQUEST_BODY_BYTES = env_int("MAX_REQUEST_BODY_MB", 51, minimum=1) * 1024 * 1024

# --- Broker, jobs, cache -------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    redis_url("REDIS_URL", REDIS_URL)
elif PRODUCTION:
    raise ConfigError("REDIS_URL 未设置（redis://host:6379/0, required in production）")

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # Long waits are dates the daily scan finds, never ETAs: every countdown stays far below this.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    CACHES = {
        "default": {
            "BACKEND": "zhengai.redis_cache.PortalRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "zhengai",
        }
    }
    # Sessions read from the shared cache, written through to the database: a signed-in
    # request needs no session query. Only with a cache every process shares (ending a
    # session must end it everywhere at once); the embedded default keeps them in the database.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # The embedded default: kombu's filesystem transport, so `make run` needs no service.
    BROKER_DIR = VAR_DIR / "broker"
    for folder in ("queue", "processed", "control"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        # Exchange tables: under var/ too, never a `control/` folder in the working directory.
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "daily-deadline-scan": {
        "task": "notices.tasks.daily_scan",
        "schedule": crontab(hour=6, minute=30),
    },
    # The notices table is an outbox: e-mails whose dispatch was lost (broker down at commit)
    # or whose sender died mid-send (past the lease) are sent again. Also run by `make run`'s
    # worker, which embeds beat.
    "resend-stalled-notice-emails": {
        "task": "notices.tasks.resend_stalled_emails",
        "schedule": 120.0,
    },
    "clear-expired-sessions": {
        "task": "zhengai.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=17),
    },
}

# --- E-mail ------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = Path(env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail")))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ConfigError("EMAIL_USE_TLS 与 EMAIL_USE_SSL 不能同时开启（choose one）")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)
# How long a claimed notice e-mail may stay 发送中 before another worker may send it: well
# above one SMTP exchange (EMAIL_TIMEOUT), so only a dead sender's claim ever lapses.
NOTICE_EMAIL_LEASE_SECONDS = env_int("NOTICE_EMAIL_LEASE_SECONDS", 600, minimum=1)
# The province's window for a school's factual check of the draft verdict, in days from the
# day staff accept the panel's consolidation (that day counts as the first).
FACTUAL_CHECK_DAYS = env_int("FACTUAL_CHECK_DAYS", 7, minimum=1)
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", None if PRODUCTION else "http://127.0.0.1:8000")
if PRODUCTION and not (PORTAL_BASE_URL or "").startswith("https://"):
    # Links in e-mails are built from it: never 127.0.0.1 in production.
    raise ConfigError(
        f"PORTAL_BASE_URL={PORTAL_BASE_URL!r} 不是公开的 HTTPS 地址（e.g. https://zhengai.example.org）"
    )
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "诊改门户 <noreply@zhengai.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security ----------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Content-Security-Policy (django-csp 4): scripts and styles only from our own static files;
# no inline <script>, event handler or style attribute anywhere (templates load static/js).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # WeasyPrint logs every layout step at INFO; only its warnings matter here.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
