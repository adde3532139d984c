"""Settings for arras_quartiers, read from the environment (see .env.example)."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from foundation.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("TESTING", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "foundation",
    "arras_quartiers",
    "teams",
    "observations",
    "bookings",
    "meetings",
    "walks",
    "documents",
    "open311",
    "diagnostics",
]

MIDDLEWARE = [
    "arras_quartiers.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "foundation.uploads.RequestSizeLimitMiddleware",
    "foundation.replica.ReadYourWritesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "arras_quartiers.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "arras_quartiers.urls"
WSGI_APPLICATION = "arras_quartiers.wsgi.application"

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
                "django.template.context_processors.csp",
                "arras_quartiers.context_processors.navigation",
            ],
        },
    },
]

# Database: DATABASE_URL (PostgreSQL in production and CI), a SQLite file otherwise.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    # dj_database_url's TypedDict and the SQLite dict below: both read-only mappings.
    DATABASES: dict[str, Mapping[str, Any]] = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 60))
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL;",
            },
        }
    }
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
# No server-side cursor, pooled or not: behind PgBouncer in transaction mode a cursor would outlive
# its transaction, and on a direct connection Django declares one `WITH HOLD` (three round trips
# and a materialised result) for every form's model choices. `.iterator()` then reads its whole
# result on the client, so large reads go by keyset chunks (foundation/chunks.py); both
# deployments run the same reads (tests/foundation/test_server_cursors.py).
if IS_POSTGRES:
    DATABASES["default"] = {**DATABASES["default"], "DISABLE_SERVER_SIDE_CURSORS": True}
# Behind PgBouncer (DATABASE_POOLER=pgbouncer, deploy/pgbouncer.ini), a server connection serves
# one transaction, then another client: no session-level SET (the app sets only
# transaction-local values). Connections to PgBouncer itself stay open (cheap), and are checked
# before reuse so that a restarted pooler costs no request.
DATABASE_POOLER = env_str("DATABASE_POOLER")
if DATABASE_POOLER not in ("", "pgbouncer"):
    raise ImproperlyConfigured("DATABASE_POOLER: empty (direct connection) or 'pgbouncer'.")
POOLED = {"CONN_HEALTH_CHECKS": True}
if DATABASE_POOLER and IS_POSTGRES:
    DATABASES["default"] = {**DATABASES["default"], **POOLED}

# Read replica (foundation/replica.py): the reads of lists, dashboards, indicators, feeds and the
# map go to DATABASE_REPLICA_URL when it answers and lags less than DATABASE_REPLICA_MAX_LAG
# seconds; everything else, and whoever wrote in the last DATABASE_REPLICA_STICKY_SECONDS, reads
# the primary. Tests mirror it to the primary's test database (tests/scale/test_replica.py points
# it at a real replica).
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL and IS_POSTGRES:
    DATABASES["replica"] = {
        **dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=env_int("CONN_MAX_AGE", 60)),
        "OPTIONS": {"connect_timeout": 2},
        # Through the same PgBouncer as the primary (deploy/pgbouncer.ini, `quartiers_replica`).
        "DISABLE_SERVER_SIDE_CURSORS": True,
        **(POOLED if DATABASE_POOLER else {}),
        **({"TEST": {"MIRROR": "default"}} if TESTING else {}),
    }
DATABASE_ROUTERS = ["foundation.replica.ReplicaRouter"]
DATABASE_REPLICA_STICKY_SECONDS = env_int("DATABASE_REPLICA_STICKY_SECONDS", 10)
DATABASE_REPLICA_MAX_LAG = env_int("DATABASE_REPLICA_MAX_LAG", 10)
DATABASE_REPLICA_CHECK_SECONDS = env_int("DATABASE_REPLICA_CHECK_SECONDS", 5)

AUTH_USER_MODEL = "teams.Agent"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: email login, no username, accounts are created by the administrator.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "arras_quartiers.sso.AccountAdapter"
ACCOUNT_FORMS = {"login": "arras_quartiers.sso.LoginForm"}
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key", "login": "30/m/ip"}

# Single sign-on (OpenID Connect, arras_quartiers.sso): off unless OIDC_ISSUER_URL is set.
# A person signing in through the provider is matched to an existing agent by verified email;
# nobody is created (auto-signup off), unknown people are listed for the administrators.
OIDC_ISSUER_URL = env_str("OIDC_ISSUER_URL").rstrip("/")
OIDC_CLIENT_ID = env_str("OIDC_CLIENT_ID")
OIDC_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET")
OIDC_BUTTON_LABEL = env_str("OIDC_BUTTON_LABEL", "Se connecter avec le compte de la ville")
OIDC_SCOPES = env_list("OIDC_SCOPES", "openid,profile,email")
# The claim listing the person's groups/roles, and how its values map to the app's flags:
# "value:flag" pairs, flags among comite_direction, maire (e.g. "codir:comite_direction").
OIDC_ROLES_CLAIM = env_str("OIDC_ROLES_CLAIM")
OIDC_ROLES_MAP = env_list("OIDC_ROLES_MAP")
if OIDC_ISSUER_URL and not (OIDC_CLIENT_ID and OIDC_CLIENT_SECRET):
    raise ImproperlyConfigured("OIDC_ISSUER_URL needs OIDC_CLIENT_ID and OIDC_CLIENT_SECRET.")
SOCIALACCOUNT_ADAPTER = "arras_quartiers.sso.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # matching is done by the adapter (verified only)
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS: dict[str, Any] = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "SCOPE": OIDC_SCOPES,
        "APPS": (
            [
                {
                    "provider_id": "ville",
                    "name": OIDC_BUTTON_LABEL,
                    "client_id": OIDC_CLIENT_ID,
                    "secret": OIDC_CLIENT_SECRET,
                    "settings": {"server_url": OIDC_ISSUER_URL},
                }
            ]
            if OIDC_ISSUER_URL
            else []
        ),
    }
}
# Local passwords: `off` keeps them only for the break-glass administrators listed.
LOCAL_PASSWORDS = env_bool("LOCAL_PASSWORDS", True)
BREAK_GLASS_ACCOUNTS = [email.lower() for email in env_list("BREAK_GLASS_ACCOUNTS")]
if not LOCAL_PASSWORDS and not OIDC_ISSUER_URL:
    raise ImproperlyConfigured("LOCAL_PASSWORDS=off needs single sign-on (OIDC_ISSUER_URL).")

# Two-factor authentication (TOTP app and recovery codes): open to all, required for staff
# before /admin/ (arras_quartiers.security). The admin signs in through allauth (urls.py).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Who must use two-factor authentication before any page with data (arras_quartiers.security):
# admin (staff), chef, direction, maire, responsable, elu, agent (everyone).
MFA_REQUIRED_ROLES = env_list("MFA_REQUIRED_ROLES", "admin")
_MFA_ROLE_NAMES = {"admin", "chef", "direction", "maire", "responsable", "elu", "agent"}
if unknown := set(MFA_REQUIRED_ROLES) - _MFA_ROLE_NAMES:
    raise ImproperlyConfigured(
        f"MFA_REQUIRED_ROLES: unknown role(s) {sorted(unknown)}; use {sorted(_MFA_ROLE_NAMES)}."
    )
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", "Équipes de quartier")
MFA_RECOVERY_CODE_COUNT = 10

# Sessions: an idle timeout (renewed at each request) inside a working day.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
# ...and an absolute lifetime from the login, however active the session (security.py).
SESSION_ABSOLUTE_AGE = env_int("SESSION_ABSOLUTE_AGE", 12 * 3600)

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français"))]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True


STATIC_URL = "/static/"
# Where collectstatic writes (the web nodes of one release share it, or each has its own copy).
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules" / "bootstrap-icons" / "font"),
    ("vendor/leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"),
    ("vendor/leaflet.markercluster", BASE_DIR / "node_modules" / "leaflet.markercluster" / "dist"),
    ("vendor/idb", BASE_DIR / "node_modules" / "idb" / "build"),
]
STORAGES: dict[str, dict[str, Any]] = {
    # User uploads are private: never under STATIC or a public URL; served by views that check access.
    "default": {
        "BACKEND": "foundation.storage.AtomicFileSystemStorage",
        "OPTIONS": {
            "location": env_str("MEDIA_ROOT", str(VAR_DIR / "private-media")),
            "base_url": None,
        },
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_COMPRESS", True)
            # Hashed names without the gzip and Brotli copies: collected in seconds instead of
            # minutes, for a throwaway deployment (the cluster test's); never in production.
            else "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = STORAGES["default"]["OPTIONS"]["location"]
# Or an S3-compatible object store (optional extra `s3`), so every web node and worker reads the
# same files. Objects stay private and URLs unsigned: files are only ever served by the views that
# check access, which stream them from the storage.
S3_BUCKET = env_str("AWS_STORAGE_BUCKET_NAME") or env_str("S3_BUCKET")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "location": env_str("AWS_LOCATION"),
            "default_acl": "private",
            "querystring_auth": False,
            "file_overwrite": False,
        },
    }
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# The form fields of a request (files excluded): far more than any form of the project sends.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A whole request, files included, refused with 413 before it is read (foundation.uploads):
# five 10 MB photos and their form. The reverse proxy should refuse the same size (README).
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_MB", 55) * 1024 * 1024
# A shared document's file (each version), announced on the upload form; below MAX_REQUEST_MB.
DOCUMENTS_MAX_UPLOAD_BYTES = env_int("DOCUMENTS_MAX_UPLOAD_MB", 20) * 1024 * 1024
if DOCUMENTS_MAX_UPLOAD_BYTES > MAX_REQUEST_BYTES:
    raise ImproperlyConfigured("DOCUMENTS_MAX_UPLOAD_MB must not exceed MAX_REQUEST_MB")

# Cache: Redis when configured (shared by every web node: rate limits), local memory otherwise.
REDIS_URL = env_str("REDIS_URL")
CACHES = {
    "default": (
        {
            # Degrades to an empty cache when Redis is down, instead of failing every sign-in.
            "BACKEND": "foundation.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "aq",
            # A frozen Redis costs a request at most this long, once per cache call.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
        if REDIS_URL and not TESTING
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Page parts cached until a write to what they show (foundation.generations); this bounds what a
# write outside the ORM's signals could leave visible.
GENERATION_CACHE_SECONDS = env_int("GENERATION_CACHE_SECONDS", 600)

# Celery: Redis broker when REDIS_URL is set; otherwise jobs run in-process, eagerly, when the
# change that asks for them commits (foundation.outbox).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
# Tests run tasks eagerly too; the tests that need a real broker and worker start their own.
CELERY_TASK_ALWAYS_EAGER = TESTING or not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_WORKER_MAX_MEMORY_PER_CHILD = 400_000  # KiB: recycle a worker process after large renders
# Only the outbox relay (in the worker) publishes: it must fail fast on a broker that is down or
# frozen (accepts and never answers), and leave the rows for its next round.
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# Recovery from a worker killed mid-task (SIGKILL, out of memory), with acks_late above: the
# broker gives an unacknowledged message again after CELERY_VISIBILITY_TIMEOUT seconds (longer
# than any task may run: a message redelivered while its run lives finds its row held and does
# nothing), and the outbox relay hands a task over again once its run went silent for
# OUTBOX_LEASE seconds (a live worker renews it every third of that), whichever comes first.
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
OUTBOX_LEASE = env_int("OUTBOX_LEASE", 45)
if OUTBOX_LEASE < 6:  # renewed every third of it, and the relay wakes every 2 s
    raise ImproperlyConfigured("OUTBOX_LEASE must be at least 6 seconds")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "max_retries": 2,
    "socket_connect_timeout": 3,
    "socket_timeout": 5,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE

# Email (Django 6.1 MAILERS): console by default, SMTP when EMAIL_BACKEND names it.
EMAIL_BACKEND_PATH = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
if TESTING:
    EMAIL_BACKEND_PATH = "django.core.mail.backends.locmem.EmailBackend"
MAILERS: dict[str, dict[str, Any]] = {"default": {"BACKEND": EMAIL_BACKEND_PATH}}
if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env_str("EMAIL_HOST_USER"),
        "password": env_str("EMAIL_HOST_PASSWORD"),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "timeout": env_int("EMAIL_TIMEOUT", 20),
    }
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", "Équipes de quartier <ne-pas-repondre@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The ORGANIZER of a meeting in calendar programs when the organiser has no address of their own.
CALENDAR_ORGANIZER_EMAIL = env_str("CALENDAR_ORGANIZER_EMAIL")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security: the same in every environment; HTTPS-only settings when served behind HTTPS.
SECURE_HTTPS = env_bool("SECURE_HTTPS", not DEBUG and not TESTING)
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_SSL_REDIRECT = SECURE_HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if SECURE_HTTPS else 0)
# Subdomains and the browsers' preload list are a decision for the city's whole domain (every
# service under it must then be HTTPS, for good): opt in, never on by default.
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS and env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = SECURE_HTTPS and env_bool("SECURE_HSTS_PRELOAD", False)
# `check --deploy` recommends both; not choosing them is deliberate, so it is not a warning.
SILENCED_SYSTEM_CHECKS = [
    *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
]
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Map tiles: an XYZ or WMTS URL template ({z}, {x}, {y}); empty for no tiles (the maps still
# draw the outlines and the points). Default: the French public Géoplateforme plan (IGN).
MAP_TILE_URL = env_str(
    "MAP_TILE_URL",
    "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&TILEMATRIXSET=PM"
    "&FORMAT=image/png&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}",
)
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "© IGN – Géoplateforme")
# Address search on the observation form: a geocoder speaking the French national address API
# (BAN: `q`, `limit`, `lat`, `lon` → GeoJSON features with a `label`), called by the server, never
# by the browser. Default: the Géoplateforme's; empty to hide the search (the place field stays).
GEOCODER_URL = env_str("GEOCODER_URL", "https://data.geopf.fr/geocodage/search")
GEOCODER_TIMEOUT = env_int("GEOCODER_TIMEOUT", 4)
_tile_origin = "{0.scheme}://{0.netloc}".format(urlsplit(MAP_TILE_URL)) if MAP_TILE_URL else ""

SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", *([_tile_origin] if _tile_origin else [])],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'none'"],
    "object-src": ["'none'"],
}
if OIDC_ISSUER_URL:
    # The sign-in and sign-out forms redirect to the provider: browsers apply form-action to
    # the redirects that follow a form.
    from urllib.parse import urlsplit

    _issuer = urlsplit(OIDC_ISSUER_URL)
    SECURE_CSP["form-action"].append(f"{_issuer.scheme}://{_issuer.netloc}")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"}},
}

# PDF: WeasyPrint variant for every document (accessible, archivable).
PDF_VARIANT = env_str("PDF_VARIANT", "pdf/ua-1")

CITY_NAME = env_str("CITY_NAME", "Arras")
# "Ville d'Arras", "Ville de Lille": French elision before a vowel or a mute h.
CITY_LABEL = env_str(
    "CITY_LABEL",
    f"Ville d’{CITY_NAME}"
    if CITY_NAME[:1].lower() in "aeiouyhâéèêîôû"
    else f"Ville de {CITY_NAME}",
)
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

# Open311 GeoReport v2 (open311): partners' calls per key and per window of seconds, who to
# contact about the API (discovery), and the hosts a media_url may point to although private
# (none by default: a partner's media is fetched from the internet only).
OPEN311_RATE_LIMIT = (env_int("OPEN311_RATE_LIMIT", 120), env_int("OPEN311_RATE_PERIOD", 60))
OPEN311_CONTACT = env_str("OPEN311_CONTACT", "")
OPEN311_MEDIA_PRIVATE_HOSTS = env_list("OPEN311_MEDIA_PRIVATE_HOSTS")
OPEN311_MEDIA_TIMEOUT = env_int("OPEN311_MEDIA_TIMEOUT", 10)
OPEN311_WEBHOOK_TIMEOUT = env_int("OPEN311_WEBHOOK_TIMEOUT", 10)
