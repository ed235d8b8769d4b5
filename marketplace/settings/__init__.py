"""Keqiao settings.

Every value that may differ between machines is read here, through the one reader
`marketplace.settings.env.env`, and each has an embedded default so that a fresh clone runs
with no configuration: SQLite, the embedded search backend, console e-mail.
The README lists every variable.
"""

from decimal import Decimal
from pathlib import Path

from marketplace.settings.env import env

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env.str("KEQIAO_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY",
    # Development-only fallback; DEBUG=False refuses to start with it (see below).
    default="django-insecure-keqiao-development-only",
)
if not DEBUG and SECRET_KEY.startswith("django-insecure"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY when DJANGO_DEBUG is off.")

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served by us, not from a CDN
    "marketplace",
    "matching",
    "projects",
    "contracts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "marketplace.middleware.LocaleMiddleware",
    "marketplace.query_string.QueryStringEncodingMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "marketplace.urls"
WSGI_APPLICATION = "marketplace.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "marketplace.context_processors.keqiao",
            ],
        },
    },
]

# DATABASE_URL (e.g. postgres://user:pass@127.0.0.1:5432/keqiao) switches to PostgreSQL.
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'keqiao.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A busy timeout keeps the dev server and a management command from tripping over each
    # other's write locks.
    # IMMEDIATE transactions take the write lock at BEGIN, so concurrent writers wait
    # (up to the timeout, in seconds) instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"  # shown to users; stored times are UTC (USE_TZ)
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"  # filled by collectstatic in production
STATICFILES_DIRS = [BASE_DIR / "static"]

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Keqiao <noreply@keqiao.invalid>")

REST_FRAMEWORK = {
    # Token first, so that an unauthenticated request gets 401 with WWW-Authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "marketplace.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "marketplace.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "marketplace.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "marketplace.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Keqiao API",
    "DESCRIPTION": "科桥 technology-transfer marketplace: research results, technology needs, "
    "search, explained matching and match requests.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"TransferModeEnum": "marketplace.choices.TransferMode"},
    # Every operation documents the error statuses the shared plumbing can answer.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "marketplace.api.schema.add_error_responses",
    ],
}

# --- Search ----------------------------------------------------------------------------------
# The Wagtail pattern: named backends, "default" used by the site. The embedded backend needs
# no service and is always available as "embedded". ELASTICSEARCH_URL (any Elasticsearch 8 or
# 9, e.g. http://127.0.0.1:9250 from `make es`, or https://user:password@host:9200) makes
# Elasticsearch the default, also called "elasticsearch" ({"ALIAS": name} = the same backend).
# KEQIAO_ES_INDEX_PREFIX names its indices (<prefix>-listings alias, default "keqiao");
# KEQIAO_ES_TIMEOUT is seconds per request; ELASTICSEARCH_API_KEY is optional.
ELASTICSEARCH_URL = env.str("ELASTICSEARCH_URL", default="")
_EMBEDDED_SEARCH: dict[str, object] = {
    "BACKEND": "matching.search.backends.database.DatabaseSearchBackend"
}
SEARCH_BACKENDS: dict[str, dict[str, object]]
if ELASTICSEARCH_URL:
    SEARCH_BACKENDS = {
        "default": {
            "BACKEND": "matching.search.backends.elasticsearch.ElasticsearchSearchBackend",
            "URL": ELASTICSEARCH_URL,
            "INDEX_PREFIX": env.str("KEQIAO_ES_INDEX_PREFIX", default="keqiao"),
            "TIMEOUT": env.float("KEQIAO_ES_TIMEOUT", default=10.0),
            "MAX_RETRIES": env.int("KEQIAO_ES_MAX_RETRIES", default=2),
            "API_KEY": env.str("ELASTICSEARCH_API_KEY", default=""),
        },
        "elasticsearch": {"ALIAS": "default"},
        "embedded": _EMBEDDED_SEARCH,
    }
else:
    SEARCH_BACKENDS = {"default": _EMBEDDED_SEARCH, "embedded": {"ALIAS": "default"}}

