"""FacetClinic settings: one module, every deploy-time value read from the environment.

See README.md ("Configuration") for the variables. Nothing secret has a production default:
without DEBUG=true the server refuses to start until SECRET_KEY is set.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from facetclinic import db_pool
from facetclinic.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str(
    "SECRET_KEY", "insecure-development-key-never-in-production" if DEBUG else None
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "screening",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside every middleware that can refuse a request (a bad Host header is refused by CommonMiddleware
    # and CSRF), so a refusal is framed and cached no more than a page is. Inside whitenoise: static
    # files keep their long cache headers.
    "screening.middleware.NoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Compresses pages: their HTML is 2 to 13 times smaller, which keeps every patient page under 60 kB
    # (bench/page_weight.py). Static files come precompressed from whitenoise, above, and never reach it.
    # Placed before every middleware that reads or writes the body, as Django's docs ask. Against BREACH
    # it pads each response with up to 100 random bytes ("Heal The Breach", Django 4.2+); CSRF tokens
    # are masked per response, and a cross-site page cannot make a patient's browser post input that a
    # page would show beside a secret (CSRF protection on every form).
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "screening.middleware.RefuseNulMiddleware",
    "screening.staff.audit_log.ClientAddressMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "screening.intake.language.PatientLanguageMiddleware",  # in place of Django's LocaleMiddleware
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "screening.staff.sessions.StaffSessionMiddleware",  # after the user, the OTP device and messages
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "facetclinic.urls"
WSGI_APPLICATION = "facetclinic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "screening.context_processors.clinic",
            ],
        },
    },
]

# --- Database: SQLite unless DATABASE_URL names another database -------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
_db = dj_database_url.parse(DATABASE_URL)
if _db["ENGINE"] == "django.db.backends.postgresql":
    # psycopg's pool keeps connections per process; health checks replace connections that a
    # PostgreSQL restart killed. The pool requires CONN_MAX_AGE = 0.
    _db["CONN_MAX_AGE"] = 0
    _db["CONN_HEALTH_CHECKS"] = True
    # Parameters bound by the server: psycopg then prepares a query repeated on a connection (parsed and
    # planned once), which the pages' few fixed queries are. The whole suite runs with it on PostgreSQL.
    _db.setdefault("OPTIONS", {})["server_side_binding"] = env_bool("DB_SERVER_SIDE_BINDING", True)
    if env_bool("DB_POOL", True):
        _db.setdefault("OPTIONS", {})["pool"] = {
            "min_size": env_int("DB_POOL_MIN", 2, minimum=0),
            "max_size": env_int("DB_POOL_MAX", 10, minimum=1),
            "timeout": env_int("DB_POOL_TIMEOUT", 10, minimum=1),
            # Health checks (CONN_HEALTH_CHECKS) through db_pool.check_connection; an attempt to reconnect
            # gives up after 2 s and the next starts at once: a worker has a connection again within
            # about a second of PostgreSQL accepting them.
            "check": db_pool.check_connection,
            "reconnect_timeout": 2,
            "reconnect_failed": db_pool.reconnect_at_once,
        }
elif _db["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue instead of failing with "database is locked"; a file (not memory) for tests too,
    # so concurrency tests see real locking.
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    _db["TEST"] = {"NAME": str(BASE_DIR / f"test-db-{os.getpid()}.sqlite3")}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: one shared by every process (a table in the database), never per-process memory ----------
# Create its table with `manage.py createcachetable` after `migrate` (`make run` does; the test runner
# does it for test databases). The intake's attempt limits do not live here: see screening/staff/attempt_limits.py.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "facetclinic_cache",
    }
}

# --- Sessions: a patient's draft is tied to the browser session -----------------------------------
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# A patient's browser keeps its draft for 2 days (the NHS asks for at least 20 hours); for longer
# breaks, or on a shared device, the resume code and date of birth open the draft for 30 days.
SESSION_COOKIE_AGE = 60 * 60 * 48
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Staff sign-in: password, then a second factor; lockout; sessions (docs/security.md) --------------
AUTHENTICATION_BACKENDS = [
    "screening.staff.sign_in.AddressLimitBackend",  # an address with many failures: refused
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out username and address
    # Django's ModelBackend, with permissions read in one query (staff pages check them every time).
    "screening.staff.sign_in.OneQueryPermissionsBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lock a username out after 5 failures from one address for 30 minutes: by username and address
# together, so a stranger elsewhere cannot lock a real user out. The address is the one the throttle
# uses (TRUSTED_PROXY_HOPS), so behind a proxy every staff member does not share one lockout.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "screening.staff.attempt_limits.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "screening/staff/locked_out.html"
AXES_VERBOSE = False
# django-otp: TOTP apps (the issuer names the account in the app). Its per-device delay after a wrong code
# is off: it counts failures from every address together, so a stranger with the password could make the
# real code fail from anywhere. Wrong codes are limited per account and address, and per account, instead
# (screening/staff/two_factor_views.py).
OTP_TOTP_ISSUER = env_str("CLINIC_NAME", "FacetClinic demo clinic")
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
STAFF_IDLE_MINUTES = env_int("STAFF_IDLE_MINUTES", 15, minimum=1)
STAFF_SESSION_HOURS = env_int("STAFF_SESSION_HOURS", 12, minimum=1)
STAFF_OTP_MAX_FAILURES = 5  # wrong second-factor codes per account and address in 15 minutes
# Wrong second-factor codes per account from all addresses together, in a window: the ceiling refuses
# codes for the account until the window ends and e-mails its owner (their password is known). About
# 240 guesses a day at most against a 6-digit code.
STAFF_OTP_ACCOUNT_MAX_FAILURES = env_int("STAFF_OTP_ACCOUNT_MAX_FAILURES", 10, minimum=1)
STAFF_OTP_ACCOUNT_WINDOW_MINUTES = env_int("STAFF_OTP_ACCOUNT_WINDOW_MINUTES", 60, minimum=1)
# Failed sign-ins from one address in an hour, whatever the usernames, before it is refused (spraying).
STAFF_LOGIN_FAILURES_PER_ADDRESS = env_int("STAFF_LOGIN_FAILURES_PER_ADDRESS", 30, minimum=1)

# Four eyes on staff accounts (docs/security.md): creating one, changing its e-mail, resetting its password
# or second factor, and giving a role each need a second clinic admin's approval. A clinic with a single
# clinic admin turns this off; each such change is then recorded as "approved without a second admin".
STAFF_CHANGES_NEED_SECOND_ADMIN = env_bool("STAFF_CHANGES_NEED_SECOND_ADMIN", True)
# Publishing rules needs a second person's approval (a clinician with "Rules approver"): on by default
# outside DEBUG. A clinic with one rules admin turns it off; each version then says it was published
# without a second review (docs/rules.md).
RULES_NEED_SECOND_PERSON = env_bool("RULES_NEED_SECOND_PERSON", not DEBUG)

# --- Staff sign-in ------------------------------------------------------------------------------
LOGIN_URL = "screening:staff-login"
LOGIN_REDIRECT_URL = "screening:queue"
LOGOUT_REDIRECT_URL = "screening:staff-login"

# --- Security headers and cookies -----------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # a load balancer's health check over plain HTTP
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("BEHIND_TLS_PROXY", False):
    # Only trust X-Forwarded-Proto when a proxy we control sets it.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Internationalisation: every patient-facing string is marked for translation ------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The languages patients may choose, the first the default. Spanish awaits a medical translator's sign-off
# (docs/intake.md): a clinic adds "es" once it has it. Staff pages are English whatever this says.
PATIENT_LANGUAGES = env_list("PATIENT_LANGUAGES", ["en"])
if not PATIENT_LANGUAGES or set(PATIENT_LANGUAGES) - {code for code, _name in LANGUAGES}:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"PATIENT_LANGUAGES must list some of {[c for c, _n in LANGUAGES]}; got {PATIENT_LANGUAGES!r}."
    )
TIME_ZONE = env_str("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

# --- Static files: Bootstrap is vendored, whitenoise serves everything -------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Scan reports patients attach (issue 19): outside the static files, never served by a URL of their own
# (staff open them through the case page). A folder by default; any S3-compatible store through
# django-storages in production (docs/deploy.md).
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "scan_reports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": MEDIA_ROOT / "scan-reports",
            "base_url": None,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }
    if not env_str("SCAN_REPORTS_S3_BUCKET", "")
    else {
        # django-storages (`pip install -e '.[s3]'`): private objects, encrypted at rest, never a public
        # address (staff open files through the app); credentials from the usual AWS_* variables or the
        # instance's role
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("SCAN_REPORTS_S3_BUCKET"),
            "endpoint_url": env_str("SCAN_REPORTS_S3_ENDPOINT", "") or None,
            "region_name": env_str("SCAN_REPORTS_S3_REGION", "") or None,
            "location": "scan-reports",
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            "object_parameters": {"ServerSideEncryption": env_str("SCAN_REPORTS_S3_SSE", "AES256")},
        },
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail (Django 6.1 MAILERS): console while developing, SMTP in production ------------------
EMAIL_SMTP_HOST = env_str("EMAIL_HOST", "" if DEBUG else "localhost")
MAILERS = {
    "default": (
        {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
        if DEBUG and not EMAIL_SMTP_HOST
        else {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": EMAIL_SMTP_HOST,
                "port": env_int("EMAIL_PORT", 587, minimum=1),
                "username": env_str("EMAIL_HOST_USER", ""),
                "password": env_str("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": env_int("EMAIL_TIMEOUT", 10, minimum=1),
            },
        }
    )
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "FacetClinic <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- The clinic: one place for its details, shown on the receipt and safety pages ----------------
# Its opening hours are words, so each language a patient can choose has its own: CLINIC_HOURS in English,
# CLINIC_HOURS_ES in Spanish (and so on). A clinic that sets its own hours must set them in each language
# it offers, or the app does not start: the demo's Spanish hours must never stand in for a clinic's.
_DEMO_HOURS = {"en": "Monday to Friday, 8am to 6pm", "es": "de lunes a viernes, de 8:00 a 18:00"}
CLINIC_HOURS = {"en": env_str("CLINIC_HOURS", _DEMO_HOURS["en"])}
if not os.environ.get("CLINIC_HOURS") and any(
    os.environ.get(f"CLINIC_HOURS_{code.upper()}") for code, _label in LANGUAGES
):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "Set CLINIC_HOURS too: a clinic that gives its hours in one language gives them in English "
        "(the demo's hours must not stand in for them)."
    )
for _code in [code for code, _label in LANGUAGES if code != "en"]:
    _name = f"CLINIC_HOURS_{_code.upper()}"
    if os.environ.get(_name):
        CLINIC_HOURS[_code] = os.environ[_name]
    elif not os.environ.get("CLINIC_HOURS"):
        CLINIC_HOURS[_code] = _DEMO_HOURS[_code]
    elif _code in PATIENT_LANGUAGES:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"Set {_name}: the clinic's hours for patients who read {_code!r}, which PATIENT_LANGUAGES offers "
            "(CLINIC_HOURS is set, so the demo's hours cannot stand in)."
        )
    # else: a language no longer offered; its drafts' e-mails give the hours in English


def _clinic_hours() -> str:
    from django.utils.translation import get_language

    return CLINIC_HOURS.get(get_language() or "en", CLINIC_HOURS["en"])


CLINIC = {
    "name": env_str("CLINIC_NAME", "FacetClinic demo clinic"),
    "phone": env_str("CLINIC_PHONE", "(555) 010-0199"),
    "hours": lazy(_clinic_hours, str)(),  # in the language of the page or e-mail (CLINIC_HOURS_*)
    "address": env_str("CLINIC_ADDRESS", "100 Example Street, Springfield"),
    "emergency_number": env_str("CLINIC_EMERGENCY_NUMBER", "911"),
    "reply_days": env_int("CLINIC_REPLY_DAYS", 2, minimum=1),
}

# --- Notifications: who is told of new cases, and the address links in e-mails start with -------------
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
ONCALL_EMAIL = env_str("ONCALL_EMAIL", "oncall@localhost")  # a new urgent case, at once
DIGEST_EMAIL = env_str("DIGEST_EMAIL", ONCALL_EMAIL)  # the daily summary of other new cases
# A tier-1 or screening-error case nobody has taken alerts ONCALL_EMAIL again after this many minutes, and
# again each time as long (manage.py send_realerts, run every few minutes: docs/notifications.md).
URGENT_REALERT_MINUTES = env_int("URGENT_REALERT_MINUTES", 15, minimum=1)
EMAIL_MAX_ATTEMPTS = env_int("EMAIL_MAX_ATTEMPTS", 5, minimum=1)

# --- Background tasks (Django's tasks framework) -----------------------------------------------------
# "database": django-tasks-db's queue, run by `manage.py db_worker` (production); "immediate": in the
# request's process, for the embedded default.
TASKS_BACKEND = env_str("TASKS_BACKEND", "immediate" if DEBUG else "database")
if TASKS_BACKEND not in ("database", "immediate"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be 'database' or 'immediate'; got {TASKS_BACKEND!r}."
    )
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend"
        if TASKS_BACKEND == "database"
        else "django.tasks.backends.immediate.ImmediateBackend"
    }
}

# --- The intake ---------------------------------------------------------------------------------
INTAKE_DRAFT_DAYS = env_int("INTAKE_DRAFT_DAYS", 30, minimum=1)
INTAKE_RESUME_MAX_FAILURES = env_int("INTAKE_RESUME_MAX_FAILURES", 5, minimum=1)
INTAKE_RESUME_WINDOW_MINUTES = env_int("INTAKE_RESUME_WINDOW_MINUTES", 15, minimum=1)
# Anti-automation on the public intake, each counted per hour in the database (screening/staff/attempt_limits.py):
# new drafts and submissions per client address, page saves per draft.
INTAKE_DRAFTS_PER_HOUR = env_int("INTAKE_DRAFTS_PER_HOUR", 20, minimum=1)
INTAKE_SUBMISSIONS_PER_HOUR = env_int("INTAKE_SUBMISSIONS_PER_HOUR", 10, minimum=1)
INTAKE_PAGE_SAVES_PER_HOUR = env_int("INTAKE_PAGE_SAVES_PER_HOUR", 300, minimum=1)
# Multiplies every intake limit above (and the resume limits per address): 1 in production, e.g. 1000
# for a load test that sends many forms from one address.
INTAKE_LIMITS_MULTIPLIER = env_int("INTAKE_LIMITS_MULTIPLIER", 1, minimum=1)
# How many reverse proxies of ours stand in front of the app (each appends to X-Forwarded-For).
# 0 trusts no header and uses the connection's address.
TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", 0, minimum=0)
# The licensed wording of the Oswestry Disability Index and STarT Back tool (a JSON file, see
# README.md). Without it, in-house demo wording is shown, clearly labelled as such.
INSTRUMENT_WORDING_FILE = env_str("INSTRUMENT_WORDING_FILE", "")

# --- Scan reports: each file scanned by ClamAV (issue 19, docs/deploy.md) --------------------------------
# clamd's socket: a Unix socket path or host:port. Without it, DEBUG on accepts files "not scanned";
# DEBUG off refuses them unless UPLOAD_SCAN=off says, explicitly, to accept files unscanned (a risk).
CLAMAV_SOCKET = env_str("CLAMAV_SOCKET", "")
UPLOAD_SCAN = env_str("UPLOAD_SCAN", "on")
if UPLOAD_SCAN not in ("on", "off"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"UPLOAD_SCAN must be on or off; got {UPLOAD_SCAN!r}.")
REPORTS_PER_SCAN = 5  # files per scan (X-ray, MRI, CT) on a draft
REPORT_BYTES_PER_DRAFT = env_int("REPORT_BYTES_PER_DRAFT", 100 * 1024 * 1024, minimum=1)
REPORTS_PER_ADDRESS_PER_HOUR = env_int("REPORTS_PER_ADDRESS_PER_HOUR", 40, minimum=1)
# Every multipart request: a file over 20 MB is dropped as it arrives (the page says so), and a request
# stops being read past this many bytes of files (the proxy's body limit should match, docs/deploy.md).
FILE_UPLOAD_HANDLERS = [
    "screening.upload_limits.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
UPLOAD_MAX_REQUEST_BYTES = 110 * 1024 * 1024

# --- Retention (docs/retention.md): `manage.py purge_retained` deletes what is past it, daily -------
# Audit rows are kept 6 years. Not read from the environment: the database trigger that refuses deleting
# younger audit rows (migration 0015) holds the same number.
AUDIT_RETENTION_YEARS = 6
# A closed case (intake, identity, answers, screenings, notes, contacts, bookings, e-mails) is deleted
# this many days after it was last changed; 0 keeps closed cases for ever. Set it to what the clinic's
# medical-records law requires.
CASE_RETENTION_DAYS = env_int("CASE_RETENTION_DAYS", 3650, minimum=0)

# --- Logging: no request bodies, no query strings, no patient data --------------------------------
# Every handler has the "scrub" filter (screening/staff/log_scrub.py: exception messages, query strings, extra
# fields). Django's own handlers on the "django" logger (console when DEBUG, mail_admins) have no such
# filter, so that logger keeps none of its own: its records go on to the root's handlers.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub": {"()": "screening.staff.log_scrub.ScrubPatientData"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["scrub"]},
    },
    "loggers": {"django": {"handlers": [], "level": "INFO", "propagate": True}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
