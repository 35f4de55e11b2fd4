"""Settings for the whole project, read from the environment.

With nothing set, the site runs in development mode on an SQLite file. Production turns
DEBUG off, and must then say SECRET_KEY and ALLOWED_HOSTS or the site refuses to start.
Every variable is listed, with its default, in the README.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="development-only-secret-never-use-in-production")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
else:
    # A production process without its secrets must fail at start-up, loudly, rather
    # than run with a guessable key or answer for any host name.
    missing = [name for name in ("SECRET_KEY", "ALLOWED_HOSTS") if not env.str(name, default="")]
    if missing:
        raise ImproperlyConfigured(
            f"DEBUG is off, so these environment variables must be set: {', '.join(missing)}."
        )
    SECRET_KEY = env("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

SITE_NAME = env("SITE_NAME", default="Genocide Watch")
# The site's public address, for links in emails (which have no request to take it from).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# Open data (/data/, CAP): the licence the downloads are published under, and the sender
# named in CAP messages (by default the host of SITE_URL).
DATA_LICENCE_NAME = env("DATA_LICENCE_NAME", default="CC-BY-4.0")
DATA_LICENCE_TITLE = env("DATA_LICENCE_TITLE", default="Creative Commons Attribution 4.0")
DATA_LICENCE_URL = env("DATA_LICENCE_URL", default="https://creativecommons.org/licenses/by/4.0/")
CAP_SENDER = env("CAP_SENDER", default="")

# Email: printed to the console unless an SMTP server is given, e.g.
# EMAIL_URL=smtp+tls://user:password@smtp.example.org:587
_email = env.email_url("EMAIL_URL", default="consolemail://")
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": {
            name: _email[key]
            for name, key in [
                ("host", "EMAIL_HOST"),
                ("port", "EMAIL_PORT"),
                ("username", "EMAIL_HOST_USER"),
                ("password", "EMAIL_HOST_PASSWORD"),
                ("use_tls", "EMAIL_USE_TLS"),
                ("use_ssl", "EMAIL_USE_SSL"),
            ]
            if _email.get(key)
        }
        if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default=f"{SITE_NAME} <alerts@localhost>")
SUBSCRIBE_LIMIT_PER_ADDRESS = env.int("SUBSCRIBE_LIMIT_PER_ADDRESS", default=3)
SUBSCRIBE_LIMIT_PER_CLIENT = env.int("SUBSCRIBE_LIMIT_PER_CLIENT", default=20)

# Background tasks (alert emails): run at once in development and tests; in production a
# database queue worked by `manage.py db_worker`.
TASKS_BACKEND = env("TASKS_BACKEND", default="immediate" if DEBUG else "database")
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django.tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
        }[TASKS_BACKEND]
    }
}

INSTALLED_APPS = [
    "genocidewatch.apps.GenocideWatchConfig",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django_countries",
    "django_prose_editor",
    "reversion",
    "django_tasks_db",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "reports",
    "opendata",
    "archive",
    "follow",
    "pages",
    "alerts",
    "sharing",
    "audit",
    "staff",
    "api",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
]

MIDDLEWARE = [
    # Outside everything, stored pages included: when the shipped nginx must ask again.
    "genocidewatch.middleware.ProxyCacheDeadlineMiddleware",
    # Readers' page views and downloads, stored pages included (reports/counts.py).
    "reports.counts.CountingMiddleware",
    # Then: a stored page, with every header the layers below gave it, costs one cache
    # read. Pages are stored only from requests those layers let through, so an HTTP
    # request that SecurityMiddleware redirects to HTTPS never finds one.
    "genocidewatch.pagecache.PageCacheMiddleware",
    # Inside the page cache, so a stored API answer keeps its CORS headers.
    "api.middleware.OpenCorsMiddleware",
    "genocidewatch.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "genocidewatch.middleware.AdminContentSecurityPolicyMiddleware",
    "genocidewatch.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language comes from the address alone (/fr/…, /ar/…, English unprefixed), never
    # from a cookie or Accept-Language, so the page cache above, keyed by the full path,
    # can never hand a page to a reader in another language (genocidewatch/languages.py).
    "genocidewatch.languages.PathLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Outermost of the two below: it adds the ETag after the Cache-Control is decided.
    "django.middleware.http.ConditionalGetMiddleware",
    "genocidewatch.middleware.PublicCacheControlMiddleware",
    # An address with no page that the old site used answers 301 (never stored).
    "archive.middleware.OldAddressRedirectMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "staff.middleware.TwoFactorMiddleware",
    "staff.middleware.StaffTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the "paused" page.
    "axes.middleware.AxesMiddleware",
]

# Only staff sign in, and only through the admin: when it refuses a `next` (another host,
# say), land on the admin home rather than Django's default /accounts/profile/, a 404 here.
LOGIN_REDIRECT_URL = "admin:index"
LOGIN_URL = "admin:login"

# Staff sign-in. After LOGIN_FAILURE_LIMIT failures for one account name, or from one
# client address, signing in is paused for LOGIN_LOCKOUT_MINUTES (django-axes); the
# message for a wrong name and a wrong password is the same. Editors and superusers also
# give a code from an authenticator app when REQUIRE_2FA is on: the default in production.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "staff/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "genocidewatch.clients.client_ip"
AXES_VERBOSE = False
REQUIRE_2FA = env.bool("REQUIRE_2FA", default=not DEBUG)
OTP_TOTP_ISSUER = SITE_NAME
# Superusers manage people's devices in the admin, but never see an authenticator's secret
# key or anyone's unused recovery codes there.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Passkeys (WebAuthn), the second factor staff should prefer; never a sign-in without the
# password. A passkey belongs to one host name (the "relying party"), and browsers offer
# it only on a secure origin: https, or http://localhost. An IP address is never a
# relying party, so in development passkeys work at http://localhost:<port>/, not at
# 127.0.0.1. By default both follow SITE_URL, with localhost for a loopback address.
_site = urlsplit(SITE_URL)
_site_is_loopback = _site.hostname in ("127.0.0.1", "::1", "localhost")
_site_host = "localhost" if _site_is_loopback else _site.hostname
_site_port = f":{_site.port}" if _site.port else ""
OTP_WEBAUTHN_RP_ID = env("WEBAUTHN_RP_ID", default=_site_host)
OTP_WEBAUTHN_RP_NAME = SITE_NAME
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list(
    "WEBAUTHN_ORIGINS", default=[f"{_site.scheme}://{_site_host}{_site_port}"]
)
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
# A password reset link by email stays valid for an hour, and is spent once used.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_SECONDS", default=3600)

ROOT_URLCONF = "genocidewatch.urls"

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
                "genocidewatch.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "genocidewatch.wsgi.application"

# An empty variable counts as unset, so `DATABASE_URL= make run` means the default.
DATABASES = {
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    ),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Take the write lock when a transaction starts, so two saves of the same report
    # queue up (as row locks make them do on PostgreSQL) instead of interleaving.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the site's queries are short, and compiling a search that
    # matches thousands of reports cost 100-200 ms more than it saved.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
    # A database host that takes the connection and then says nothing costs a request five
    # seconds and a 503 (genocidewatch/errors.py), not a reader waiting for minutes.
    options.setdefault("connect_timeout", 5)
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# A kept connection is checked before a request uses it, so one the database dropped (a
# restart, a failover) is replaced rather than failing that request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = DATABASES["default"]["CONN_MAX_AGE"] != 0

# Redis when a cache URL is given (e.g. CACHE_URL=redis://127.0.0.1:6379/1), otherwise each
# process's own memory.
CACHES = {"default": env.cache_url_config(env.str("CACHE_URL", default="") or "locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # Redis gone quiet must not hold readers: the page cache then renders pages afresh.
    CACHES["default"].setdefault("OPTIONS", {}).update(socket_connect_timeout=2, socket_timeout=5)
    CACHES["default"]["BACKEND"] = "genocidewatch.cache.SharedClientRedisCache"
_SHARED_CACHE = not CACHES["default"]["BACKEND"].endswith(("LocMemCache", "DummyCache"))
# Rendered public pages are kept this long at most (genocidewatch/pagecache.py); any change
# to content retires them at once. The content version that keys them lives in the same
# cache, so it must be shared by every process: an hour with a shared cache; a minute in
# development on process memory (a command run in another terminal, such as load_demo,
# cannot retire the server's pages); off for production on process memory, where one
# worker could not retire another's.
PAGE_CACHE_ALIAS = "default"
PAGE_CACHE_SECONDS = env.int(
    "PAGE_CACHE_SECONDS", default=3600 if _SHARED_CACHE else 60 if DEBUG else 0
)

# The sitemap is an index of parts of at most this many addresses each (an item in three
# languages is three), so that each part stays under what the page cache keeps (512 KB): an
# address with its hreflang alternates takes up to about 800 bytes (long slug and host, every
# language). sitemaps.org allows 50,000 a part; ours must never exceed 5,000.
SITEMAP_PART_ADDRESSES = 600

# Readers' page views and downloads are kept in each process's memory and written to the
# database at most this often (reports/counts.py): one commit for many readers.
COUNTS_FLUSH_SECONDS = env.int("COUNTS_FLUSH_SECONDS", default=10)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The languages of the public site. English, the default, keeps the unprefixed addresses;
# each other language has its own prefix (/fr/…, /ar/…). A language is added here and in
# locale/ (see "Languages" in the README); Django knows which are written right to left.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("ar", "العربية"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates as the site writes them ("30 November 2026", "30 novembre 2026"), per language.
FORMAT_MODULE_PATH = ["genocidewatch.formats"]
TIME_ZONE = env("TIME_ZONE", default="UTC")
# How often the report form keeps what someone is writing on the server (reports/autosave.py).
AUTOSAVE_SECONDS = env.int("AUTOSAVE_SECONDS", default=30)
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

# Uploaded files: a local folder by default; S3-compatible object storage when a bucket is
# named. The bucket stays private: files of public reports are handed out through short-lived
# signed addresses, and the files of drafts never are.
AWS_STORAGE_BUCKET_NAME = env.str("S3_BUCKET", default="")
FILES_REDIRECT_TO_STORAGE = bool(AWS_STORAGE_BUCKET_NAME)
FILES_SIGNED_URL_SECONDS = env.int("S3_SIGNED_URL_SECONDS", default=300)
if AWS_STORAGE_BUCKET_NAME:
    AWS_S3_ENDPOINT_URL = env.str("S3_ENDPOINT_URL", default="") or None
    AWS_S3_REGION_NAME = env.str("S3_REGION", default="") or None
    AWS_ACCESS_KEY_ID = env.str("S3_ACCESS_KEY_ID", default="") or None
    AWS_SECRET_ACCESS_KEY = env.str("S3_SECRET_ACCESS_KEY", default="") or None
    AWS_DEFAULT_ACL = None  # the bucket's own policy: private
    AWS_QUERYSTRING_AUTH = True
    AWS_S3_SIGNATURE_VERSION = "s3v4"
    AWS_S3_FILE_OVERWRITE = False

STORAGES = {
    # Uploads: the S3-compatible bucket when one is named, else the local media folder.
    "default": {
        "BACKEND": "storages.backends.s3.S3Storage"
        if AWS_STORAGE_BUCKET_NAME
        else "django.core.files.storage.FileSystemStorage"
    },
    "staticfiles": {
        # Hashed, compressed names need `collectstatic`; development serves files as they are.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

# Behind the shipped proxy, files on the local disk are sent by the proxy itself: the site
# checks who may have the file, then answers with X-Accel-Redirect to this internal prefix
# (see deploy/nginx.conf). Empty: the site streams files itself.
FILES_VIA_PROXY_PREFIX = env.str("FILES_VIA_PROXY_PREFIX", default="")

# Uploaded PDF editions larger than this are refused with a message beside the field.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=50 * 1000 * 1000)
# Lead images with more pixels than this are refused (a guard against decompression bombs).
IMAGE_MAX_PIXELS = env.int("IMAGE_MAX_PIXELS", default=40_000_000)
# Lead images whose long side is more than this many times their short side are refused:
# a thin strip cannot head a page (a 10:1 panorama still can).
IMAGE_MAX_ASPECT_RATIO = env.int("IMAGE_MAX_ASPECT_RATIO", default=10)
# Uploaded PDFs are read in a child process with these limits (see reports/pdfs.py).
PDF_CHECK_SECONDS = env.int("PDF_CHECK_SECONDS", default=30)
PDF_CHECK_MEMORY_BYTES = env.int("PDF_CHECK_MEMORY_BYTES", default=1024 * 1024 * 1024)
# Keep large uploads on disk while they are checked, never whole in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Whole requests: a report form with a few PDF editions and an image fits; more is refused
# with 413 before it is read (deploy/nginx.conf says the same as client_max_body_size).
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=160 * 1000 * 1000)
DATA_UPLOAD_MAX_NUMBER_FILES = 20
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# Behind the shipped reverse proxy (deploy/nginx.conf), which alone can reach the app
# server: trust the scheme and the client address it passes on. Without it those headers
# are ignored, since anyone could send them.
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
# Pages load nothing but the site's own files: no inline script or style, no other host.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
ADMIN_CSP = {
    **SECURE_CSP,
    "script-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
}
# How long browsers and shared caches may keep a public page before asking again (the
# answer is 304 while it is unchanged).
PUBLIC_PAGE_MAX_AGE = env.int("PUBLIC_PAGE_MAX_AGE", default=0)
# The same for shared caches (the shipped proxy, a CDN): `s-maxage`. A second absorbs a
# rush of readers, and nobody behind the proxy sees a page more than a second old.
SHARED_CACHE_MAX_AGE = env.int("SHARED_CACHE_MAX_AGE", default=1)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Only staff have sessions. One ends after a working day without activity: each request
# moves the end forward, so nobody is logged out mid-task.
SESSION_COOKIE_AGE = env.int("STAFF_SESSION_SECONDS", default=9 * 3600)
SESSION_SAVE_EVERY_REQUEST = True
CSRF_COOKIE_HTTPONLY = True

# The rich-text editor of the admin. What it may produce is the allow-list in
# reports/richtext.py; the editor only offers those elements.
DJANGO_PROSE_EDITOR_MENU_GROUPS = [
    {"group": "blockType -lists", "type": "dropdown", "minItems": 2},
    {"group": "lists"},
    {"group": "nodes -blockType -lists"},
    {"group": "marks"},
    {"group": "link"},
    {"group": "history"},
]

# One line per event: readable text in development, JSON (genocidewatch/logs.py) in
# production or with LOG_FORMAT=json. Requests are logged one line each by the server
# (gunicorn's access log, see deploy/gunicorn.conf.py; runserver's own in development).
LOG_FORMAT = env("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "{levelname} {asctime} {name} {message}", "style": "{"},
        "json": {"()": "genocidewatch.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# The read API (/api/v1/, api/): anonymous and read-only, JSON only. No authentication
# classes: a staff session must never make the API answer differently from the public's.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumbers",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SITE_NAME} read API",
    "DESCRIPTION": "Public reports, countries, stages of genocide, recommendations and "
    "their addressees, as JSON. Read-only and open to all: no key, no sign-in.",
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name for each set of choices that several fields share.
    "ENUM_NAME_OVERRIDES": {
        "AlertLevelEnum": "reports.models.AlertLevel",
        "SiteLanguageEnum": LANGUAGES,
        "EditionLanguageEnum": "reports.models.Language",
    },
}
