"""Fixtures of the fault tests: throwaway servers (one per test session, so the suite stays
fast), pointing Django and Celery at them, and real Celery workers."""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connections

from lms.celery_app import app as celery_app
from tests.services import require_postgresql

from .services import ThrowawayPostgres, ThrowawayRedis, wait_until

REPO = Path(__file__).resolve().parents[2]


def database_url(db: dict) -> str:
    """A libpq URL for a Django database settings dict (trust authentication)."""
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER'] or 'postgres'}@{host}:{port}/{db['NAME']}"


@pytest.fixture(scope="session")
def throwaway_redis():
    server = ThrowawayRedis()
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture
def redis_server(throwaway_redis):
    """The throwaway Redis, running at the start of the test and again at its end."""
    throwaway_redis.start()
    yield throwaway_redis
    throwaway_redis.start()


@pytest.fixture(scope="session")
def throwaway_postgres(django_db_setup, django_db_blocker):
    """A throwaway PostgreSQL holding a copy of the migrated test database (`lms`).

    Running the project's migrations on an empty server takes 141 s on the 2-core test
    machine (measured 2026-11-23); copying the schema and the rows the migrations create
    from pytest-django's freshly migrated test database takes about 5 s, so it is copied
    (pg_dump | pg_restore, as ops/backup.sh and ops/restore.sh do)."""
    with django_db_blocker.unblock():
        require_postgresql()
    server = ThrowawayPostgres()
    try:
        server.start()
        server.psql("CREATE DATABASE lms")
        source_url = database_url(connections["default"].settings_dict)
        dump = subprocess.Popen(
            [str(server.bin / "pg_dump"), "-Fc", "--no-owner", "--no-privileges", source_url],
            stdout=subprocess.PIPE,
        )
        restore = subprocess.run(
            [str(server.bin / "pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
             "-d", server.url("lms")],
            stdin=dump.stdout, capture_output=True, text=True, timeout=300,
        )
        dump.stdout.close()
        if dump.wait(300) != 0 or restore.returncode != 0:
            raise RuntimeError(f"copying the test database failed: {restore.stderr[-2000:]}")
        yield server
    finally:
        server.close()


def _close_old_connections(**kwargs) -> None:
    close_old_connections()


@contextlib.contextmanager
def default_database_at(server: ThrowawayPostgres, dbname: str = "lms"):
    """Point Django's default connection at the throwaway server for a while (services
    use the default connection); back to the test database afterwards, whatever happens."""
    connection = connections["default"]
    before = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST=server.host, PORT=str(server.port), NAME=dbname)
    # Django's test client unplugs close_old_connections from request_started/finished;
    # a WSGI server runs it around every request, and with CONN_HEALTH_CHECKS it is what
    # replaces a connection the database restart cut. Plug it back in, as production has it.
    request_started.connect(_close_old_connections)
    request_finished.connect(_close_old_connections)
    try:
        yield connection
    finally:
        request_started.disconnect(_close_old_connections)
        request_finished.disconnect(_close_old_connections)
        with contextlib.suppress(Exception):
            connection.close()
        connection.connection = None
        connection.settings_dict.clear()
        connection.settings_dict.update(before)


def _reset_producer_pools() -> None:
    # The app caches its connection and producer pools for the configured broker URL.
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture
def services_at(redis_server, settings):
    """Django's cache and Celery's broker on the throwaway Redis (as in production: the
    cache ignores Redis errors), jobs sent to a broker rather than run inline. The
    database stays the normal test database."""
    require_postgresql()
    import redis

    redis.Redis(port=redis_server.port).flushall()  # no message left by an earlier test
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "BACKEND": "lms.core.cache.RedisCache",
            "LOCATION": redis_server.url(0),
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
            "KEY_PREFIX": f"faults-{uuid.uuid4().hex[:8]}",
        }
    }
    settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    before = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    celery_app.conf.broker_url = redis_server.url(1)
    celery_app.conf.task_always_eager = False
    _reset_producer_pools()
    try:
        yield redis_server
    finally:
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = before
        _reset_producer_pools()
        for cache in caches.all(initialized_only=True):
            with contextlib.suppress(Exception):
                cache.close()


@contextlib.contextmanager
def thread_worker():
    """A real Celery worker in a thread of this process (as tests/lms/jobs/test_worker.py
    starts it), consuming from the broker the app points at."""
    from celery.contrib.testing.worker import start_worker

    with start_worker(celery_app, perform_ping_check=False, pool="solo", shutdown_timeout=10) as worker:
        yield worker


class WorkerProcess:
    """A Celery worker in its own process (tests/faults/slow_worker.py), which the test
    kills with SIGKILL while it is inside a job."""

    def __init__(self, *, broker_url: str, pause_in: str, marker: Path, media_root: Path, lease: int):
        db = connections["default"].settings_dict
        env = {k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"}
        env.update(
            DJANGO_SETTINGS_MODULE="lms.settings.test",
            DATABASE_URL=database_url(db),
            REDIS_URL=broker_url,
            CELERY_BROKER_URL=broker_url,
            PYTHONPATH=str(REPO),
        )
        self.marker = marker
        self.log = marker.with_suffix(".log")
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable, "-m", "tests.faults.slow_worker",
                    "--broker", broker_url, "--pause-in", pause_in, "--marker", str(marker),
                    "--media-root", str(media_root), "--lease", str(lease),
                ],
                cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )

    def wait_inside_job(self, timeout: float = 90) -> None:
        """Until the worker has entered the slowed-down part of the job."""
        try:
            wait_until(
                lambda: self.marker.exists() or self.process.poll() is not None, timeout, "the job to start"
            )
        except TimeoutError:
            raise TimeoutError(f"the worker never entered the job:\n{self.output()}") from None
        if not self.marker.exists():
            raise RuntimeError(f"the worker exited early:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def kill(self) -> None:
        """SIGKILL the worker's whole process group: no clean-up, no acknowledgement."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


@pytest.fixture
def worker_process(tmp_path, settings):
    started: list[WorkerProcess] = []

    def start(*, pause_in: str, lease: int = 2) -> WorkerProcess:
        worker = WorkerProcess(
            broker_url=celery_app.conf.broker_url,
            pause_in=pause_in,
            marker=tmp_path / f"inside-{pause_in}-{len(started)}",
            media_root=Path(settings.MEDIA_ROOT),
            lease=lease,
        )
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.kill()


def wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()
