"""gunicorn settings for production and `make serve`; each can be changed by environment.

Threaded workers: a reader on a slow connection holds one thread, not a whole process, and
the worker's heartbeat does not depend on the download, so a long file is never cut off by
the timeout. Behind the shipped proxy, files go out through nginx anyway (X-Accel-Redirect).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", 8))
# A worker silent this long is restarted; a request is not limited by it (see above).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5
# Start each worker afresh now and then, so a slow leak can never grow without end. Not too
# often: a new worker starts cold (imports, connections, compiled templates), and the requests
# queued behind it wait. At 5,000 a busy worker restarted every two seconds: stored pages
# came at half the rate, with a p99 of 80-120 ms against 16-28 ms at 100,000 (32 readers,
# `make bench`'s app-cached report page).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 100_000))
max_requests_jitter = max_requests // 10

# Request limits: a request line, header count and header size beyond these is refused with
# 400 before Django sees it. Body size is limited by REQUEST_MAX_BYTES in the app and by
# client_max_body_size in deploy/nginx.conf.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# One line per request on standard output: client, request, status, bytes, microseconds.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(D)sus "%(a)s"'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Forwarded headers are trusted from the proxy on this machine only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
