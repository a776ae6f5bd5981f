"""Settings shared by every environment; each value can be switched by an environment variable.

dev.py, test.py and production.py only change defaults and add the checks their environment needs.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_int, env_list, env_share, env_str
from .files import storages_setting
from .maps import TIANDITU_LABELS, TIANDITU_SUBDOMAINS, TIANDITU_VECTOR, map_datum, tile_sources

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("SECRET_KEY")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # daphne first: `runserver` then serves HTTP and WebSockets from the one ASGI application.
    "daphne",
    "renovation.accounts",
    "renovation.places",
    "renovation.projects",
    "renovation.changelog",
    "renovation.backoffice",
    "renovation.public",
    "renovation.notifications",
    "renovation.supervision",
    "renovation.planning",
    "renovation.discussion",
    "renovation.tendering",
    "renovation.finance",
    "renovation.reports",
    "renovation.opendata",
    "renovation.consultation",
    "renovation.checks",
    "renovation.evaluation",
    "renovation.demo",
    "renovation.sms",
    "renovation.residents",
    "renovation.api",
    "renovation.files",
    "renovation.jobs",
    "cms",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    # Wagtail's users app with our staff-account viewset and permission policy (renovation/accounts/admin_users.py).
    "renovation.accounts.apps.StaffUsersAppConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "simple_history",
    "channels",
    # The open-data API (renovation/api): REST framework, its OpenAPI schema and self-hosted docs assets.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    # The database backend of Django's tasks framework: jobs are rows, run by `manage.py jobs_worker`.
    "django_tasks",
    "django_tasks_db",
    # Counts failed sign-ins per username and address in the database, shared by every process.
    "axes",
    # Content-Security-Policy with per-request nonces (renovation/operations/contentsecurity.py).
    "csp",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    # First: every log line of the request, and its response, carry the request id (X-Request-ID).
    "renovation.operations.requestid.RequestIdMiddleware",
    # Latency and queries per request for /metrics (renovation/operations/metrics.py).
    "renovation.operations.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "renovation.operations.contentsecurity.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # CORS headers for GET on /api/ and /open311/ only (CORS_URLS_REGEX); before CommonMiddleware.
    "corsheaders.middleware.CorsMiddleware",
    "renovation.language.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Records request.user as the author of every history row written during the request.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Ends idle staff sessions (STAFF_SESSION_IDLE_SECONDS).
    "renovation.accounts.middleware.StaffSessionIdleMiddleware",
    # Last: turns a locked-out sign-in into the login page with a clear message (renovation/accounts/lockout.py).
    "axes.middleware.AxesMiddleware",
    # Innermost: anonymous public pages from the shared cache (renovation/public/middleware.py);
    # a hit still passes out through every middleware above (headers, language, CSP).
    "renovation.public.middleware.PublicPageCacheMiddleware",
]

ROOT_URLCONF = "renovation.urls"
WSGI_APPLICATION = "renovation.wsgi.application"
ASGI_APPLICATION = "renovation.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "renovation.notifications.context_processors.unread_notifications",
                "renovation.backoffice.branding.branding",
            ],
        },
    },
]

# --- Public maps (renovation/places/maps.py) ------------------------------------------------
# Leaflet (shipped in renovation/places/static, no CDN) draws the estates and public site issues
# over tiles from MAP_TILE_URL: {z}/{x}/{y} as Leaflet spells them, {s} one of MAP_TILE_SUBDOMAINS,
# {tk} the key MAP_TILE_KEY. 天地图 by default, which needs a key (free, from
# console.tianditu.gov.cn, bound to the site's domain); a URL with {tk} and no key: no map, the
# pages list the projects as always. MAP_LABEL_TILE_URL is drawn over it (天地图's labels; empty: none).
# MAP_TILE_CRS names the datum the tiles are drawn in: wgs84 (天地图's CGCS2000, OpenStreetMap) or
# gcj02 (高德, 腾讯); coordinates are stored in WGS-84 and shifted for gcj02 tiles.
# MAP_TILE_ATTRIBUTION: the credit line under the map (the provider and its 审图号, as its terms ask).
MAP_TILE_URL = env_str("MAP_TILE_URL", TIANDITU_VECTOR)
MAP_LABEL_TILE_URL = env_str("MAP_LABEL_TILE_URL", TIANDITU_LABELS)
MAP_TILE_SUBDOMAINS = env_str("MAP_TILE_SUBDOMAINS", TIANDITU_SUBDOMAINS)
MAP_TILE_KEY = env_str("MAP_TILE_KEY", "")
MAP_TILE_CRS = map_datum("MAP_TILE_CRS", env_str("MAP_TILE_CRS", "wgs84"))
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "天地图")
MAP_TILE_MAX_ZOOM = env_int("MAP_TILE_MAX_ZOOM", 18)
# Public site issues are placed on the project page's map to this many decimals of a degree
# (4 ≈ 10 m: the building, never the flat).
MAP_ISSUE_DECIMALS = env_int("MAP_ISSUE_DECIMALS", 4)
if not 2 <= MAP_ISSUE_DECIMALS <= 5:
    raise ImproperlyConfigured("MAP_ISSUE_DECIMALS must be between 2 (≈1 km) and 5 (≈1 m).")
# The index map shows at most this many projects (the filtered ones, newest plan first).
MAP_INDEX_MAX_PROJECTS = env_int("MAP_INDEX_MAX_PROJECTS", 500)
_MAP_TILE_SOURCES = tile_sources([MAP_TILE_URL, MAP_LABEL_TILE_URL], MAP_TILE_SUBDOMAINS)

# --- Security headers -----------------------------------------------------------------------
# Content-Security-Policy (django-csp 4). Scripts and <style> elements: our origin or the request's
# nonce ({{ request.csp_nonce }}); no inline event handlers anywhere. Style *attributes* are
# allowed ('unsafe-inline' in style-src-attr only): the progress, money and timeline bars set
# their width from the data with style="width: …", which no nonce can cover, and a style
# attribute cannot run script. Browsers without style-src-attr (before Chrome 75, Firefox 108,
# Safari 15.4) fall back to style-src and draw those bars empty.
# The live threads' WebSockets: 'self' covers ws:/wss: on our own host in browsers since 2022 (CSP
# level 3), not in Safari before 15.4, still on older iPhones; so the site's names are listed too.
_WEBSOCKET_SOURCES = [
    f"{scheme}://{'*' + host if host.startswith('.') else host}:*"
    for host in ALLOWED_HOSTS
    if host != "*"
    for scheme in ("wss", "ws")
]
_CSP_COMMON = {
    "default-src": [SELF],
    # The map tiles' hosts (MAP_TILE_URL, MAP_LABEL_TILE_URL).
    "img-src": [SELF, "data:", *_MAP_TILE_SOURCES],
    "font-src": [SELF],
    "connect-src": [SELF, *_WEBSOCKET_SOURCES],
    "object-src": [NONE],
    "base-uri": [SELF],
    "form-action": [SELF],
    # Wagtail's page preview frames our own pages; nothing else may frame them.
    "frame-ancestors": [SELF],
}
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        **_CSP_COMMON,
        # blob: for the previews of photos chosen in the supervisors' report form (supervision/report.js).
        "img-src": [*_CSP_COMMON["img-src"], "blob:"],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "style-src-attr": [UNSAFE_INLINE],
    }
}
# The Wagtail admin writes inline <script> without a nonce in some of its widgets (date and time
# choosers, inline panels; wagtail/wagtail#7053) and inline styles: there, and only there,
# 'unsafe-inline' for scripts and styles (renovation/operations/contentsecurity.py).
CONTENT_SECURITY_POLICY_ADMIN_PREFIXES = ["/admin/"]
CONTENT_SECURITY_POLICY_ADMIN = {
    "DIRECTIVES": {
        **_CSP_COMMON,
        # blob: for the previews of images chosen for upload.
        "img-src": [SELF, "data:", "blob:"],
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
    }
}
# Avatars from gravatar.com would send a hash of staff e-mail addresses to a third party (and
# need a CSP allowance); Wagtail shows its default avatar instead.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
SECURE_REFERRER_POLICY = "same-origin"
# Permissions-Policy (django-permissions-policy): the supervisors' report form asks for the
# phone's position (geolocation, our origin only); photos come through a file input, which
# needs no camera permission. Everything else powerful is off.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "browsing-topics": [],
    "camera": [],
    "display-capture": [],
    "geolocation": ["self"],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "usb": [],
}

# --- Database -------------------------------------------------------------------------------
# DATABASE_URL selects PostgreSQL (production, CI); without it the zero-install default is SQLite
# in write-ahead-log mode, which lets the demo's readers and its one writer work side by side.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 0), conn_health_checks=True)
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Channels -------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # channels_redis's core layer with a bounded pool that waits (renovation/realtime/layers.py).
            "BACKEND": "renovation.realtime.layers.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        # redis-py 8 gives sockets a 5 s read timeout, as long as channels_redis's
                        # blocking receive (BZPOPMIN, 5 s): an idle worker then dies with TimeoutError
                        # and drops its sockets (channels_redis#422). No socket timeout: the blocking
                        # read bounds itself.
                        "socket_timeout": None,
                        "socket_connect_timeout": 5,
                        # Redis connections per ASGI process; a burst of handshakes waits for a free one
                        # (at most CHANNEL_REDIS_POOL_TIMEOUT seconds) instead of failing.
                        "max_connections": env_int("CHANNEL_REDIS_MAX_CONNECTIONS", 50),
                        "timeout": env_int("CHANNEL_REDIS_POOL_TIMEOUT", 10),
                    }
                ],
                # channels_redis drops messages for a full channel without raising; live
                # clients catch up by asking for everything after the last id they saw.
                "capacity": env_int("CHANNEL_CAPACITY", 1500),
                "expiry": env_int("CHANNEL_EXPIRY", 60),
                # A member that was never discarded (a killed process) leaves the group after this
                # long; open sockets renew their membership every third of it.
                "group_expiry": env_int("CHANNEL_GROUP_EXPIRY", 900),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Public page cache (renovation/public/cache.py) ------------------------------------------
# Anonymous public pages and open data are cached whole, keyed by URL and language, and
# invalidated after commit by the services that change what they show. Redis when REDIS_URL is
# set (shared by every process and node), local memory otherwise (`make run`).
PUBLIC_CACHE_ENABLED = env_bool("PUBLIC_CACHE", True)
PUBLIC_CACHE_ALIAS = "public"
# Longest a stored page lives without a change (a safety net; changes invalidate at once).
PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", 600)
# How long nginx's microcache may keep a public page (X-Accel-Expires), in seconds.
PUBLIC_CACHE_PROXY_SECONDS = env_int("PUBLIC_CACHE_PROXY_SECONDS", 5)
# Stored pages of at least this many bytes (text, JSON, XML) are kept gzip-compressed and sent so
# to clients that accept gzip (renovation/public/compression.py); 1024 is nginx's gzip_min_length.
PUBLIC_CACHE_GZIP_MIN_BYTES = env_int("PUBLIC_CACHE_GZIP_MIN_BYTES", 1024)
# Entries a page of a project's public change log.
CHANGE_LOG_PAGE_SIZE = env_int("CHANGE_LOG_PAGE_SIZE", 50)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "public": (
        {"BACKEND": "renovation.public.redis_cache.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "renovation"}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "public-pages"}
    ),
}

# --- Auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Everyone signs in with a username and password at /accounts/login/ (staff also at /admin/login/);
# after signing in each role lands on its own start page (renovation/accounts/landing.py).
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "supervision:home"
LOGOUT_REDIRECT_URL = "/"
# AxesBackend first: it refuses a locked-out username/address before any other backend checks a password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Mobile number + SMS code (renovation/sms/auth.py).
    "renovation.sms.auth.PhoneCodeBackend",
]
# Brute force (django-axes): 5 failures for one username from one address lock that pair for 15 minutes.
# Attempts live in the database, so every web process (and every node) sees the same count.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCK_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A fixed lock: attempts during it are refused without moving its end.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_USERNAME_CALLABLE = "renovation.accounts.lockout.attempted_username"
AXES_LOCKOUT_CALLABLE = "renovation.accounts.lockout.lockout_response"
# Successful sign-ins are not logged by axes (the sessions we record per user say who is signed in).
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
# The client's address comes from the same helper as the SMS limits (CLIENT_IP_HEADER behind nginx).
AXES_CLIENT_IP_CALLABLE = "renovation.sms.network.client_ip"

# Sessions: staff sessions end after this many idle seconds (8 hours by default); others keep
# Django's cookie age. Session keys are recorded per user so deactivation can end them all.
STAFF_SESSION_IDLE_SECONDS = env_int("STAFF_SESSION_IDLE_SECONDS", 8 * 3600)
# Password reset links by e-mail are valid this long.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT_SECONDS", 3 * 24 * 3600)

# --- Language, time, money ------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# Our catalogue first; then the strings of Wagtail's admin that Wagtail's own zh_Hans catalogue lacks.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_wagtail"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env_str("STATIC_ROOT", str(BASE_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = env_str("MEDIA_ROOT", str(BASE_DIR / "media"))
# Uploads (renovation/settings/files.py, deploy/README.md "Files"): "default" is public (MEDIA_ROOT,
# served at /media/), "private" is PRIVATE_MEDIA_ROOT (served at no public path) and is handed out
# only by renovation.files after a permission check. A bucket (AWS_STORAGE_BUCKET_NAME) moves both
# to S3-compatible object storage; FILES_STORAGE=filesystem|s3 says so explicitly.
FILES_STORAGE = env_str("FILES_STORAGE", "s3" if env_str("AWS_STORAGE_BUCKET_NAME") else "filesystem")
PRIVATE_MEDIA_ROOT = env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private-media"))
# Signed URLs to private objects live this long (seconds).
PRIVATE_FILE_URL_SECONDS = env_int("PRIVATE_FILE_URL_SECONDS", 120)
# On disk behind nginx: the internal location that serves PRIVATE_MEDIA_ROOT (X-Accel-Redirect);
# empty: Django streams the file itself (runserver).
PRIVATE_MEDIA_ACCEL_REDIRECT = env_str("PRIVATE_MEDIA_ACCEL_REDIRECT", "")
STORAGES = storages_setting(backend=FILES_STORAGE, private_root=PRIVATE_MEDIA_ROOT, expire=PRIVATE_FILE_URL_SECONDS)

# --- Wagtail --------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = env_str("SITE_NAME", "老旧小区改造公开平台")
# The admin carries the bureau's name and emblem (a static path or an absolute URL), not Wagtail's.
BUREAU_NAME = env_str("BUREAU_NAME", "住房和城乡建设局")
BUREAU_LOGO = env_str("BUREAU_LOGO", "backoffice/emblem.svg")
# The number printed on every site notice (公示牌) for complaints about the works: the city's 12345 by default.
SUPERVISION_HOTLINE = env_str("SUPERVISION_HOTLINE", "12345")
# The ICP filing number (ICP备案号) every public site in China shows in its footer, e.g. 浙ICP备12345678号.
ICP_NUMBER = env_str("ICP_NUMBER", "")
WAGTAILADMIN_BASE_URL = env_str("SITE_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# Site search (cms/search.py): Wagtail's database backend is SQLite FTS5 for `make run` and
# PostgreSQL full-text search in production and CI. PostgreSQL's "simple" configuration: no
# English stemming or stop words (the index holds Chinese characters one by one, codes whole).
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database", "SEARCH_CONFIG": "simple"}}
# Documents are always streamed through Django's /documents/ view, never redirected to the storage's
# own URL (S3): its before_serve_document check (cms/wagtail_hooks.py) keeps an unpublished notice's
# attachments from the public, and a storage URL once handed out would outlive it.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]

# --- History --------------------------------------------------------------------------------
SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- Product rules --------------------------------------------------------------------------
PROJECT_INDEX_PAGE_SIZE = env_int("PROJECT_INDEX_PAGE_SIZE", 12)
READINESS_TIMEOUT_SECONDS = env_int("READINESS_TIMEOUT_SECONDS", 3)

# Site issues: how long the construction unit has to rectify, by category (hours).
SITE_ISSUE_DEADLINE_HOURS = {
    "safety": env_int("SITE_ISSUE_SAFETY_HOURS", 24),
    "quality": env_int("SITE_ISSUE_QUALITY_HOURS", 72),
}
SITE_ISSUE_DEFAULT_DEADLINE_HOURS = env_int("SITE_ISSUE_DEFAULT_HOURS", 7 * 24)
SITE_ISSUE_URGENT_DEADLINE_HOURS = env_int("SITE_ISSUE_URGENT_HOURS", 24)
SITE_ISSUE_MAX_PHOTOS = env_int("SITE_ISSUE_MAX_PHOTOS", 9)
# The construction unit is reminded (in the app and, if it opted in, by SMS) this many hours before
# an issue's deadline; the workers' clock runs site_issues_remind (JOBS_SCHEDULE below).
SITE_ISSUE_REMIND_HOURS = env_int("SITE_ISSUE_REMIND_HOURS", 12)

# Discussion threads.
COMMENT_MAX_LENGTH = env_int("COMMENT_MAX_LENGTH", 2000)
COMMENT_EDIT_MINUTES = env_int("COMMENT_EDIT_MINUTES", 15)
COMMENT_RATE_LIMIT_PER_MINUTE = env_int("COMMENT_RATE_LIMIT_PER_MINUTE", 10)

# Annual plan import (.xlsx): size limits, zip-bomb guards (it runs as a background job).
PLAN_IMPORT_MAX_BYTES = env_int("PLAN_IMPORT_MAX_MB", 10) * 1024 * 1024
PLAN_IMPORT_MAX_UNPACKED_BYTES = env_int("PLAN_IMPORT_MAX_UNPACKED_MB", 200) * 1024 * 1024
PLAN_IMPORT_MAX_RATIO = env_int("PLAN_IMPORT_MAX_RATIO", 200)
PLAN_IMPORT_MAX_ZIP_ENTRIES = env_int("PLAN_IMPORT_MAX_ZIP_ENTRIES", 2000)

# --- Background jobs ------------------------------------------------------------------------
# Django's tasks framework (django-tasks). "database": jobs are rows in the database and
# `manage.py jobs_worker` runs them (production, `make run`); "immediate": a job runs in the process
# that enqueues it, after the transaction commits (tests). See renovation/jobs/.
TASKS_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS_BACKEND = env_str("TASKS_BACKEND", "database")
if TASKS_BACKEND not in TASKS_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND={TASKS_BACKEND!r}: use one of {', '.join(TASKS_BACKENDS)}.")
# "clock": the periodic jobs (JOBS_SCHEDULE); "default": everything else.
TASKS = {"default": {"BACKEND": TASKS_BACKENDS[TASKS_BACKEND], "QUEUES": ["default", "clock"]}}
# A worker writes a heartbeat this often; a job whose worker has not been seen for JOBS_LEASE_SECONDS
# is taken back and run again (the worker was killed), at most JOBS_MAX_ATTEMPTS times in all.
JOBS_HEARTBEAT_SECONDS = env_int("JOBS_HEARTBEAT_SECONDS", 10)
JOBS_LEASE_SECONDS = env_int("JOBS_LEASE_SECONDS", 60)
JOBS_MAX_ATTEMPTS = env_int("JOBS_MAX_ATTEMPTS", 3)
if not 0 < JOBS_HEARTBEAT_SECONDS * 2 <= JOBS_LEASE_SECONDS:
    raise ImproperlyConfigured("JOBS_LEASE_SECONDS must be at least twice JOBS_HEARTBEAT_SECONDS.")
# The clock: the workers enqueue each of these once per period (exactly once across every worker
# and node: a period is claimed by one insert). The jobs catch up by themselves, so a missed period
# costs nothing but the delay.
JOBS_SCHEDULE = {
    # Tenders move on at their opening time (bidding → opened, or failed), with their OCDS releases.
    "tenders-advance": {"task": "renovation.tendering.tasks.tenders_advance", "every": 60},
    # Construction units are reminded of site-issue deadlines within SITE_ISSUE_REMIND_HOURS.
    "site-issues-remind": {"task": "renovation.supervision.tasks.site_issues_remind", "every": 15 * 60},
    # Each ended month's street evaluation is frozen once (in the first hour of the next month).
    "evaluations-freeze": {"task": "renovation.evaluation.tasks.evaluations_freeze", "every": 60 * 60},
    # The street league table's kept rendering (renovation/evaluation/stored.py) past midnight, a
    # deploy or a lost job is rendered again.
    "street-league-refresh": {"task": "renovation.evaluation.tasks.street_league_refresh", "every": 5 * 60},
    # Project pages' summaries (cms.summary) past midnight or a tender's clock are rebuilt.
    "project-summaries-refresh": {"task": "cms.tasks.project_summaries_refresh", "every": 5 * 60},
    # The home page's sections (cms.home_summary) past midnight, a deploy or a lost job are rebuilt.
    "home-summary-refresh": {"task": "cms.tasks.home_summary_refresh", "every": 5 * 60},
    # The project index's kept totals (cms.index_counts) past midnight, a deploy or a lost job are counted.
    "index-counts-refresh": {"task": "cms.tasks.index_counts_refresh", "every": 5 * 60},
    # Each project's open-data texts (renovation/opendata/stored.py) past midnight are encoded again.
    "project-open-data-refresh": {"task": "renovation.opendata.tasks.project_open_data_refresh", "every": 5 * 60},
    # Opened tenders' kept page sections (renovation/tendering/tender_summary.py): those the clock opened,
    # past the street's next opening, the tender's next step or midnight, a deploy or a lost job.
    "tender-summaries-refresh": {"task": "renovation.tendering.tasks.tender_summaries_refresh", "every": 5 * 60},
    # Stored OCDS release texts of an older format or not signed with this key (a new SECRET_KEY)
    # are encoded and signed again (renovation/tendering/ocds.py: release_texts_refresh).
    "ocds-release-texts-refresh": {"task": "renovation.tendering.tasks.ocds_release_texts_refresh", "every": 60 * 60},
    # Successful jobs are forgotten after 14 days (failed ones stay until retried).
    "jobs-prune": {"task": "renovation.jobs.tasks.jobs_prune", "every": 60 * 60},
    # The files of answered imports go after IMPORT_FILES_KEEP_DAYS (renovation/jobs/retention.py).
    "household-import-files-expire": {
        "task": "renovation.consultation.tasks.household_import_files_expire",
        "every": 60 * 60,
    },
    "statement-import-files-expire": {
        "task": "renovation.finance.tasks.ledger_statement_import_files_expire",
        "every": 60 * 60,
    },
    "plan-import-files-expire": {"task": "renovation.planning.tasks.plan_import_files_expire", "every": 60 * 60},
}
# An import's uploaded workbook and its copy with the problems marked (the household register holds
# residents' names, phones and addresses; a statement names payees) are deleted this many days after
# the import's answer (done, refused or interrupted); the import's record and its problem list stay.
IMPORT_FILES_KEEP_DAYS = env_int("IMPORT_FILES_KEEP_DAYS", 30)
if IMPORT_FILES_KEEP_DAYS < 1:
    raise ImproperlyConfigured("IMPORT_FILES_KEEP_DAYS must be at least 1.")

# Lateness (周监测、预警): a project under construction with no progress confirmed for this many
# days is shown as stalled (进度停滞).
PROGRESS_STALL_DAYS = env_int("PROGRESS_STALL_DAYS", 30)
# Red flags on tenders: bids from different companies whose amounts differ by at most this share
# of the higher one count as near-identical (0.001 = 0.1%).
# (renovation/tendering/redflags.py says which red-flags guide entry each threshold belongs to.)
TENDER_FLAG_NEAR_IDENTICAL_SHARE = env_share("TENDER_FLAG_NEAR_IDENTICAL_SHARE", "0.001")
# More than half of the bids within this share below the ceiling price: clustered under the ceiling.
TENDER_FLAG_CEILING_BAND = env_share("TENDER_FLAG_CEILING_BAND", "0.02")
# The same set of at most TENDER_FLAG_SMALL_SET companies on this many of a street's tenders.
TENDER_FLAG_SMALL_SET = env_int("TENDER_FLAG_SMALL_SET", 4)
TENDER_FLAG_SAME_SET_MIN = env_int("TENDER_FLAG_SAME_SET_MIN", 3)
# One company winning more than half of a street's awarded tenders, once it has at least this many.
TENDER_FLAG_WINNER_MIN_AWARDS = env_int("TENDER_FLAG_WINNER_MIN_AWARDS", 3)

# Tendering (业标街管): when a work item must go through the street channel, and how bids are sealed.
# A work item must be tendered when its procurement kind says so or its budget reaches this amount.
TENDER_MANDATORY_BUDGET_YUAN = env_int("TENDER_MANDATORY_BUDGET_YUAN", 500_000)
# Fewer valid bids than this at the opening (or after evaluation) and the tender fails (流标).
TENDER_MIN_VALID_BIDS = env_int("TENDER_MIN_VALID_BIDS", 3)
TENDER_PROPOSAL_MAX_BYTES = env_int("TENDER_PROPOSAL_MAX_MB", 20) * 1024 * 1024
# Bids are encrypted at rest until the opening time (renovation/tendering/seal.py). Fernet keys,
# newest first (older ones still decrypt); empty: a key derived from SECRET_KEY (development only;
# production.py requires BID_SEAL_KEYS).
BID_SEAL_KEYS = env_list("BID_SEAL_KEYS", [])
# Open Contracting Data Standard: the ocid prefix registered for this publisher (ocds-xxxxxx).
OCDS_OCID_PREFIX = env_str("OCDS_OCID_PREFIX", "ocds-lzgz00")
OCDS_PUBLISHER_NAME = env_str("OCDS_PUBLISHER_NAME", "老旧小区改造公开平台")
# Open data (renovation/opendata, /open-data/): the licence every dataset is published under (its
# canonical URL; CC BY 4.0 unless the bureau chooses another), the OC4IDS project identifier prefix
# registered for this publisher (oc4ids-xxxxxx) and the public authority that owns the projects.
OPEN_DATA_LICENCE = env_str("OPEN_DATA_LICENCE", "https://creativecommons.org/licenses/by/4.0/")
OC4IDS_PROJECT_PREFIX = env_str("OC4IDS_PROJECT_PREFIX", "oc4ids-lzgz00")
OC4IDS_PUBLIC_AUTHORITY = env_str("OC4IDS_PUBLIC_AUTHORITY", "住房和城乡建设局")

# Photos from phones: decoded, checked and re-encoded on upload (renovation/files/photos.py).
PHOTO_MAX_UPLOAD_BYTES = env_int("PHOTO_MAX_UPLOAD_MB", 15) * 1024 * 1024
PHOTO_MAX_PIXELS = env_int("PHOTO_MAX_MEGAPIXELS", 40) * 1_000_000
PHOTO_DISPLAY_EDGE = env_int("PHOTO_DISPLAY_EDGE", 1600)
PHOTO_THUMBNAIL_EDGE = env_int("PHOTO_THUMBNAIL_EDGE", 400)
PHOTO_JPEG_QUALITY = env_int("PHOTO_JPEG_QUALITY", 85)
# Photos of the works attached to one progress report (0 to this many), and how many of each phase
# (before / during / after) the project page shows before linking to all of them.
PROGRESS_REPORT_MAX_PHOTOS = env_int("PROGRESS_REPORT_MAX_PHOTOS", 9)
PROJECT_GALLERY_PHOTOS_PER_PHASE = env_int("PROJECT_GALLERY_PHOTOS_PER_PHASE", 6)
PROJECT_PHOTOS_PAGE_SIZE = env_int("PROJECT_PHOTOS_PAGE_SIZE", 24)
# Nine 15 MB photos in one submission, plus the form.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line names its request (nginx's $request_id, also in its access log): one grep finds
    # both sides of a request (renovation/operations/requestid.py).
    "filters": {
        "request_id": {"()": "renovation.operations.requestid.RequestIdFilter"},
        "client_error": {"()": "renovation.operations.requestid.ClientErrorWithoutTraceback"},
    },
    "formatters": {"request_id": {"format": "%(levelname)s %(name)s [request_id=%(request_id)s] %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            # client_error here too: django.security.* log a refused request (a bad Host header, too
            # many fields) at ERROR with a traceback; the line stays, the traceback goes.
            "filters": ["request_id", "client_error"],
            "formatter": "request_id",
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Wagtail logs every page action and background task at INFO; only problems matter here.
    "loggers": {
        **{name: {"level": "WARNING"} for name in ("django_tasks", "django.tasks", "wagtail", "axes")},
        # A 403 or 400 is logged as one line, without the traceback Django attaches to it.
        "django.request": {"filters": ["client_error"]},
    },
}

# --- Metrics (/metrics, Prometheus text format; renovation/operations/metrics.py) ------------------
# Who may read /metrics (the client address as CLIENT_IP_HEADER gives it); nginx also refuses it
# to anyone but the host.
METRICS_ALLOWED_ADDRESSES = env_list("METRICS_ALLOWED_ADDRESSES", ["127.0.0.1", "::1"])
# prometheus_client's multiprocess mode: each process writes to PROMETHEUS_MULTIPROC_DIR; a scrape
# merges every directory listed here (the web and the WebSocket service's). Empty: in-process.
_PROMETHEUS_DIR = env_str("PROMETHEUS_MULTIPROC_DIR")
METRICS_MULTIPROC_DIRS = env_list("METRICS_MULTIPROC_DIRS", [_PROMETHEUS_DIR] if _PROMETHEUS_DIR else [])

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@localhost")

# --- SMS (acc-sms) --------------------------------------------------------------------------
# Like EMAIL_BACKEND: console for `make run`, locmem in tests, Alibaba Cloud in production.
SMS_BACKEND = env_str("SMS_BACKEND", "renovation.sms.backends.console.SmsBackend")
SMS_ALIYUN = {
    "ACCESS_KEY_ID": env_str("SMS_ALIYUN_ACCESS_KEY_ID"),
    "ACCESS_KEY_SECRET": env_str("SMS_ALIYUN_ACCESS_KEY_SECRET"),  # or SMS_ALIYUN_ACCESS_KEY_SECRET_FILE
    "SIGN_NAME": env_str("SMS_ALIYUN_SIGN_NAME"),  # the approved 短信签名
    # Approved template codes by purpose: "code" has ${code}, "notice" has ${title}.
    "TEMPLATES": {
        "code": env_str("SMS_ALIYUN_TEMPLATE_CODE"),
        "notice": env_str("SMS_ALIYUN_TEMPLATE_NOTICE"),
    },
    "ENDPOINT": env_str("SMS_ALIYUN_ENDPOINT", "https://dysmsapi.aliyuncs.com"),
    "REGION": env_str("SMS_ALIYUN_REGION", "cn-hangzhou"),
    "TIMEOUT": env_int("SMS_ALIYUN_TIMEOUT_SECONDS", 10),
}
SMS_CODE_VALID_SECONDS = env_int("SMS_CODE_VALID_SECONDS", 5 * 60)
SMS_CODE_MAX_FAILURES = env_int("SMS_CODE_MAX_FAILURES", 5)
SMS_SENDS_PER_NUMBER_PER_HOUR = env_int("SMS_SENDS_PER_NUMBER_PER_HOUR", 5)
SMS_SENDS_PER_IP_PER_DAY = env_int("SMS_SENDS_PER_IP_PER_DAY", 20)
# Phone sign-in (mobile number + SMS code) next to Django's username and password: see
# AUTHENTICATION_BACKENDS above (django-axes first, so SMS-code failures are counted too).
# 一户一码: household join codes and the accounts a household may link.
JOIN_CODE_VALID_DAYS = env_int("JOIN_CODE_VALID_DAYS", 60)
HOUSEHOLD_MAX_ACCOUNTS = env_int("HOUSEHOLD_MAX_ACCOUNTS", 3)
JOIN_CODE_FAILURES_PER_IP_PER_HOUR = env_int("JOIN_CODE_FAILURES_PER_IP_PER_HOUR", 10)
# Version of the privacy notice (个人信息保护告知) shown when joining; consent records it.
PRIVACY_NOTICE_VERSION = env_str("PRIVACY_NOTICE_VERSION", "2026-11")
# Where the client's address is, for the SMS and join-code limits: empty = REMOTE_ADDR; behind
# nginx set HTTP_X_REAL_IP (deploy/nginx sets X-Real-IP).
CLIENT_IP_HEADER = env_str("CLIENT_IP_HEADER", "")

# --- Open-data API (renovation/api): /api/v1/ and Open311 ------------------------------------
# Only what cannot be set on the views: Wagtail's own admin API runs on REST framework too, so the
# API's authentication, rates and pagination are set on its views (renovation/api/base.py), not here.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
}
API_PAGE_SIZE = env_int("API_PAGE_SIZE", 50)
# Requests per minute: anonymous callers by address, key holders by key (tier chosen when issued).
API_RATES = {
    "anon": env_str("API_RATE_ANON", "60/minute"),
    "standard": env_str("API_RATE_STANDARD", "600/minute"),
    "partner": env_str("API_RATE_PARTNER", "3000/minute"),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "老旧小区改造公开数据接口 · Old-neighbourhood renovation open data API",
    "DESCRIPTION": "Read-only open data: places, projects, progress, site issues, tenders, contracts, money and "
    "consultation tallies. Personal data never appears; sealed bids appear only after their opening time.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "PREPROCESSING_HOOKS": ["renovation.api.schema.only_open_data"],
}
# Browsers on other sites may read the open data (GET only); nothing else crosses origins.
CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/(api|open311)/.*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag", "Link"]
# Who answers for the Open311 endpoint (its discovery document names them).
OPEN311_CONTACT = env_str("OPEN311_CONTACT", "住建局城市更新科 · housing bureau, urban renewal office")
