"""Settings of the Hegyvidék e-Portal.

Every value that differs between machines comes from the environment, read here and only
here; `.env.example` lists each variable with its default.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("DATA_DIR", BASE_DIR / ".data"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-secret-key-change-me"  # noqa: S105 - development default only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000")
PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # our apps first so their templates override the libraries'
    "backend",
    "eservices",
    "cms",
    "integrations",
    "payments",
    "crm",
    "newsletter",
    "contactcenter",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.locales",
    "wagtail.api.v2",
    "wagtail",
    "modelcluster",
    "taggit",
    # Django
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # API, auth, jobs
    "rest_framework",
    "drf_spectacular",
    "phonenumber_field",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.facebook",
    "allauth.mfa",
    "allauth.headless",
    "django_dramatiq",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "backend.middleware.StaffSecondFactorMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "backend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# With no DATABASE_URL an embedded PostgreSQL (pgserver) under .data/pg is started and used.
if not os.environ.get("DATABASE_URL"):
    from backend.embedded_pg import ensure_database_url

    ensure_database_url(DATA_DIR)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ["DATABASE_URL"],
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# The application's queries are short OLTP and search queries: PostgreSQL's JIT compiles the
# larger ones (complex CRM searches) for 30-360 ms and gains nothing back. The planner's default
# random_page_cost (4) prices a random read as on a spinning disk; with SSDs and the working set in
# memory, 1.1 (the usual SSD setting) makes it probe indexes for a few thousand clients instead of
# hashing half a million rows. DATABASE_RANDOM_PAGE_COST overrides it for other storage.
DATABASES["default"].setdefault("OPTIONS", {})
DATABASES["default"]["OPTIONS"]["options"] = (
    DATABASES["default"]["OPTIONS"].get("options", "")
    + " -c jit=off"
    + f" -c random_page_cost={float(os.environ.get('DATABASE_RANDOM_PAGE_COST', '1.1'))}"
).strip()
if os.environ.get("TEST_DATABASE_NAME"):  # set per test run (tests/pytest_env.py): runs side by side never meet
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits, MFA state): shared by every web copy ----------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
AMQP_URL = os.environ.get("AMQP_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cache_entries"}}

# --- Auth ------------------------------------------------------------------------------
AUTH_USER_MODEL = "eservices.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/admin/"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Hegyvidék e-Portál] "
ACCOUNT_ADAPTER = "eservices.auth_adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "eservices.auth_adapters.SocialAccountAdapter"
# allauth's rate limits (per IP, per account, per user) apply as shipped; failed logins lock
# an account for 5 minutes after 5 tries.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/300s/key"}
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_LOGIN_ON_GET = False

FACEBOOK_APP_ID = os.environ.get("FACEBOOK_APP_ID", "eportal-dev-app")
FACEBOOK_APP_SECRET = os.environ.get("FACEBOOK_APP_SECRET", "eportal-dev-secret")
FACEBOOK_GRAPH_VERSION = os.environ.get("FACEBOOK_GRAPH_VERSION", "v19.0")
# Production: leave both unset to talk to Facebook; the dev stack points them at the simulator.
FACEBOOK_AUTHORIZE_URL = os.environ.get(
    "FACEBOOK_AUTHORIZE_URL", f"https://www.facebook.com/{FACEBOOK_GRAPH_VERSION}/dialog/oauth"
)
FACEBOOK_GRAPH_API_URL = os.environ.get(
    "FACEBOOK_GRAPH_API_URL", f"https://graph.facebook.com/{FACEBOOK_GRAPH_VERSION}"
)
SOCIALACCOUNT_PROVIDERS = {
    "facebook": {
        "METHOD": "oauth2",
        # Facebook hands out only addresses its users have confirmed
        "VERIFIED_EMAIL": True,
        "SCOPE": ["email", "public_profile"],
        "FIELDS": ["id", "email", "name", "first_name", "last_name"],
        "VERSION": FACEBOOK_GRAPH_VERSION,
        "AUTHORIZE_URL": FACEBOOK_AUTHORIZE_URL,
        "GRAPH_API_URL": FACEBOOK_GRAPH_API_URL,
        "APPS": [{"client_id": FACEBOOK_APP_ID, "secret": FACEBOOK_APP_SECRET, "key": ""}],
    }
}

HEADLESS_ONLY = False  # staff sign in with allauth's server-rendered pages (TOTP step)
HEADLESS_CLIENTS = ("browser",)
HEADLESS_FRONTEND_URLS = {
    "account_confirm_email": f"{PUBLIC_URL}/account/verify-email/{{key}}",
    "account_reset_password": f"{PUBLIC_URL}/account/password/reset",
    "account_reset_password_from_key": f"{PUBLIC_URL}/account/password/reset/key/{{key}}",
    "account_signup": f"{PUBLIC_URL}/account/signup",
    "socialaccount_login_error": f"{PUBLIC_URL}/account/provider/callback",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Hegyvidék e-Portál"
# one 30-second step either side (RFC 6238 §5.2): a phone's clock a little off, or a code
# typed as it turns over, still signs in
MFA_TOTP_TOLERANCE = 1

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "hu"
LANGUAGES = [("hu", _("Hungarian")), ("en", _("English"))]
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAIL_I18N_ENABLED = True
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Budapest"
USE_I18N = True
USE_TZ = True
PHONENUMBER_DEFAULT_REGION = "HU"
PHONENUMBER_DEFAULT_FORMAT = "E164"

# --- Static files, media, SPA ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
SPA_DIST_DIR = Path(os.environ.get("SPA_DIST_DIR", BASE_DIR / "frontend" / "dist"))
WHITENOISE_ROOT = SPA_DIST_DIR if SPA_DIST_DIR.is_dir() else None
WHITENOISE_USE_FINDERS = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Email ------------------------------------------------------------------------------------
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "8025"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Hegyvidék e-Portál <ugyfelkapu@hegyvidek.hu>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
MAIL_SINK_DIR = Path(os.environ.get("MAIL_SINK_DIR", DATA_DIR / "mail"))

# --- Security baseline --------------------------------------------------------------------------
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 8
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
# Behind the proxy every request comes from its address: per-IP rate limits must read the
# client address from X-Forwarded-For (Caddy replaces whatever the client sent).
ALLAUTH_TRUSTED_PROXY_COUNT = 1 if BEHIND_TLS_PROXY else 0
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Content-Security-Policy (django-csp). Wagtail's admin still needs inline styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "form-action": ["'self'", *([FACEBOOK_AUTHORIZE_URL.split("/dialog")[0]] if FACEBOOK_AUTHORIZE_URL else [])],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Personal data encryption (Fernet keys, comma separated, newest first; rotate by prepending).
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
if not FIELD_ENCRYPTION_KEYS:
    if not DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set when DEBUG is off.")
    FIELD_ENCRYPTION_KEYS = ["Ww7wZp1sY3kJQm1u3lH2c8b0r6Q9d5fX2nV4tA7yE0g="]

# --- REST API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "backend.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "120/min", "user": "600/min"},
    "NUM_PROXIES": 1 if BEHIND_TLS_PROXY else 0,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Hegyvidék e-Portal resident API",
    "DESCRIPTION": "REST API used by the resident SPA. Authentication: session cookie from allauth headless + CSRF header.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "IdentificationStatusEnum": "eservices.models.IdentificationStatus",
        "CaseStatusEnum": "eservices.cases.models.CaseStatus",
        "CaseStepEnum": "eservices.cases.models.Step",
        "CaseEventKindEnum": "eservices.cases.models.CaseEvent.Kind",
        "PaymentMethodEnum": "payments.models.PaymentMethod",
        "PaymentStatusEnum": "payments.models.PaymentStatus",
        "OrderStatusEnum": "payments.models.OrderStatus",
    },
    # the resident API only; Wagtail's page API documents itself
    "PREPROCESSING_HOOKS": ["backend.api.schema_only_resident_api"],
}

# --- Wagtail -------------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Hegyvidék e-Portál"
WAGTAILADMIN_BASE_URL = PUBLIC_URL
WAGTAILADMIN_LOGIN_URL = "/accounts/login/"
WAGTAIL_FRONTEND_LOGIN_URL = "/accounts/login/"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILAPI_BASE_URL = PUBLIC_URL
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no third-party image requests from the staff area (CSP)
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "odt", "ods", "txt", "csv"]

# --- Jobs (dramatiq) ------------------------------------------------------------------------------
# Redis or RabbitMQ when configured; otherwise an in-process broker whose worker runs inside
# the web process (development only).
_DRAMATIQ_MIDDLEWARE = [
    "dramatiq.middleware.AgeLimit",
    "dramatiq.middleware.TimeLimit",
    "dramatiq.middleware.Callbacks",
    "dramatiq.middleware.Retries",
    "dramatiq.middleware.CurrentMessage",
    "django_dramatiq.middleware.DbConnectionsMiddleware",
]
if REDIS_URL:
    DRAMATIQ_BROKER = {"BROKER": "dramatiq.brokers.redis.RedisBroker", "OPTIONS": {"url": REDIS_URL}}
elif AMQP_URL:
    DRAMATIQ_BROKER = {"BROKER": "dramatiq.brokers.rabbitmq.RabbitmqBroker", "OPTIONS": {"url": AMQP_URL}}
else:
    DRAMATIQ_BROKER = {"BROKER": "dramatiq.brokers.stub.StubBroker", "OPTIONS": {}}
DRAMATIQ_BROKER["MIDDLEWARE"] = _DRAMATIQ_MIDDLEWARE
DRAMATIQ_INPROCESS_WORKER = env_bool("DRAMATIQ_INPROCESS_WORKER", not (REDIS_URL or AMQP_URL))
DRAMATIQ_AUTODISCOVER_MODULES = ["tasks", "invoice_tasks"]  # payments/invoice_tasks.py: invoices, NAV reports
DRAMATIQ_TASKS_DATABASE = "default"

# --- Outside systems ---------------------------------------------------------------------------
REGISTRY_URL = os.environ.get("REGISTRY_URL", "http://127.0.0.1:8101")
REGISTRY_TOKEN = os.environ.get("REGISTRY_TOKEN", "dev-registry-token")
REGISTRY_TIMEOUT_S = float(os.environ.get("REGISTRY_TIMEOUT_S", "5"))
PARKING_URL = os.environ.get("PARKING_URL", "http://127.0.0.1:8103")
PARKING_TOKEN = os.environ.get("PARKING_TOKEN", "dev-parking-token")
PARKING_TIMEOUT_S = float(os.environ.get("PARKING_TIMEOUT_S", "5"))
FILING_URL = os.environ.get("FILING_URL", "http://127.0.0.1:8104")
FILING_TOKEN = os.environ.get("FILING_TOKEN", "dev-filing-token")
FILING_TIMEOUT_S = float(os.environ.get("FILING_TIMEOUT_S", "5"))
# Card payment gateway (SimplePay v2 style; docs/payments.md). The defaults are the dev simulator's.
CARD_GATEWAY_URL = os.environ.get("CARD_GATEWAY_URL", "http://127.0.0.1:8106")
CARD_GATEWAY_MERCHANT = os.environ.get("CARD_GATEWAY_MERCHANT", "HEGYVIDEK-DEV")
CARD_GATEWAY_SECRET = os.environ.get("CARD_GATEWAY_SECRET", "dev-card-gateway-secret")
CARD_GATEWAY_TIMEOUT_S = float(os.environ.get("CARD_GATEWAY_TIMEOUT_S", "10"))
# how long the gateway's hosted card page waits for the resident before the attempt times out
CARD_PAYMENT_TIMEOUT_S = int(os.environ.get("CARD_PAYMENT_TIMEOUT_S", "600"))

# --- Payments (docs/payments.md) -----------------------------------------------------------------
# The account transfers are paid to (printed with the payment reference and in the transfer QR code)
PAYMENT_ACCOUNT_NAME = os.environ.get("PAYMENT_ACCOUNT_NAME", "Budapest Főváros XII. kerület Hegyvidéki Önkormányzat")
PAYMENT_ACCOUNT_IBAN = os.environ.get("PAYMENT_ACCOUNT_IBAN", "HU18117730160000000015843128")
PAYMENT_ACCOUNT_BIC = os.environ.get("PAYMENT_ACCOUNT_BIC", "OTPVHUHB")
PAYMENT_DUE_DAYS = int(os.environ.get("PAYMENT_DUE_DAYS", "8"))
PAYMENT_REFERENCE_PREFIX = os.environ.get("PAYMENT_REFERENCE_PREFIX", "HV")

# --- Invoices and NAV Online Számla reporting (docs/payments.md#invoices) -----------------------------
# The seller printed on every invoice (snapshotted into each invoice when it is issued)
INVOICE_SELLER_NAME = os.environ.get("INVOICE_SELLER_NAME", "Budapest Főváros XII. kerület Hegyvidéki Önkormányzat")
INVOICE_SELLER_ADDRESS = os.environ.get("INVOICE_SELLER_ADDRESS", "1126 Budapest, Böszörményi út 23–25.")
INVOICE_SELLER_TAX_NUMBER = os.environ.get("INVOICE_SELLER_TAX_NUMBER", "15735715-2-43")  # adószám, 8-1-2
INVOICE_SELLER_BANK_ACCOUNT = os.environ.get("INVOICE_SELLER_BANK_ACCOUNT", "11773016-00000000-15843128")
INVOICE_NUMBER_PREFIX = os.environ.get("INVOICE_NUMBER_PREFIX", "HV")  # HV-2026-000123
# VAT treatment per service code ("parking_permit=ATK,other=AAM"); fees are outside the scope of VAT by default
INVOICE_VAT_TREATMENT_DEFAULT = os.environ.get("INVOICE_VAT_TREATMENT_DEFAULT") or "ATK"
INVOICE_VAT_TREATMENTS = dict(item.split("=", 1) for item in env_list("INVOICE_VAT_TREATMENTS"))
NAV_REPORTING_ENABLED = env_bool("NAV_REPORTING_ENABLED", True)
NAV_URL = os.environ.get("NAV_URL") or "http://127.0.0.1:8107/invoiceService/v3"
NAV_LOGIN = os.environ.get("NAV_LOGIN", "hegyvidekdev")
NAV_PASSWORD = os.environ.get("NAV_PASSWORD", "dev-nav-password")
NAV_SIGN_KEY = os.environ.get("NAV_SIGN_KEY", "dev-nav-sign-key-0123456789abcdef")
NAV_EXCHANGE_KEY = os.environ.get("NAV_EXCHANGE_KEY", "dev-nav-exch-key")  # 16 characters: an AES-128 key
NAV_TAX_NUMBER = os.environ.get("NAV_TAX_NUMBER") or INVOICE_SELLER_TAX_NUMBER[:8]  # törzsszám of the seller
NAV_TIMEOUT_S = float(os.environ.get("NAV_TIMEOUT_S", "10"))
NAV_SOFTWARE_ID = os.environ.get("NAV_SOFTWARE_ID", "HU15735715EPORTAL1")  # 18 characters [0-9A-Z-]
NAV_SOFTWARE_NAME = os.environ.get("NAV_SOFTWARE_NAME", "Hegyvidék e-Portál")
NAV_SOFTWARE_VERSION = os.environ.get("NAV_SOFTWARE_VERSION", "1.0")
NAV_SOFTWARE_DEV_NAME = os.environ.get("NAV_SOFTWARE_DEV_NAME") or "Hegyvidéki Önkormányzat"
NAV_SOFTWARE_DEV_CONTACT = os.environ.get("NAV_SOFTWARE_DEV_CONTACT") or "informatika@hegyvidek.hu"
NAV_SOFTWARE_DEV_TAX_NUMBER = os.environ.get("NAV_SOFTWARE_DEV_TAX_NUMBER") or "15735715"

# --- Decisions: signing and timestamping (docs/documents-and-signing.md) ----------------------------
# "dev" signs with the locally generated development PKI (never in production), "pkcs12" with a
# .p12 file, "pkcs11" with a key on a token/HSM.
DOCUMENT_SIGNING_BACKEND = os.environ.get("DOCUMENT_SIGNING_BACKEND", "dev" if DEBUG else "pkcs12")
DOCUMENT_SIGNING_PKCS12_PATH = os.environ.get("DOCUMENT_SIGNING_PKCS12_PATH", "")
DOCUMENT_SIGNING_PKCS12_PASSWORD = os.environ.get("DOCUMENT_SIGNING_PKCS12_PASSWORD", "")
DOCUMENT_SIGNING_PKCS11_MODULE = os.environ.get("DOCUMENT_SIGNING_PKCS11_MODULE", "")
DOCUMENT_SIGNING_PKCS11_TOKEN_LABEL = os.environ.get("DOCUMENT_SIGNING_PKCS11_TOKEN_LABEL", "")
DOCUMENT_SIGNING_PKCS11_KEY_LABEL = os.environ.get("DOCUMENT_SIGNING_PKCS11_KEY_LABEL", "")
DOCUMENT_SIGNING_PKCS11_CERT_LABEL = os.environ.get("DOCUMENT_SIGNING_PKCS11_CERT_LABEL", "")
DOCUMENT_SIGNING_PKCS11_PIN = os.environ.get("DOCUMENT_SIGNING_PKCS11_PIN", "")
DOCUMENT_SIGNING_TRUST_ROOTS = env_list("DOCUMENT_SIGNING_TRUST_ROOTS")
DOCUMENT_SIGNING_TRUST_DEV_ROOT = env_bool("DOCUMENT_SIGNING_TRUST_DEV_ROOT", DOCUMENT_SIGNING_BACKEND == "dev")
DOCUMENT_SIGNING_PADES_LTA = env_bool("DOCUMENT_SIGNING_PADES_LTA", True)
DOCUMENT_SIGNING_REVOCATION_CACHE_S = float(os.environ.get("DOCUMENT_SIGNING_REVOCATION_CACHE_S", "300"))
DEV_PKI_URL = os.environ.get("DEV_PKI_URL", "http://127.0.0.1:8105")
TSA_URL = os.environ.get("TSA_URL") or None
TSA_USERNAME = os.environ.get("TSA_USERNAME", "")
TSA_PASSWORD = os.environ.get("TSA_PASSWORD", "")
TSA_TIMEOUT_S = float(os.environ.get("TSA_TIMEOUT_S", "10"))
PKI_DIR = Path(os.environ.get("PKI_DIR", DATA_DIR / "pki"))

# --- Municipality (shown to residents) ------------------------------------------------------------
MUNICIPALITY_DISTRICT = "XII"
OFFICE_NAME = os.environ.get("OFFICE_NAME", "Hegyvidéki Önkormányzat Ügyfélszolgálati Iroda")
OFFICE_ADDRESS = os.environ.get("OFFICE_ADDRESS", "1126 Budapest, Böszörményi út 23–25.")
OFFICE_PHONE = os.environ.get("OFFICE_PHONE", "+36 1 224 5900")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        name: {"level": "WARNING"}
        for name in (
            "django.db.backends",
            "dramatiq",
            "django_tasks",
            "pgserver",
            "wagtail",
            "pyhanko",
            "pyhanko_certvalidator",
        )
    },
}
