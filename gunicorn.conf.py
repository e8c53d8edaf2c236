"""Gunicorn settings for serving Backpack in production: `bash scripts/serve.sh`.

Threads, not processes alone: most of a request's time is spent waiting on the database
or the disk, and threads share the in-process caches. One worker process per core, a few
threads each, graceful reloads (`kill -HUP`) and restarts after a number of requests so a
slow leak cannot grow without bound. Everything here can be overridden by gunicorn's own
GUNICORN_CMD_ARGS or the variables below.
"""
import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# An upload of the largest video on a slow phone may take minutes; the proxy buffers it.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# A restart costs the worker its imports and its page cache: at 10,000 a busy worker restarted
# every ~15 s under load, and the 200-client run after the 50-client one had a p99 of 1.8 s.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "200000"))
max_requests_jitter = max_requests // 10
# Access lines are the reverse proxy's to write (it sees the real client and the whole time);
# GUNICORN_ACCESS_LOG=- logs them here too, at about 6% of a cached page's CPU (py-spy, load.py).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
# Behind a proxy, BACKPACK_PROXIES turns on ProxyFix in the app; gunicorn need not trust headers itself.
forwarded_allow_ips = "127.0.0.1"
