"""Benchmark: catalogue, course and lesson pages with 200 courses and 100,000 enrolments,
next to a bare Wagtail page of the same site. Never run in CI.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_bench_courses \
    REDIS_URL=redis://127.0.0.1:6379/9 .venv/bin/python bench/bench_courses.py [--cpu]

Sets up the database once (migrate, demo site, 200 courses cloned from the demo JSON,
50,000 learners and 100,000 enrolments by bulk insert), then serves the site with
gunicorn (2 workers x 4 threads, DEBUG off) and loads each page with wrk
(16 connections, BENCH_SECONDS s, default 10; wrk runs on the same 2-core machine).

The pages are loaded one after the other, BENCH_REPS times (default 3), in the same
run against the same server; each repetition's throughput is divided by the bare page's
in that repetition, and the median of those ratios is printed (the machine is shared,
so a ratio taken seconds apart is steadier than a rate). The load average is printed
before and after. Beside the rates, the CPU time the gunicorn processes spent per request
(from /proc, server side only) gives each page's cost on a core of its own; its ratio
to the bare page's is the throughput ratio on an otherwise idle machine, and it is the
steadier figure when other work shares the cores.

With `--cpu` no server is started: each page is requested in this process through
Django's test client (same settings, database and Redis), BENCH_REQUESTS times
(default 100) per page and repetition, pages interleaved, and the CPU time of the
process per request is measured (time.process_time: waiting for PostgreSQL and Redis,
and other programs on the machine, are not counted). Each repetition's ratio is the
bare page's CPU time divided by the page's; the median is printed. This is the figure
that survives a machine shared with other work.

COURSES_ROUTE_CACHE=false in the environment turns off the route cache of catalogue,
course and lesson pages (courses.routing), to measure what it is worth.
"""

import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.dev")
os.environ["DJANGO_DEBUG"] = "false"
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from content.demo import demo_site_build  # noqa: E402
from courses.demo import DEMO_DIR, catalogue_get_or_create, course_build  # noqa: E402
from courses.models import CoursePage, Enrolment, LessonPage  # noqa: E402

COURSES, LEARNERS, ENROLMENTS = 200, 50_000, 100_000
PORT = 8091


