"""Keqiao settings.

Every value that may differ between machines is read here, through the one reader
`marketplace.settings.env.env`, and each has an embedded default so that a fresh clone runs
with no configuration: SQLite, the embedded search backend, console e-mail.
The README lists every variable.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import django_stubs_ext

# django-allauth's ACCOUNT_* settings (sign-up, verification, log-in by e-mail or username).
from marketplace.settings.accounts import *  # noqa: F403
from marketplace.settings.alerts import *  # noqa: F403  (ALERT_*: saved searches and alerts)
from marketplace.settings.browser_policies import content_security_policy, permissions_policy
from marketplace.settings.env import env
from marketplace.settings.matching import *  # noqa: F403

# Lets Django's generic classes be subscripted at run time (`admin.ModelAdmin[Organization]`,
# `forms.ModelForm[Roadshow]`), as the type stubs declare them (django-stubs documentation).
django_stubs_ext.monkeypatch()

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
    "marketplace.admin_site.KeqiaoAdminConfig",  # django.contrib.admin, our site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    # expiring, revocable API tokens (see "Abuse limits" below); the admin section's name
    "marketplace.admin_site.KeqiaoKnoxConfig",
    "marketplace.admin_site.KeqiaoAxesConfig",  # log-in lockout (see "Abuse limits" below)
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served by us, not from a CDN
    "dbbackup",  # manage.py dbbackup / dbrestore (docs/operations.md)
    "kernel",  # no models: an app for its template tags ({% load keqiao %})
    "marketplace",
    "payments",
    "matching",
    "projects",
    "contracts",
    "accounts",  # sign-up and account pages (django-allauth's account app below)
    "allauth",
    "allauth.account",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "marketplace.middleware.LocaleMiddleware",
    "kernel.query_string.QueryStringEncodingMiddleware",
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
# The site's address as its users reach it (scheme, host and port, no path): every link in an
# e-mail (notifications, and allauth's verification and reset links: accounts.adapter) joins it
# with a page's path, since an e-mail has no page to be relative to and a request's Host header
# is the caller's to choose.
SITE_URL = env.str("KEQIAO_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

REST_FRAMEWORK = {
    # Token first, so that an unauthenticated request gets 401 with WWW-Authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "kernel.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "kernel.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "kernel.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "kernel.api.errors.exception_handler",
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
    # One name per choice set: fields named "kind", "status" or "type" hold different sets
    # in different components, and a set used under two field names keeps one name.
    "ENUM_NAME_OVERRIDES": {
        "TransferModeEnum": "marketplace.choices.TransferMode",
        "ListingTypeEnum": "marketplace.choices.ListingType",
        "ListingStatusEnum": "marketplace.choices.ListingStatus",
        "OrganizationKindEnum": "marketplace.choices.OrganizationKind",
        "MemberRoleEnum": "marketplace.choices.MemberRole",
        "MatchRequestStatusEnum": "matching.models.MatchRequestStatus",
        "DeclineReasonEnum": "matching.models.DeclineReason",
        "RoadshowStatusEnum": "projects.choices.RoadshowStatus",
        "RegistrationStatusEnum": "projects.choices.RegistrationStatus",
        "AttendeeKindEnum": "projects.choices.AttendeeKind",
        "MeetingRequestStatusEnum": "projects.meetings.models.MeetingRequestStatus",
        "AgreementStatusEnum": "contracts.choices.AgreementStatus",
        "FunnelStageEnum": "projects.analytics.selectors.STAGES",
    },
    # Every operation documents the error statuses the shared plumbing can answer.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "kernel.api.schema.add_error_responses",
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
    "BACKEND": "matching.search.backends.tantivy.TantivySearchBackend",
    "PATH": env.str("KEQIAO_SEARCH_INDEX_DIR", default="") or None,
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

# --- Matching: marketplace/settings/matching.py ------------------------------------------

# --- Listings ---------------------------------------------------------------------------------
# A published listing leaves search this many days after its last renewal (12 months; README).
LISTING_RENEWAL_DAYS = env.int("KEQIAO_LISTING_RENEWAL_DAYS", default=365)

# --- Organisations ----------------------------------------------------------------------------
# Evidence of who an organisation is (business licences: PDF, PNG, JPEG) is private: kept under
# this directory, never under STATIC_ROOT or a public media URL, and served only through the
# view that checks the viewer (marketplace.organizations.views.evidence_download).
PRIVATE_MEDIA_ROOT = Path(env.str("KEQIAO_PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))
# Largest evidence file accepted, in bytes.
ORGANIZATION_EVIDENCE_MAX_BYTES = env.int(
    "KEQIAO_ORGANIZATION_EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024
)
# Days an invitation link to join an organisation stays valid (used once; README).
INVITATION_DAYS = env.int("KEQIAO_INVITATION_DAYS", default=7)

KEQIAO_DEMO_PASSWORD = env.str("KEQIAO_DEMO_PASSWORD", default="")

# --- Payments ---------------------------------------------------------------------------------
# Providers by name (the pretix pattern): "dummy" settles free items at once; "stripe" is used
# when STRIPE_SECRET_KEY is set. STRIPE_API_BASE points the client at stripe-mock in tests.
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")
PAYMENT_PROVIDERS = {
    "dummy": {"BACKEND": "payments.providers.dummy.DummyProvider"},
    **(
        {"stripe": {"BACKEND": "payments.providers.stripe.StripeProvider"}}
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
# A match request or 1:1 meeting request unanswered this many days goes to the brokers' queue
# (`manage.py escalate_requests`, matching.mediation).
REQUEST_ESCALATION_DAYS = env.int("KEQIAO_REQUEST_ESCALATION_DAYS", default=7)

# Signing an agreement asks for the signer's password again: after this many wrong passwords
# for one agreement within the window (minutes), signing it is refused until the window has
# passed (contracts.services.signing; every refusal is in the agreement's audit trail).
SIGNING_PASSWORD_FAILURE_LIMIT = env.int("KEQIAO_SIGNING_PASSWORD_FAILURE_LIMIT", default=5)
SIGNING_PASSWORD_WINDOW_MINUTES = env.int("KEQIAO_SIGNING_PASSWORD_WINDOW_MINUTES", default=15)

# --- PDFs and the platform seal -----------------------------------------------------------------
# The platform's PAdES signing certificate and key (PEM). Empty: a development key pair and
# self-signed certificate are generated on first use under VAR_DIR/seal/ (never committed).
SEAL_CERTIFICATE_FILE = env.str("KEQIAO_SEAL_CERTIFICATE_FILE", default="")
SEAL_KEY_FILE = env.str("KEQIAO_SEAL_KEY_FILE", default="")
SEAL_KEY_PASSPHRASE = env.str("KEQIAO_SEAL_KEY_PASSPHRASE", default="")
# RFC 3161 time-stamping authority; empty: no timestamp.
SEAL_TSA_URL = env.str("KEQIAO_SEAL_TSA_URL", default="")
# Hard time limit of one agreement PDF render, in seconds (rendered in a child process that is
# stopped when it runs out; the seal is retried later by `manage.py seal_agreements`). The first
# attempt runs right after the signing request commits, inside that request, so this must stay
# well below gunicorn's own timeout (60 s in gunicorn.conf.py). The longest agreement the length
# limits allow renders in under 5 s (benchmarks/agreement_render.py).
PDF_RENDER_TIMEOUT = env.float("KEQIAO_PDF_RENDER_TIMEOUT", default=20.0)
# Largest file the public verification endpoint accepts, in bytes.
VERIFY_MAX_UPLOAD_BYTES = env.int("KEQIAO_VERIFY_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)

# --- Backups (django-dbbackup; the procedure is docs/operations.md) ----------------------------
# `manage.py dbbackup` writes to KEQIAO_BACKUP_DIR unless given --output-path. PostgreSQL is dumped
# with pg_dump's custom format and restored with pg_restore (the client programs must be on PATH);
# SQLite with its online backup API. A restore may run as another role than the dump's owner.
BACKUP_DIR = Path(env.str("KEQIAO_BACKUP_DIR", default=str(VAR_DIR / "backups")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "dbbackup": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # Dumps hold password hashes and API tokens: owner only.
        "OPTIONS": {
            "location": str(BACKUP_DIR),
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    },
}
DBBACKUP_FILENAME_TEMPLATE = "keqiao-{servername}-{datetime}.{extension}"
DBBACKUP_CONNECTORS = {"default": {"PG_OPTIONS": "--no-owner --no-acl"}}
DBBACKUP_SEND_EMAIL = False  # failures exit non-zero; the scheduler reports them

# --- Abuse limits ------------------------------------------------------------------------------
# Log-in lockout (django-axes) and the authentication backends: marketplace.settings.accounts.
# AxesMiddleware must stay last.
MIDDLEWARE.append("allauth.account.middleware.AccountMiddleware")
MIDDLEWARE.append("axes.middleware.AxesMiddleware")

# API tokens (django-rest-knox): stored hashed, expire KEQIAO_API_TOKEN_TTL_HOURS after issue,
# revocable one by one or all at once (marketplace.auth_apis).
API_TOKEN_TTL_HOURS = env.float("KEQIAO_API_TOKEN_TTL_HOURS", default=24)
REST_KNOX = {"TOKEN_TTL": timedelta(hours=API_TOKEN_TTL_HOURS), "AUTH_HEADER_PREFIX": "Token"}

# Rate limits (kernel.api.throttling): "<scope>" per signed-in user (anonymous: per IP
# address), "<scope>_ip" per IP address. DRF rate strings, "n/s|m|h|d". KEQIAO_THROTTLE_RATES
# overrides single entries, e.g. "match_request=5/hour,search_ip=100/min".
THROTTLE_RATES: dict[str, str] = {
    "match_request": "30/hour",
    "match_request_ip": "100/hour",
    "message": "60/hour",
    "message_ip": "300/hour",
    "question": "20/min",
    "question_ip": "100/min",
    "intent": "60/min",
    "intent_ip": "300/min",
    "verify": "10/min",
    "verify_ip": "20/min",
    "search": "120/min",
    "search_ip": "600/min",
    "suggest": "300/min",
    "suggest_ip": "1200/min",
    # Signing re-checks the signer's password: without a limit it would be a password oracle
    # that the log-in lockout never sees. The rule a signer is shown is the password lock
    # (SIGNING_PASSWORD_FAILURE_LIMIT wrong passwords in SIGNING_PASSWORD_WINDOW_MINUTES, 5 in
    # 15 by default, at most 20 an hour): this general limit, which also counts mistyped
    # names, stays looser than that so a normal signer only ever meets the rule shown.
    "sign": "30/hour",
    "sign_ip": "60/hour",
    "matches": "60/min",
    "matches_ip": "300/min",
    # Each password-reset request sends an e-mail (anonymous callers: both per address).
    "password_reset": "5/hour",
    "password_reset_ip": "20/hour",
    # Per recipient address, whoever asks (accounts.password_reset).
    "password_reset_recipient": "3/hour",
    # Each sign-up sends a verification e-mail (the web page and POST /api/v1/auth/signup/).
    "signup": "10/hour",
    "signup_ip": "20/hour",
    # Each invitation sends an e-mail to an address the inviter chose
    # (marketplace.organizations.member_apis and member_views).
    "invitation": "20/hour",
    "invitation_ip": "60/hour",
    **env.dict("KEQIAO_THROTTLE_RATES", default={}),
}
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = [
    "kernel.api.throttling.ScopeUserThrottle",
    "kernel.api.throttling.ScopeIPThrottle",
]
# Reverse proxies in front of Keqiao that append the client to X-Forwarded-For (0: the
# connection's own address is the client; the header is ignored, so it cannot be forged).
REST_FRAMEWORK["NUM_PROXIES"] = env.int("KEQIAO_NUM_PROXIES", default=0)
# Counters of the rate limits (kernel.api.throttle_store): a SQLite store every worker
# process on the machine shares (no outside service). KEQIAO_CACHE_DIR moves it (e.g. to a tmpfs).
THROTTLE_DIR = env.str("KEQIAO_CACHE_DIR", default=str(VAR_DIR / "cache" / "throttle"))
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # The phrase vectors of semantic reasons (matching.semantic.phrase_vectors), shared by the
    # worker processes of the machine: a listing's phrases are embedded once, not per worker.
    # Content-addressed (model and phrases), so entries never go stale; the oldest third is
    # dropped above MAX_ENTRIES.
    "embeddings": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache" / "embeddings"),
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 20_000, "CULL_FREQUENCY": 3},
    },
}


# Public verification uploads (contracts.verification.limits): VERIFY_MAX_UPLOAD_BYTES above; the
# seal check runs in a child process with these limits (seconds of CPU, seconds of wall
# time, bytes of address space), and at most KEQIAO_VERIFY_CONCURRENCY checks run at once on
# the machine (across all workers; a slot covers the check, not the reading of the upload);
# more are answered 503 with Retry-After at once.
VERIFY_CPU_SECONDS = env.int("KEQIAO_VERIFY_CPU_SECONDS", default=10)
VERIFY_TIMEOUT_SECONDS = env.float("KEQIAO_VERIFY_TIMEOUT_SECONDS", default=20)
VERIFY_MEMORY_BYTES = env.int("KEQIAO_VERIFY_MEMORY_BYTES", default=1024 * 1024 * 1024)
VERIFY_CONCURRENCY = env.int("KEQIAO_VERIFY_CONCURRENCY", default=1)
# Seconds within which the body of a verification upload must be read (over: 408). Keep it
# well below gunicorn's timeout (60 s); a reverse proxy that buffers request bodies keeps slow
# clients off the workers altogether (docs/operations.md).
VERIFY_UPLOAD_READ_SECONDS = env.float("KEQIAO_VERIFY_UPLOAD_READ_SECONDS", default=30.0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("KEQIAO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # django-dbbackup's commands print through their own handler.
        "dbbackup": {"propagate": False},
        # Django's default gives "django" its own console handler: with the root's, twice.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
    },
}

VAR_DIR.mkdir(parents=True, exist_ok=True)
STATIC_ROOT.mkdir(exist_ok=True)
# In development WhiteNoise serves straight from the apps' static folders.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# --- Security and deployment ---------------------------------------------------------------------
# Production runs behind a TLS-terminating proxy (README, "Production"). With the documented
# environment `manage.py check --deploy` is clean. Every page is served under a
# Content-Security-Policy (django-csp) and a Permissions-Policy (django-permissions-policy);
# responses to logged-in users are never stored by browsers or proxies.

# KEQIAO_HTTPS: the site is reached over https only (Secure cookies, redirect to https, HSTS).
KEQIAO_HTTPS = env.bool("KEQIAO_HTTPS", default=False)
# The header a trusted proxy sets to "https" for TLS requests, e.g. X-Forwarded-Proto. Only set
# it when the proxy always overwrites that header: a client could otherwise claim https.
_PROXY_SSL_HEADER = env.str("KEQIAO_PROXY_SSL_HEADER", default="")
if _PROXY_SSL_HEADER:
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + _PROXY_SSL_HEADER.upper().replace("-", "_"),
        "https",
    )
SECURE_SSL_REDIRECT = env.bool("KEQIAO_SSL_REDIRECT", default=KEQIAO_HTTPS)
SESSION_COOKIE_SECURE = KEQIAO_HTTPS
CSRF_COOKIE_SECURE = KEQIAO_HTTPS
LANGUAGE_COOKIE_SECURE = KEQIAO_HTTPS
# HSTS (RFC 6797), in seconds; one year by default once https is on. Preloading asks browsers to
# never try http for this domain and its subdomains: turn it off if a subdomain serves http.
SECURE_HSTS_SECONDS = env.int("KEQIAO_HSTS_SECONDS", default=31_536_000 if KEQIAO_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("KEQIAO_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("KEQIAO_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "kernel.error_views.csrf_failure"

# Content-Security-Policy and Permissions-Policy: see marketplace/settings/browser_policies.py.
CONTENT_SECURITY_POLICY = content_security_policy(
    stream_hosts=ROADSHOW_STREAM_HOSTS, stripe_checkout=bool(STRIPE_SECRET_KEY)
)
PERMISSIONS_POLICY = permissions_policy(stream_hosts=ROADSHOW_STREAM_HOSTS)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "django_permissions_policy.PermissionsPolicyMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
    "csp.middleware.CSPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "marketplace.middleware.PrivateResponsesNotStoredMiddleware",
)
# Swagger UI at /api/v1/docs/: no validator badge (it would load an image from swagger.io).
SPECTACULAR_SETTINGS["SWAGGER_UI_SETTINGS"] = {"deepLinking": True, "validatorUrl": None}

# Static files: WhiteNoise serves what `collectstatic` gathered into STATIC_ROOT. In production
# the names carry a content hash, so they are cached for a year (immutable) and compressed.
STORAGES["staticfiles"] = {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    if DEBUG
    else "whitenoise.storage.CompressedManifestStaticFilesStorage"
}
