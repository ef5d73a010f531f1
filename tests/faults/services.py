"""Throwaway PostgreSQL and Redis servers that fault tests may really stop and restart.

Never the shared servers on 5432/6379: each server here is started by the test session on
a free port, in a temporary directory, and stopped and deleted when the session ends (also
when a test fails). Without the binaries the tests are skipped with the reason, except
when CI=true: there they fail, so CI can never pass by skipping (tests/services.py).

PostgreSQL 15's binaries are looked for in PG_BIN (default /usr/lib/postgresql/15/bin).
``initdb`` refuses to run as root: as root the server runs as the ``postgres`` user.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.services import _missing

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), 0.5):
            return True
    except OSError:
        return False


def wait_until(predicate, timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    if not predicate():
        raise TimeoutError(f"timed out waiting for {what}")


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the test process dies, even if it is killed
    before its clean-up runs (Linux; elsewhere the session's clean-up is all there is)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def require_redis_server() -> str:
    if not os.access(REDIS_SERVER, os.X_OK):
        _missing("fault tests need redis-server (apt-get install redis-server)")
    return REDIS_SERVER


def require_pg_binaries() -> Path:
    for name in ("initdb", "pg_ctl", "postgres"):
        if not os.access(PG_BIN / name, os.X_OK):
            _missing(f"fault tests need PostgreSQL 15 binaries in {PG_BIN} (set PG_BIN): {name} is missing")
    return PG_BIN


class ThrowawayRedis:
    """A redis-server on a free port, nothing saved to disk; stop() really stops it."""

    def __init__(self) -> None:
        self.binary = require_redis_server()
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="lms-faults-redis-"))
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        if self.running:
            return
        log = open(self.dir / "redis.log", "ab")  # noqa: SIM115 - kept open by the child
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--dir", str(self.dir),
                "--databases", "4",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
        log.close()
        wait_until(lambda: port_open(self.port) or not self.running, 15, f"redis-server on {self.port}")
        if not self.running:
            raise RuntimeError(f"redis-server did not start: {(self.dir / 'redis.log').read_text()[-2000:]}")

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL) and wait until the port is closed."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None
        wait_until(lambda: not port_open(self.port), 10, f"port {self.port} to close")

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class ThrowawayPostgres:
    """A PostgreSQL 15 cluster in a temporary directory on a free port (trust auth, user
    postgres, no fsync: it is thrown away). restart() really stops and starts the server,
    ending every connection, as a crash or a maintenance restart does."""

    def __init__(self) -> None:
        self.bin = require_pg_binaries()
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="lms-faults-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            shutil.chown(self.root, user="postgres", group="postgres")
        self._run(
            [
                str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
            ]
        )

    def _run(self, cmd: list[str], check: bool = True) -> subprocess.CompletedProcess:
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if check and result.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    @property
    def host(self) -> str:
        return "127.0.0.1"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} "
            # fsync off: a crash of the server process (restart -m immediate) loses nothing,
            # the WAL is in the OS's cache. synchronous_commit must stay on: off, a commit
            # returns before its WAL is written and an immediate restart loses it (seen).
            "-c fsync=off"
        )
        self._run(
            [str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options,
             "-w", "start"]
        )

    def stop(self, mode: str = "fast") -> None:
        self._run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"], check=False)

    def restart(self, mode: str = "immediate") -> None:
        """Stop (immediate: like a crash, every open transaction is lost) and start again."""
        self.stop(mode)
        wait_until(lambda: not port_open(self.port), 10, f"port {self.port} to close")
        self.start()

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        result = subprocess.run(
            [str(self.bin / "psql"), "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-c", sql,
             self.url(dbname)],
            capture_output=True, text=True, timeout=120,
        )
        if result.returncode != 0:
            raise RuntimeError(f"psql failed: {result.stderr}")
        return result.stdout.strip()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