def setup() -> None:
    call_command("migrate", verbosity=0)
    demo_site_build()
    index, _ = catalogue_get_or_create()
    have = CoursePage.objects.count()
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(DEMO_DIR.glob("*.json"))]
    start = time.perf_counter()
    for i in range(have, COURSES):
        data = dict(docs[i % len(docs)])
        data["slug"] = f"{data['slug']}-{i}"
        data["title"] = f"{data['title']} ({i})"
        with transaction.atomic():
            course_build(index=index, data=data)
    if COURSES > have:
        print(f"built {COURSES - have} courses in {time.perf_counter() - start:.0f} s")
    User = get_user_model()
    if Enrolment.objects.count() < ENROLMENTS:
        start = time.perf_counter()
        User.objects.bulk_create(
            [User(username=f"bench-{i}", full_name=f"Học viên {i}") for i in range(LEARNERS)],
            batch_size=5000, ignore_conflicts=True,
        )
        learners = list(User.objects.filter(username__startswith="bench-").values_list("id", flat=True))
        courses = list(CoursePage.objects.values_list("id", flat=True))
        # Learner i % L takes course (i * 7 + i // L) % C: every (learner, course) pair distinct.
        rows = [
            Enrolment(
                learner_id=learners[i % len(learners)],
                course_id=courses[(i * 7 + i // len(learners)) % len(courses)],
            )
            for i in range(ENROLMENTS)
        ]
        Enrolment.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
        print(f"inserted learners and enrolments in {time.perf_counter() - start:.0f} s")
    print(f"courses={CoursePage.objects.count()} lessons={LessonPage.objects.count()} "
          f"enrolments={Enrolment.objects.count()}")


def learner_cookie(course: CoursePage) -> str:
    User = get_user_model()
    user, _ = User.objects.get_or_create(username="bench-learner", defaults={"full_name": "Bench"})
    Enrolment.objects.get_or_create(learner=user, course=course)
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.save()
    return f"sessionid={session.session_key}"


REPS = int(os.environ.get("BENCH_REPS", "3"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))


def server_cpu_seconds(pid: int) -> float:
    """User + system CPU time of the gunicorn master and its workers so far."""
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    total = 0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


def wrk(url: str, cookie: str = "") -> dict:
    cmd = ["wrk", "-t2", "-c16", f"-d{SECONDS}s", "-s", str(ROOT / "bench/percentiles.lua"), url]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    line = next(raw for raw in out.splitlines() if raw.startswith("RESULT"))
    return dict(re.findall(r"(\w+)=([\d.]+)", line))  # rps, p50, p95, p99, requests, errors, non2xx


def main() -> None:
    setup()
    course = CoursePage.objects.live().order_by("pk")[5]
    lesson = LessonPage.objects.live().descendant_of(course).order_by("path").first()
    cookie = learner_cookie(course)
    base = f"http://127.0.0.1:{PORT}"
    targets = [
        ("bare Wagtail page (/gioi-thieu/)", base + "/gioi-thieu/", ""),
        ("bare Wagtail page, learner signed in", base + "/gioi-thieu/", cookie),
        ("catalogue, anonymous", base + course.get_parent().url, ""),
        ("catalogue, learner", base + course.get_parent().url, cookie),
        ("course page, anonymous", base + course.url, ""),
        ("course page, enrolled learner", base + course.url, cookie),
        ("lesson page, enrolled learner", base + lesson.url, cookie),
    ]
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "lms.wsgi", "--workers", "2", "--threads", "4",
         "--bind", f"127.0.0.1:{PORT}", "--log-level", "warning"],
        cwd=ROOT, env=os.environ.copy(),
    )
    try:
        time.sleep(4)
        print(f"route cache: {'on' if settings.COURSES_ROUTE_CACHE else 'off'}")
        print(f"load average before: {os.getloadavg()}")
        for _name, url, ck in targets:
            for _ in range(3):  # warm every cache the page uses
                subprocess.run(["curl", "-fs", "-o", "/dev/null", "-b", ck, url], check=True)
        results: dict[str, list[dict]] = {name: [] for name, _url, _ck in targets}
        for rep in range(REPS):
            for name, url, ck in targets:
                before = server_cpu_seconds(server.pid)
                result = wrk(url, ck)
                requests = max(1, int(float(result["requests"])))
                result["cpu_ms"] = 1000 * (server_cpu_seconds(server.pid) - before) / requests
                results[name].append(result)
            print(f"repetition {rep + 1}: " + ", ".join(
                f"{name.split(' (')[0]} {results[name][-1]['rps']}" for name, _u, _c in targets), flush=True)
        print(f"load average after: {os.getloadavg()}")
        bare = targets[0][0]
        print("| page | req/s (median) | ratio to bare page (median; each rep) "
              "| server CPU ms per request (median) | CPU ratio to bare page (median; each rep) "
              "| p50 ms | p95 ms | p99 ms | errors |")
        print("|---|---|---|---|---|---|---|---|---|")
        for name, _url, _ck in targets:
            runs = results[name]
            ratios = [float(r["rps"]) / float(b["rps"]) for r, b in zip(runs, results[bare], strict=True)]
            mid = sorted(runs, key=lambda r: float(r["rps"]))[len(runs) // 2]
            errors = sum(int(float(r["errors"])) + int(float(r["non2xx"])) for r in runs)
            each = ", ".join(f"{x:.2f}" for x in ratios)
            cpu_ratios = [b["cpu_ms"] / r["cpu_ms"] for r, b in zip(runs, results[bare], strict=True)]
            cpu_each = ", ".join(f"{x:.2f}" for x in cpu_ratios)
            cpu_ms = statistics.median(r["cpu_ms"] for r in runs)
            print(f"| {name} | {mid['rps']} | {statistics.median(ratios):.2f} ({each}) "
                  f"| {cpu_ms:.1f} | {statistics.median(cpu_ratios):.2f} ({cpu_each}) "
                  f"| {mid['p50']} | {mid['p95']} | {mid['p99']} | {errors} |")
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def cpu_main() -> None:
    from django.db import connection
    from django.test import Client

    setup()
    course = CoursePage.objects.live().order_by("pk")[5]
    lesson = LessonPage.objects.live().descendant_of(course).order_by("path").first()
    anonymous, learner = Client(), Client()
    learner.cookies.load(learner_cookie(course))
    targets = [
        ("bare Wagtail page (/gioi-thieu/)", anonymous, "/gioi-thieu/"),
        ("bare Wagtail page, learner signed in", learner, "/gioi-thieu/"),
        ("catalogue, anonymous (cached)", anonymous, course.get_parent().url),
        ("catalogue, learner", learner, course.get_parent().url),
        ("course page, anonymous (cached)", anonymous, course.url),
        ("course page, enrolled learner", learner, course.url),
        ("lesson page, enrolled learner", learner, lesson.url),
    ]
    count = int(os.environ.get("BENCH_REQUESTS", "100"))
    queries: dict[str, int] = {}
    for name, client, url in targets:
        for _ in range(3):
            assert client.get(url, HTTP_HOST="127.0.0.1").status_code == 200, url
        seen: list[str] = []

        def record(execute, sql, *args, seen=seen):
            seen.append(sql)
            return execute(sql, *args)

        with connection.execute_wrapper(record):
            client.get(url, HTTP_HOST="127.0.0.1")
        queries[name] = len(seen)
    print(f"route cache: {'on' if settings.COURSES_ROUTE_CACHE else 'off'}")
    print(f"load average before: {os.getloadavg()}")
    cpu: dict[str, list[float]] = {name: [] for name, _c, _u in targets}
    for _rep in range(REPS):
        for name, client, url in targets:
            start = time.process_time()
            for _ in range(count):
                client.get(url, HTTP_HOST="127.0.0.1")
            cpu[name].append(1000 * (time.process_time() - start) / count)
    print(f"load average after: {os.getloadavg()}")
    bare = targets[0][0]
    print("| page | queries | CPU ms per request (median) | ratio to bare page (median; each rep) |")
    print("|---|---|---|---|")
    for name, _c, _u in targets:
        ratios = [b / x for x, b in zip(cpu[name], cpu[bare], strict=True)]
        each = ", ".join(f"{r:.2f}" for r in ratios)
        print(f"| {name} | {queries[name]} | {statistics.median(cpu[name]):.1f} "
              f"| {statistics.median(ratios):.2f} ({each}) |")


if __name__ == "__main__":
    cpu_main() if "--cpu" in sys.argv else main()
