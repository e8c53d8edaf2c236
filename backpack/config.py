"""Settings from environment variables, with defaults that run on one machine."""
import os
import secrets
from pathlib import Path

# The checkout: templates, static files, the manifest and the service worker live here.
ROOT = Path(__file__).resolve().parent.parent


def _read_or_create_secret(instance_path: Path, name: str) -> str:
    """Keep a random secret in the instance folder so it survives restarts."""
    path = instance_path / name
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32)
    path.write_text(value)
    path.chmod(0o600)
    return value


LOCAL_ORIGIN = "http://localhost:5000"
MEGABYTE = 1024 * 1024
# Per kind of evidence, checked after the kind is read from the file's bytes. Phones shrink
# photos before upload; these caps are for files sent as they are.
EVIDENCE_MAX_BYTES = {"photo": 25 * MEGABYTE, "video": 200 * MEGABYTE, "audio": 30 * MEGABYTE, "file": 20 * MEGABYTE}


def load(instance_path: Path) -> dict:
    """Return the configuration for an app whose data lives in instance_path."""
    env = os.environ
    insecure = env.get("BACKPACK_INSECURE_COOKIES") == "1"
    return {
        "SECRET_KEY": env.get("BACKPACK_SECRET_KEY")
        or _read_or_create_secret(instance_path, "secret_key"),
        # Seals issuers' private keys at rest; separate from SECRET_KEY so rotating
        # the session secret cannot lock the issuers out of their own keys.
        "KEY_ENCRYPTION_SECRET": env.get("BACKPACK_KEY_ENCRYPTION_SECRET")
        or _read_or_create_secret(instance_path, "key_encryption_secret"),
        "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL")
        or f"sqlite:///{instance_path / 'backpack.db'}",
        # A database server's pooled connection is checked before use (engine_options), so one
        # cut by a restart is replaced quietly instead of failing the next request on it.
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        # The public origin: the only source of absolute URLs and of WebAuthn's RP ID.
        "BACKPACK_ORIGIN": env.get("BACKPACK_ORIGIN", "").rstrip("/") or LOCAL_ORIGIN,
        # Origins this deployment had before: still answered, since credentials already issued name them.
        "BACKPACK_PREVIOUS_ORIGINS": [o.strip().rstrip("/") for o in env.get("BACKPACK_PREVIOUS_ORIGINS", "").split(",") if o.strip()],
        # Reverse proxies in front of the app (X-Forwarded-For/-Proto hops to trust).
        "BACKPACK_PROXIES": int(env.get("BACKPACK_PROXIES", "0")),
        "BACKPACK_NAME": env.get("BACKPACK_NAME", "Backpack"),
        "INVITE_TTL_HOURS": int(env.get("BACKPACK_INVITE_TTL_HOURS", str(7 * 24))),
        # Signed status lists lapse after this long, so an old saved copy cannot hide a
        # revocation for more than a day; the worker re-signs them at half this age.
        "STATUS_LIST_TTL_HOURS": int(env.get("BACKPACK_STATUS_LIST_TTL_HOURS", "24")),
        "WEBAUTHN_CHALLENGE_TTL_SECONDS": 300,
        "SESSION_COOKIE_SECURE": not insecure,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": not insecure,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "RATELIMIT_STORAGE_URI": env.get("REDIS_URL") or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        # Rendered employer pages, keyed by everything they show (backpack/sharing/page_cache.py):
        # this process's memory by default, shared by every process in Redis when REDIS_URL is set.
        "CACHE_TYPE": "RedisCache" if env.get("REDIS_URL") else "SimpleCache",
        "CACHE_REDIS_URL": env.get("REDIS_URL"),
        "CACHE_KEY_PREFIX": "backpack:page:",
        "CACHE_DEFAULT_TIMEOUT": 24 * 3600,
        "CACHE_THRESHOLD": 2048,
        # Compress text for phones on slow networks. Pages carry no secret that an
        # attacker could also reflect into them, so BREACH has nothing to work with;
        # CSRF tokens change every second anyway.
        "COMPRESS_MIMETYPES": [
            "text/html",
            "text/css",
            "text/javascript",
            "application/json",
            "application/vc+ld+json",
            "application/manifest+json",
            "image/svg+xml",
        ],
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_MIN_SIZE": 512,
        # Where evidence files live: "local" (MEDIA_PATH on this machine) or "s3" (a bucket
        # on any S3-compatible server; boto3 reads AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY itself).
        "MEDIA_STORE": env.get("BACKPACK_MEDIA_STORE", "local"),
        "MEDIA_PATH": str(instance_path / "media"),
        "S3_ENDPOINT_URL": env.get("S3_ENDPOINT_URL") or None,
        "S3_BUCKET": env.get("S3_BUCKET"),
        "S3_REGION": env.get("S3_REGION") or None,
        "S3_ADDRESSING_STYLE": env.get("S3_ADDRESSING_STYLE") or "path",
        # Badges imported from a URL: public HTTPS only; tests serve them on 127.0.0.1 and allow loopback.
        "IMPORT_ALLOW_LOCAL_URLS": env.get("BACKPACK_IMPORT_ALLOW_LOCAL_URLS") == "1",
        "IMPORT_TIMEOUT_SECONDS": float(env.get("BACKPACK_IMPORT_TIMEOUT_SECONDS", "5")),
        # The Open Badges 3.0 API: platforms' redirect URIs and logos are public HTTPS only;
        # tests (and a local demo) may allow http://localhost. The discovery document links
        # the operator's terms and privacy policy (the origin's front page until set).
        "API_ALLOW_LOCAL_REDIRECTS": env.get("BACKPACK_API_ALLOW_LOCAL_REDIRECTS") == "1",
        "API_TERMS_URL": env.get("BACKPACK_TERMS_URL") or None,
        "API_PRIVACY_URL": env.get("BACKPACK_PRIVACY_URL") or None,
        "EVIDENCE_MAX_BYTES": dict(EVIDENCE_MAX_BYTES),
        "EVIDENCE_MAX_SECONDS": {"video": 5 * 60, "audio": 10 * 60},
        "EVIDENCE_MAX_PIXELS": 50_000_000,
        "EVIDENCE_IMAGE_SIDE": 1600,
        # No request body may be larger than the largest file we keep (plus the form's text):
        # Werkzeug refuses it with 413 from the Content-Length alone, before reading it.
        "MAX_CONTENT_LENGTH": max(EVIDENCE_MAX_BYTES.values()) + MEGABYTE,
        "BABEL_DEFAULT_LOCALE": "en",
        # Each language named in its own script; codes as Babel and CLDR spell them.
        "LANGUAGES": {
            "en": "English",
            "es": "Español",
            "zh_Hans": "中文（简体）",
            "vi": "Tiếng Việt",
            "ar": "العربية",
            "ht": "Kreyòl ayisyen",
        },
        "RTL_LANGUAGES": {"ar"},
    }


def engine_options(app_config: dict) -> dict:
    """The engine's options for the configured database: a ping before each checkout for a server only.

    A SQLite file has no connection to lose, and the ping (a round trip and a GIL hand-off per
    request) cost a tenth of a cached page's time under load (benchmarks/load.py).
    """
    server = not app_config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    return {"pool_pre_ping": server, **app_config["SQLALCHEMY_ENGINE_OPTIONS"]}
