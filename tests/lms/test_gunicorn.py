"""gunicorn.conf.py for real: a gunicorn started with it serves /healthz, logs JSON access
lines with the request id, and on SIGTERM finishes the request in flight before it exits."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, headers: dict | None = None) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, dict(response.headers), response.read().decode()


def _wait_until_serving(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90  # boot on a loaded 2-core machine; not a speed check
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read()
        try:
            _get(url)
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not start serving")


def test_gunicorn_serves_logs_json_and_finishes_requests_on_sigterm(tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    marker = tmp_path / "slow-started"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.lms.gunicorn_settings",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "2",
        "SLOW_MARKER": str(marker),
        "SLOW_SECONDS": "1.5",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        _wait_until_serving(f"{base}/healthz", proc)
        status, headers, body = _get(f"{base}/healthz", {"X-Request-ID": "lb-4f2a9c"})
        assert (status, json.loads(body)) == (200, {"status": "ok"})
        assert headers["X-Request-ID"] == "lb-4f2a9c"

        slow: dict = {}

        def fetch_slow() -> None:
            try:
                slow["status"], _, slow["body"] = _get(f"{base}/slow/")
            except Exception as exc:  # reported by the assertion below
                slow["error"] = repr(exc)

        thread = threading.Thread(target=fetch_slow)
        thread.start()
        while not marker.exists():
            assert proc.poll() is None and thread.is_alive(), slow
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)  # what systemd or the orchestrator sends on a deploy
        thread.join(60)
        assert slow == {"status": 200, "body": "done"}
        assert proc.wait(60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    out, err = proc.stdout.read(), proc.stderr.read()

    access = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    healthz = [
        line for line in access if line.get("path") == "/healthz" and line.get("request_id") == "lb-4f2a9c"
    ]
    assert healthz, out
    assert healthz[0]["status"] == 200 and healthz[0]["method"] == "GET"
    assert healthz[0]["logger"] == "gunicorn.access" and "duration_ms" in healthz[0]
    assert [line["status"] for line in access if line.get("path") == "/slow/"] == [200]
    errors = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert errors[0]["logger"] == "gunicorn.error" and errors[0]["message"].startswith("Starting gunicorn")
    assert any(line["message"].startswith("Shutting down") for line in errors), err
