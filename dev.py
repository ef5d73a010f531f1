#!/usr/bin/env python3
"""One entry point for a newcomer: `python3 dev.py run` and `python3 dev.py test`.

Needs only Python 3.11+. Creates .venv, installs the requirements (again only when they
change), then:
  run    migrate an embedded SQLite database, load units and demo data, serve :8000
  setup  the same, without serving
  test   install the test requirements and run pytest on every core (arguments are passed on)
  check  ruff, Django's system checks and the missing-migrations check
Environment variables (DATABASE_URL, REDIS_URL, ...) are passed through unchanged.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")


def sh(*args: str | Path, env: dict | None = None) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    result = subprocess.run([str(a) for a in args], cwd=ROOT, env=env)
    if result.returncode:
        sys.exit(result.returncode)


def ensure_venv(requirements: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be started by an older python3
        sys.exit(f"Python 3.11 or newer is needed (found {sys.version.split()[0]}).")
    if not PY.exists():
        print(f"Creating {VENV} …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    req = ROOT / "requirements" / requirements
    digest = hashlib.sha256()
    for name in sorted((ROOT / "requirements").glob("*.txt")):
        digest.update(name.read_bytes())
    stamp = VENV / f".installed-{requirements}"
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        return
    sh(PY, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", req)
    stamp.write_text(digest.hexdigest())


def manage(*args: str, env: dict | None = None) -> None:
    sh(PY, "manage.py", *args, env=env)


def setup() -> None:
    ensure_venv("base.txt")
    manage("migrate", "--noinput")
    manage("load_units")
    if os.environ.get("DJANGO_SETTINGS_MODULE", "").endswith("production"):
        print("Production settings: demo data not loaded.", flush=True)
    else:
        manage("load_demo_data")


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else "run"
    rest = sys.argv[2:]
    if command == "run":
        setup()
        print("\nServing http://127.0.0.1:8000 (Ctrl+C to stop)", flush=True)
        manage("runserver", "127.0.0.1:8000", *rest)
    elif command == "setup":
        setup()
    elif command == "test":
        ensure_venv("dev.txt")
        # One pytest process per core (pytest-xdist) unless told otherwise (-n 0: one).
        workers = [] if any(a == "-n" or a.startswith("-n") for a in rest) else ["-n", "auto"]
        sh(PY, "-m", "pytest", *workers, *rest)
    elif command == "check":
        ensure_venv("dev.txt")
        sh(BIN / "ruff", "check", ".")
        manage("check")
        manage("makemigrations", "--check", "--dry-run")
    else:
        sys.exit(f"Unknown command {command!r}: use run, setup, test or check.")


if __name__ == "__main__":
    main()
