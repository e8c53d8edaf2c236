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
max_requests = 10_000
max_requests_jitter = 1_000
accesslog = "-"
errorlog = "-"
# Behind a proxy, BACKPACK_PROXIES turns on ProxyFix in the app; gunicorn need not trust headers itself.
forwarded_allow_ips = "127.0.0.1"
