"""Settings for the CMS, read from the environment.

One module with environment switches (cookiecutter-django style): safe defaults for
development (SQLite file, local-memory cache), and a refusal to start in production
(DJANGO_DEBUG off) without a real secret key and allowed hosts. Every variable is
documented in README.md.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from cms.caches import cache_settings, redis_cache_options
from cms.cdn import cdn_purge_settings
from cms.env import env_bool, env_float, env_int, env_list, env_name, env_secret_key
from cms.env_file import load_env_file
from cms.replicas import replica_databases

BASE_DIR = Path(__file__).resolve().parent.parent
# A development checkout's .env, written by `make run`; the environment wins over it,
# pytest never reads it (cms/env_file.py).
ENV_FILE = Path(os.environ.get("DJANGO_ENV_FILE", BASE_DIR / ".env"))
load_env_file(ENV_FILE)
VAR_DIR = Path(os.environ.get("DJANGO_VAR_DIR", BASE_DIR / "var"))

DEBUG = env_bool("DJANGO_DEBUG", False)

# Required and strong in production; generated once into var/ for development.
SECRET_KEY = env_secret_key(debug=DEBUG, var_dir=VAR_DIR)

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is required when DJANGO_DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# How many reverse proxies in front of us append to X-Forwarded-For. 0 means the client
# IP is REMOTE_ADDR and the header is ignored, so a reader cannot choose their own IP.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

INSTALLED_APPS = [
    # django.contrib.admin, branded from SITE_NAME, machinery kept to superusers.
    "plumbing.admin_machinery.NewsroomAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    # The article body's rich-text editor (Tiptap, its assets inside the package) and
    # the import maps its widget needs.
    "django_prose_editor",
    "js_asset",
    "articles",
    "comments",
    "wordpress_api.apps.WordPressApiConfig",  # /wp-json/: WordPress's REST API
]

MIDDLEWARE = [
    # First: a cached public read is answered before anything else runs
    # (plumbing/response_cache/).
    "plumbing.response_cache.middleware.ResponseCacheMiddleware",
    "plumbing.db_routing.ReadReplicaMiddleware",  # replica or primary; unused without replicas
    # A NUL in the path or query string is a 400 on every route and database.
    "plumbing.nul_bytes.RefuseNulBytesMiddleware",
    # An /api/ error is JSON even where Django would answer HTML (DEBUG's pages).
    "plumbing.json_errors.JsonErrorsForApiMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # ETag from the response body and 304 on If-None-Match / If-Modified-Since.
    "django.middleware.http.ConditionalGetMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Near the end, so it sees exceptions from views first: database down → 503, not 500.
    "plumbing.db_unavailable.DatabaseUnavailableMiddleware",
    # django-axes wants to be last: it turns a locked-out login into its lockout answer.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Admin login brute-force protection: counts failures, locks out (django-axes).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_HOURS", 1)  # hours
# Lock a username tried from one address, so an attacker cannot lock staff out from afar.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The same trusted client IP as everywhere else (TRUSTED_PROXY_COUNT), not a raw header.
AXES_CLIENT_IP_CALLABLE = "plumbing.client_ip.client_ip"

from csp.constants import NONCE  # noqa: E402  (beside the policy that uses it)


def _media_origins() -> list[str]:
    domain = os.environ.get("MEDIA_S3_CUSTOM_DOMAIN")
    return [f"https://{domain}"] if domain else []


# Content-Security-Policy (django-csp). The admin and the API docs page (Swagger UI from
# local files, its init script served separately) work under it: no inline scripts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # NONCE: a page that renders an inline script (the article editor's import map)
        # gives it the request's nonce; pages that do not, send none.
        "script-src": ["'self'", NONCE],
        # Swagger UI and the admin set inline style attributes.
        "style-src": ["'self'", "'unsafe-inline'"],
        # Media from an S3-compatible store's own domain (MEDIA_S3_CUSTOM_DOMAIN), if any.
        "img-src": ["'self'", "data:", *_media_origins()],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"
ASGI_APPLICATION = "cms.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cms" / "templates"],
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

# Database: SQLite file by default, PostgreSQL (or anything dj-database-url knows)
# when DATABASE_URL is set.
_default_sqlite = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or _default_sqlite,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # The connection is kept between requests (DATABASE_CONN_MAX_AGE) as on PostgreSQL: a
    # new one per request parsed the schema and started a cold page cache every time.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # Wait for a writer instead of failing at once with "database is locked".
            "timeout": 20,
            # Take the write lock when a transaction begins: a deferred transaction that
            # read first cannot upgrade its lock while another writer waits to commit,
            # and fails at once whatever the timeout (half of the posts under load).
            "transaction_mode": "IMMEDIATE",
            # WAL: readers never wait for the writer; NORMAL sync loses at most the last
            # commits on power loss. 64 MB page cache: big imports (docs/moderation.md).
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA cache_size=-64000",
        }
    )
else:
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options.setdefault("connect_timeout", 5)
    # The planner's cost of reading a page out of order, against 1 for the next page:
    # PostgreSQL's default, 4, models spinning disks; 1.1 is its documentation's value
    # for solid-state storage, where a small table's index walk is cheaper than reading
    # it whole (docs/deployment.md). Empty: the server's own setting (behind a pooler
    # that refuses connection options, set it on the server instead).
    if os.environ.get("DATABASE_RANDOM_PAGE_COST", "1.1").strip():
        _random_page_cost = env_float("DATABASE_RANDOM_PAGE_COST", 1.1)
        _options["options"] = f"-c random_page_cost={_random_page_cost}"

# Read replicas (docs/deployment.md): without them no router and no middleware run.
DATABASES.update(replica_databases(env_list("DATABASE_REPLICA_URLS", []), DATABASES["default"]))
DATABASE_REPLICAS = [alias for alias in DATABASES if alias != "default"]
DATABASE_ROUTERS = ["plumbing.db_routing.ReplicaRouter"] if DATABASE_REPLICAS else []
DATABASE_PIN_SECONDS = env_int("DATABASE_PIN_SECONDS", 5)  # a writer reads the primary this long
DATABASE_REPLICA_MAX_LAG_SECONDS = env_float("DATABASE_REPLICA_MAX_LAG_SECONDS", 2.0)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache (and throttling counters): Redis when REDIS_URL is set, Redis through Sentinel
# when REDIS_SENTINELS is (cms/caches.py), local memory otherwise.
REDIS_URL = os.environ.get("REDIS_URL", "")
REDIS_CACHE_OPTIONS = redis_cache_options()
CACHES = cache_settings(REDIS_URL, REDIS_CACHE_OPTIONS)
# Values a write invalidates (the moderation policy, "no sanction anywhere") are kept in
# the cache only when every process shares it (plumbing/shared_cache.py): by default,
# when it is Redis.
SHARED_CACHE = None
# The circuit breaker logs an outage once when it starts and when it ends, not each call.
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = False
REDIS_CIRCUIT_SECONDS = env_float("REDIS_CIRCUIT_SECONDS", 10)

# Public response cache (plumbing/response_cache/, docs/performance.md): public reads
# stored in the cache above, invalidated on every change; Cache-Control for CDNs in front of us.
API_RESPONSE_CACHE = env_bool("API_RESPONSE_CACHE", True)
API_RESPONSE_CACHE_ALIAS = "default"
# Everything under these prefixes gets a Cache-Control: public for the registered public
# reads (apps' cache.py), no-store for the rest (staff, a reader's own data, writes).
API_RESPONSE_CACHE_PATH_PREFIXES = ("/api/v1/", "/wp-json/")
API_RESPONSE_CACHE_TIMEOUT = env_int("API_RESPONSE_CACHE_TIMEOUT", 300)  # seconds, at most
API_RESPONSE_CACHE_MAX_BYTES = env_int("API_RESPONSE_CACHE_MAX_BYTES", 1024 * 1024)
API_CACHE_S_MAXAGE = env_int("API_CACHE_S_MAXAGE", 30)
API_CACHE_STALE_WHILE_REVALIDATE = env_int("API_CACHE_STALE_WHILE_REVALIDATE", 60)
# The article list's total (COUNT over every visible article) kept between changes, also
# when the response cache is off (articles.api.pagination.StoredCountPagination).
API_COUNT_CACHE = env_bool("API_COUNT_CACHE", True)
# CDN purging by surrogate key (cms/cdn.py, docs/deployment.md): none by default.
CDN_PURGERS, CDN_PURGE, CDN_PURGE_TIMEOUT = cdn_purge_settings()

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
# Uploaded media (the image library and its renditions): files under var/media/ by
# default, served by Django in development (SERVE_MEDIA) and by nginx in production
# (deploy/nginx.conf); MEDIA_STORAGE=s3 keeps them in any S3-compatible store through
# django-storages (docs/deployment.md).
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", VAR_DIR / "media"))
SERVE_MEDIA = env_bool("DJANGO_SERVE_MEDIA", DEBUG)
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "filesystem")
_MEDIA_STORAGES = {
    "filesystem": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "s3": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("MEDIA_S3_BUCKET", ""),
            "endpoint_url": os.environ.get("MEDIA_S3_ENDPOINT_URL") or None,
            "custom_domain": os.environ.get("MEDIA_S3_CUSTOM_DOMAIN") or None,
            "region_name": os.environ.get("MEDIA_S3_REGION") or None,
            "querystring_auth": False,
            "file_overwrite": False,
        },
    },
}
if MEDIA_STORAGE not in _MEDIA_STORAGES:
    raise ImproperlyConfigured(f"MEDIA_STORAGE must be one of {sorted(_MEDIA_STORAGES)}")
# Upload checks (articles/images.py): the file must decode as one of these formats, and
# stay within these limits; renditions are made at these widths (never upscaled).
IMAGE_UPLOAD_MAX_BYTES = env_int("IMAGE_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
IMAGE_UPLOAD_MAX_PIXELS = env_int("IMAGE_UPLOAD_MAX_PIXELS", 40_000_000)
IMAGE_RENDITION_WIDTHS = [
    int(w) for w in env_list("IMAGE_RENDITION_WIDTHS", ["480", "960", "1600"])
]

STORAGES = {
    "default": _MEDIA_STORAGES[MEDIA_STORAGE],
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Serve static files from the finders when collectstatic has not run (development, tests).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Request bodies: comment posts are small; anything bigger is refused early.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", 256 * 1024)
# Enough for the staff bulk action's 500 ids sent as a form, far below Django's 1,000.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 600

# Security. With DEBUG off these default to what `check --deploy` expects; each can be
# relaxed from the environment (e.g. for a plain-HTTP benchmark on 127.0.0.1).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("DJANGO_SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("DJANGO_CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if TRUSTED_PROXY_COUNT > 0:
    # Only behind a proxy we trust does its X-Forwarded-Proto header mean anything.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REST_FRAMEWORK = {
    # JSON only, in development too: what the tests see is what production serves.
    "DEFAULT_RENDERER_CLASSES": ["plumbing.renderers.ORJSONRenderer"],  # DRF's JSON, by orjson
    "DEFAULT_PARSER_CLASSES": [
        "plumbing.parsers.BoundedJSONParser",
        "plumbing.parsers.BoundedFormParser",
        # Django's multipart parser limits form fields but not files (those it spools to
        # disk), so this one refuses any body declared larger than the limit.
        "plumbing.parsers.BoundedMultiPartParser",
    ],
    # Sessions (the admin's login, CSRF-protected) and revocable tokens (Admin → Tokens);
    # no Basic auth, so passwords never travel with API calls.
    # Public endpoints: good credentials sign in, bad ones are ignored (the staff API
    # sets DRF's strict classes itself).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "plumbing.authentication.OptionalTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "plumbing.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "plumbing.errors.api_exception_handler",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "plumbing.negotiation.KnownFormatsNegotiation",
    "DEFAULT_THROTTLE_RATES": {
        "comment_post": os.environ.get("THROTTLE_COMMENT_POST", "10/minute"),
        "comment_flag": os.environ.get("THROTTLE_COMMENT_FLAG", "20/hour"),
        "comment_edit": os.environ.get("THROTTLE_COMMENT_EDIT", "30/hour"),
        "comment_react": os.environ.get("THROTTLE_COMMENT_REACT", "60/hour"),
        "privacy_request": os.environ.get("THROTTLE_PRIVACY_REQUEST", "5/hour"),
        "privacy_confirm": os.environ.get("THROTTLE_PRIVACY_CONFIRM", "30/hour"),
        "commenter_confirmation": os.environ.get("THROTTLE_COMMENTER_CONFIRMATION", "5/hour"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

# The public index INCLUDEs category_id for PostgreSQL's index-only count of scheduled
# articles; SQLite builds the index without it, as intended.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# How long a frontend preview token opens its unpublished article (articles/previews.py).
ARTICLE_PREVIEW_SECONDS = env_int("ARTICLE_PREVIEW_SECONDS", 2 * 24 * 3600)

# Article search (docs/search.md): its language, a text search configuration (`migrate`
# rebuilds the index for a new one), and how many newest matches a search ranks (0: all).
SEARCH_CONFIG = env_name("SEARCH_CONFIG", "english")
SEARCH_RANK_WINDOW = env_int("SEARCH_RANK_WINDOW", 500)

SPECTACULAR_SETTINGS = {
    "TITLE": "Newsroom CMS API",
    "DESCRIPTION": (
        "Public read API for articles, categories, tags and reader comments, "
        "the staff moderation API and the newsroom desk (preview tokens). Commenters' emails, IP addresses and user "
        "agents are never part of a public response."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Operation ids without the version (`articles_list`, not `v1_articles_list`): the
    # names of generated clients' functions.
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Our PATCH bodies require their field (an edit's `body`, a moderation's `status`):
    # no "Patched" copies with every field optional.
    "COMPONENT_SPLIT_PATCH": False,
    # Request bodies are documented as JSON only: generated clients send one encoding
    # (openapi-python-client wrote a branch per media type and sent multipart). The
    # server still takes forms (DEFAULT_PARSER_CLASSES).
    "PARSER_WHITELIST": ["plumbing.parsers.BoundedJSONParser"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "plumbing.api_docs.document_bad_request_everywhere",
        "plumbing.api_docs.input_defaults_as_words",
        "plumbing.api_docs.tags_by_audience",
        "articles.api.shaping.document_expansions",
        "plumbing.api_docs.pagination_examples",
        "plumbing.filters.document_empty_values_refused",
        "wordpress_api.schema.wordpress_components",
    ],
    "ENUM_NAME_OVERRIDES": {
        "CommentStatusEnum": "comments.models.Comment.Status",
        "PostedCommentStatusEnum": [("approved", "Approved"), ("pending", "Pending")],
        "ReasonCodeEnum": "comments.models.ReasonCode",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_private_data": {"()": "plumbing.log_redaction.RedactPrivateData"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_private_data"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # Do not let request logging print submitted bodies; Django never logs them.
        "django.request": {"level": "ERROR"},
    },
}

# Background tasks (django-tasks, the backport of Django's tasks framework). "immediate"
# runs a task at once in the request's process (development, tests: nothing else to
# start); "database" queues it in the database for `manage.py db_worker` (`make worker`).
# Production queues by default: mail goes out from the worker, never inside a request
# (the time a request takes must not tell whether an address has comments).
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "immediate" if DEBUG else "database")
_TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {sorted(_TASK_BACKENDS)}")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND]}}

# Email: printed to the console unless configured.
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "newsroom@localhost")
# Who hears about held comments: these addresses, or (when empty) every active staff
# user with an email address who may change comments.
COMMENTS_MODERATOR_EMAILS = env_list("COMMENTS_MODERATOR_EMAILS", [])
# Held comments are announced in one email per this many seconds (docs/moderation.md); 0,
# or a task queue that cannot run a task later (the immediate backend): one per comment.
COMMENTS_HELD_NOTICE_SECONDS = env_int("COMMENTS_HELD_NOTICE_SECONDS", 60)
# Email an article's author (Author.email, or the linked user's) when a comment on it is
# approved, like WordPress's "Email me whenever anyone posts a comment".
COMMENTS_NOTIFY_ARTICLE_AUTHOR = env_bool("COMMENTS_NOTIFY_ARTICLE_AUTHOR", True)

# The public site readers use (for links in feeds, sitemaps and emails). The path
# templates describe the frontend's URLs; left empty, links point at the API resources.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
ARTICLE_PATH_TEMPLATE = os.environ.get("ARTICLE_PATH_TEMPLATE", "")  # e.g. "/articles/{slug}/"
CATEGORY_PATH_TEMPLATE = os.environ.get("CATEGORY_PATH_TEMPLATE", "")  # e.g. "/c/{path}/"
SITE_NAME = os.environ.get("SITE_NAME", "Newsroom")

# Comment moderation defaults: the ModerationPolicy row in the admin starts from these.
COMMENTS_DEFAULTS = {
    "comments_open": env_bool("COMMENTS_OPEN", True),
    "close_after_days": env_int("COMMENTS_CLOSE_AFTER_DAYS", 0),
    "auto_approve_known_authors": env_bool("COMMENTS_AUTO_APPROVE_KNOWN_AUTHORS", True),
    "hold_link_count": env_int("COMMENTS_HOLD_LINK_COUNT", 2),
    "flood_interval_seconds": env_int("COMMENTS_FLOOD_INTERVAL_SECONDS", 15),
    "max_depth": env_int("COMMENTS_MAX_DEPTH", 5),
    "max_body_length": env_int("COMMENTS_MAX_BODY_LENGTH", 5000),
    "default_status": os.environ.get("COMMENTS_DEFAULT_STATUS", "pending"),
    "flag_threshold": env_int("COMMENTS_FLAG_THRESHOLD", 3),
    "edit_window_minutes": env_int("COMMENTS_EDIT_WINDOW_MINUTES", 15),
    "erase_keeps_approved_bodies": env_bool("COMMENTS_ERASE_KEEPS_APPROVED_BODIES", True),
    "metadata_retention_days": env_int("COMMENTS_METADATA_RETENTION_DAYS", 30),
}
# How long the signed link of a reader's export/erase request stays valid (seconds).
PRIVACY_LINK_MAX_AGE = env_int("PRIVACY_LINK_MAX_AGE", 48 * 3600)
# Commenters prove their address with a mailed link (comments/commenter_proof.py); the
# token it hands out lasts this long. The link points at the frontend's page when
# COMMENTER_CONFIRM_PATH_TEMPLATE says where it is (e.g. "/confirm-email?token={token}").
COMMENTER_TOKEN_MAX_AGE = env_int("COMMENTER_TOKEN_MAX_AGE", 365 * 24 * 3600)
COMMENTER_CONFIRM_PATH_TEMPLATE = os.environ.get("COMMENTER_CONFIRM_PATH_TEMPLATE", "")
# Extra moderation steps (dotted paths), run just before the known-author approval; see
# comments/moderation/ and README.md.
COMMENTS_EXTRA_MODERATION_STEPS = env_list("COMMENTS_EXTRA_MODERATION_STEPS", [])
COMMENTS_HONEYPOT_FIELD = "honeypot"