# --- Matching ----------------------------------------------------------------------------------
# Weights of the match score components (see matching/scoring.py). They are normalised to sum
# to 1, so only their ratios matter. Tuned on data/qrels_dev.json with evaluate_matching
# (nDCG@10 0.592 vs 0.525 for search alone). The judgements are topical, so maturity, price,
# modes and region (mostly unknown in the bundled data) keep small weights as tie-breakers.
MATCHING_WEIGHTS = {
    "text": 0.40,
    "keywords": 0.30,
    "ipc": 0.05,
    "field": 0.10,
    "maturity": 0.05,
    "price": 0.04,
    "modes": 0.03,
    "region": 0.02,
    "freshness": 0.03,
}
MATCHING_CANDIDATES = env.int("KEQIAO_MATCHING_CANDIDATES", default=100)

# --- Listings ---------------------------------------------------------------------------------
# A published listing leaves search this many days after its last renewal (issue: 12 months).
LISTING_RENEWAL_DAYS = env.int("KEQIAO_LISTING_RENEWAL_DAYS", default=365)

KEQIAO_DEMO_PASSWORD = env.str("KEQIAO_DEMO_PASSWORD", default="")

# --- Payments ---------------------------------------------------------------------------------
# Providers by name (the pretix pattern): "dummy" settles free items at once; "stripe" is used
# when STRIPE_SECRET_KEY is set. STRIPE_API_BASE points the client at stripe-mock in tests.
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")
PAYMENT_PROVIDERS = {
    "dummy": {"BACKEND": "marketplace.payments.dummy.DummyProvider"},
    **(
        {"stripe": {"BACKEND": "marketplace.payments.stripe.StripeProvider"}}
        if STRIPE_SECRET_KEY
        else {}
    ),
}
# Optional platform fee on signed agreements, as a percentage of the contract value.
PLATFORM_FEE_PERCENT = Decimal(env.str("KEQIAO_PLATFORM_FEE_PERCENT", default="0"))

# --- Roadshows ---------------------------------------------------------------------------------
# Hosts whose players may be embedded (https only, exact host match; Keqiao never streams video).
ROADSHOW_STREAM_HOSTS = env.list(
    "KEQIAO_ROADSHOW_STREAM_HOSTS",
    default=[
        "player.bilibili.com",
        "live.bilibili.com",
        "www.youtube-nocookie.com",
        "player.vimeo.com",
        "meeting.tencent.com",
        "live.douyin.com",
    ],
)
# Minutes an unpaid registration holds its seat while the attendee pays.
ROADSHOW_PAYMENT_HOLD_MINUTES = env.int("KEQIAO_ROADSHOW_PAYMENT_HOLD_MINUTES", default=30)
# Match requests and agreements up to this many days after a roadshow count in its report.
ROADSHOW_REPORT_WINDOW_DAYS = env.int("KEQIAO_ROADSHOW_REPORT_WINDOW_DAYS", default=90)

# --- PDFs and the platform seal -----------------------------------------------------------------
# The platform's PAdES signing certificate and key (PEM). Empty: a development key pair and
# self-signed certificate are generated on first use under VAR_DIR/seal/ (never committed).
SEAL_CERTIFICATE_FILE = env.str("KEQIAO_SEAL_CERTIFICATE_FILE", default="")
SEAL_KEY_FILE = env.str("KEQIAO_SEAL_KEY_FILE", default="")
SEAL_KEY_PASSPHRASE = env.str("KEQIAO_SEAL_KEY_PASSPHRASE", default="")
# RFC 3161 time-stamping authority; empty: no timestamp.
SEAL_TSA_URL = env.str("KEQIAO_SEAL_TSA_URL", default="")
# Largest file the public verification endpoint accepts, in bytes.
VERIFY_MAX_UPLOAD_BYTES = env.int("KEQIAO_VERIFY_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("KEQIAO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "jieba": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

VAR_DIR.mkdir(parents=True, exist_ok=True)
STATIC_ROOT.mkdir(exist_ok=True)
# In development WhiteNoise serves straight from the apps' static folders.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
