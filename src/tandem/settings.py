"""Django settings for Tandem, driven by environment variables.

Everything a deployment changes comes from the environment so that the same code runs the
embedded first start (`make run`, SQLite under ``TANDEM_HOME``) and production.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
# From a source checkout (`make run`), the data directory is the checkout's ./var wherever the
# `tandem` command runs from, so `tandem changepassword` in another directory finds the same
# database; an installed package uses ./var of the current directory.
_CHECKOUT = PACKAGE_DIR.parent.parent
_DEFAULT_HOME = _CHECKOUT / "var" if (_CHECKOUT / "pyproject.toml").exists() else Path("var")
TANDEM_HOME = Path(os.environ.get("TANDEM_HOME", _DEFAULT_HOME)).resolve()


def _env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """Read the key from the environment, or from a file generated once under TANDEM_HOME."""
    if key := os.environ.get("TANDEM_SECRET_KEY"):
        return key
    key_file = TANDEM_HOME / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    TANDEM_HOME.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = _env_flag("TANDEM_DEBUG")
ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("TANDEM_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if host.strip()
]
CSRF_TRUSTED_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("TANDEM_CSRF_TRUSTED_ORIGINS", "").split(",")
    if origin.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "tandem.core",
    "tandem.persons",
    "tandem.io",
    "tandem.web",
    "tandem.config",
    "tandem.api",
    "ninja",  # serves the API docs' own static files (no CDN)
    "django_tasks",
    "django_tasks_db",
]

# Background work (imports): Django's tasks API; the database backend needs no extra server,
# a `tandem worker` process runs the queue (`tandem serve` starts one beside gunicorn).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
#: Largest file an import accepts (bytes) and most rows it reads.
TANDEM_IMPORT_MAX_BYTES = int(os.environ.get("TANDEM_IMPORT_MAX_BYTES", 50 * 1024 * 1024))
TANDEM_IMPORT_MAX_ROWS = int(os.environ.get("TANDEM_IMPORT_MAX_ROWS", 1_000_000))

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "tandem.api.middleware.ApiProblemsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tandem.web.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "tandem.urls"
WSGI_APPLICATION = "tandem.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _database() -> dict:
    """SQLite under TANDEM_HOME unless DATABASE_URL names PostgreSQL or MySQL/MariaDB."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        TANDEM_HOME.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{TANDEM_HOME / 'tandem.sqlite3'}"
    if not url.startswith(("sqlite:", "postgres:", "postgresql:", "mysql:")):
        raise ImproperlyConfigured(
            f"DATABASE_URL must start with postgres://, mysql:// or sqlite://, not {url.split(':')[0]}://."
        )
    config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    engine = config["ENGINE"]
    options = config.setdefault("OPTIONS", {})
    if engine.endswith("sqlite3"):
        config["CONN_MAX_AGE"] = 0
        # WAL lets readers run while one writer writes; IMMEDIATE takes the write lock at
        # the start of a transaction so concurrent writers wait instead of failing.
        options.setdefault(
            "init_command",
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        )
        options.setdefault("transaction_mode", "IMMEDIATE")
    elif engine.endswith("postgresql"):
        # Tandem's queries read a few index ranges; a parallel worker cost more to start
        # (~15 ms measured) than the list pages it was planned for. A DATABASE_URL with
        # ?options=... replaces this.
        options.setdefault("options", "-c max_parallel_workers_per_gather=0")
    elif engine.endswith("mysql"):
        options.setdefault("charset", "utf8mb4")
        options.setdefault("isolation_level", "read committed")
        config.setdefault("TEST", {}).update(
            {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
        )
    # Several test runs may share one server (a developer's and a helper's): each names its
    # own test database with TANDEM_TEST_DB_SUFFIX.
    suffix = os.environ.get("TANDEM_TEST_DB_SUFFIX")
    if suffix and not engine.endswith("sqlite3"):
        config.setdefault("TEST", {})["NAME"] = f"test_{config['NAME']}_{suffix}"
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = os.environ.get("TANDEM_LANGUAGE", "en")
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("TANDEM_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["tandem.formats"]

STATIC_URL = "static/"
STATIC_ROOT = TANDEM_HOME / "static"
# Front-end libraries come from the npm registry (package.json, installed by `npm ci` in
# `make run` and `make test`); only the files named here are served, as published.
NODE_MODULES = Path(
    os.environ.get("TANDEM_NODE_MODULES", PACKAGE_DIR.parent.parent / "node_modules")
)
VENDOR_FILES = {  # static path → file under NODE_MODULES (same file name)
    "vendor/htmx/htmx.min.js": "htmx.org/dist/htmx.min.js",
    "vendor/lucide/sprite.svg": "lucide-static/sprite.svg",
}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "tandem.web.finders.NodeModulesFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Behind HTTPS in production, TANDEM_HTTPS=true turns on secure cookies, the redirection to
# HTTPS and HSTS; `tandem check --deploy` is then clean.
HTTPS = _env_flag("TANDEM_HTTPS")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
X_FRAME_OPTIONS = "DENY"

# Requests per API user ("50/s", "3000/m", "0": no limit), counted per server process.
TANDEM_API_RATE = os.environ.get("TANDEM_API_RATE", "50/s")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TANDEM_LOG_LEVEL", "WARNING")},
    # Requests for a host name Tandem does not serve (scanners) already get a 400; a
    # traceback per request would drown the log.
    "loggers": {"django.security.DisallowedHost": {"handlers": [], "propagate": False}},
}
