"""Gunicorn settings for the web process: `gunicorn -c gunicorn.conf.py` (the Procfile's web).

Every value can be changed from the environment; the defaults fit a 2-core machine.
Why each one: docs/operations.md ("Web processes").
"""

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


wsgi_app = "lms.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{_int('PORT', 8000)}")

# Processes give CPU parallelism (one Python process runs on one core at a time: the
# GIL); threads overlap the waits on PostgreSQL and Redis inside a process. One process
# per core plus one keeps both cores busy while a process collects garbage or waits; four
# threads each cover a request's database and cache round trips. 2 cores -> 3 x 4 = 12
# requests at once, so 12 database connections per machine (size PgBouncer for that).
workers = _int("WEB_CONCURRENCY", _cores() + 1)
threads = _int("GUNICORN_THREADS", 4)
worker_class = "gthread"

# A worker that stops answering the arbiter for `timeout` seconds is killed and replaced.
# (With threads this catches a stuck process, not a slow request: the load balancer's
# timeout and PostgreSQL's statement_timeout bound those.)
timeout = _int("GUNICORN_TIMEOUT", 30)
# SIGTERM: stop accepting, finish the requests in flight for up to this long, then exit.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Longer than the load balancer's idle timeout (60 s on most), so the balancer, not
# gunicorn, closes idle connections: no request is ever sent on a half-closed one.
keepalive = _int("GUNICORN_KEEPALIVE", 75)

# Recycle each worker after 2,000-3,000 requests (bounds slow memory growth). The
# jitter must be wide: evenly loaded workers reach their count together, and with a
# jitter of 10 % all three restarted within 70 s in the load test (docs/performance.md),
# each closing its kept-alive connections (14 resets in 3,978 requests).
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 1000)
# Load Django once in the arbiter and fork: workers share its memory and a recycled
# worker starts in milliseconds. Code changes need a restart (SIGTERM + start), not HUP.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() not in ("0", "false", "no")

# The heartbeat file lives in memory: a busy disk never makes a worker look dead.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Addresses of the load balancers whose X-Forwarded-* headers are believed.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs: JSON lines on stdout (access) and stderr (errors); the supervisor collects them.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
logger_class = "lms.core.gunicorn_logging.JsonLogger"
proc_name = "lms-web"
# Gunicorn 24+ opens a control socket in $HOME by default; not used here, and two servers
# on one machine would fight over the path.
control_socket_disable = True
