"""Benchmark: 500 learners start, answer and submit the same final test at once.
Never run in CI.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_bench_quiz \
    REDIS_URL=redis://127.0.0.1:6379/9 .venv/bin/python bench/bench_final_test.py

Sets up once: 20 single-choice questions, a final test drawing 10 of them, 500 learners
with API tokens. Serves with gunicorn (2 workers x 8 threads, DEBUG off); 500 client
threads released by a barrier send the starts together, then save 10 answers each, then
submit together, through the JSON API (/api/v1/quizzes/…).
"""

import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.dev")
os.environ["DJANGO_DEBUG"] = "false"
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from wagtail.models import APIToken  # noqa: E402

from assessments.quizzes.models import Quiz  # noqa: E402
from assessments.quizzes.services import category_create, question_create, quiz_create  # noqa: E402

LEARNERS, PORT = 500, 8092
TOKENS_FILE = Path("/tmp/bench_final_test_tokens.json")


def setup() -> tuple[int, list[str]]:
    call_command("migrate", verbosity=0)
    quiz = Quiz.objects.filter(title="Bài kiểm tra cuối khoá (bench)").first()
    if quiz is None:
        category = category_create(name="An toàn trên mạng (bench)")
        for i in range(20):
            question_create(
                category=category, type="single_choice", text=f"Câu hỏi số {i}: mã OTP nên đưa cho ai?",
                choices=[{"text": "Không ai cả", "correct": True}, {"text": "Nhân viên ngân hàng"},
                         {"text": "Người gọi tự xưng công an"}, {"text": "Bạn bè"}],
            )
        quiz = quiz_create(
            title="Bài kiểm tra cuối khoá (bench)", pass_mark_percent=70, max_attempts=3,
            draw_rules=[{"category": category, "count": 10}],
        )
    if TOKENS_FILE.exists():
        tokens = json.loads(TOKENS_FILE.read_text())
    else:
        User = get_user_model()
        users = User.objects.bulk_create(
            [User(username=f"bench-quiz-{i}") for i in range(LEARNERS)], ignore_conflicts=True
        )
        users = list(User.objects.filter(username__startswith="bench-quiz-"))
        tokens = [APIToken.create_token(user=u, name="bench")[1] for u in users]
        TOKENS_FILE.write_text(json.dumps(tokens))
    return quiz.pk, tokens


def call(method: str, path: str, token: str, body: dict | None = None) -> tuple[int, float, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
    start = time.perf_counter()
    conn.request(method, path, body=json.dumps(body) if body is not None else None,
                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    response = conn.getresponse()
    data = response.read()
    elapsed = time.perf_counter() - start
    conn.close()
    try:
        payload = json.loads(data)
    except ValueError:
        payload = {}
    return response.status, elapsed, payload


def summary(name: str, results: list[tuple[int, float]], wall: float) -> str:
    lat = sorted(r[1] * 1000 for r in results)
    ok = sum(1 for r in results if 200 <= r[0] < 300)
    p = lambda q: lat[min(len(lat) - 1, int(len(lat) * q))]  # noqa: E731
    return (f"| {name} | {len(results)} | {ok} | {wall:.2f} | {len(results) / wall:.0f} | "
            f"{statistics.median(lat):.0f} | {p(0.95):.0f} | {p(0.99):.0f} | {lat[-1]:.0f} |")


def main() -> None:
    quiz_id, tokens = setup()
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "lms.wsgi", "--workers", "2", "--threads", "8",
         "--bind", f"127.0.0.1:{PORT}", "--log-level", "warning", "--backlog", "2048"],
        cwd=ROOT, env=os.environ.copy(),
    )
    phases: dict[str, list] = {"start": [], "save": [], "submit": []}
    walls: dict[str, float] = {}
    barrier = threading.Barrier(len(tokens) + 1)
    lock = threading.Lock()

    def learner(token: str) -> None:
        barrier.wait()
        status, t, paper = call("POST", f"/api/v1/quizzes/{quiz_id}/attempts", token)
        with lock:
            phases["start"].append((status, t))
        barrier.wait()
        attempt = paper.get("id")
        for q in paper.get("questions", []):
            s, t, _ = call("PUT", f"/api/v1/quizzes/attempts/{attempt}/responses/{q['id']}", token,
                           {"answer": {"choice": q["options"][0]["value"]}})
            with lock:
                phases["save"].append((s, t))
        barrier.wait()
        s, t, _ = call("POST", f"/api/v1/quizzes/attempts/{attempt}/submit", token)
        with lock:
            phases["submit"].append((s, t))
        barrier.wait()

    try:
        time.sleep(4)
        threads = [threading.Thread(target=learner, args=(tok,)) for tok in tokens]
        for th in threads:
            th.start()
        barrier.wait()  # everyone starts together …
        for phase in ("start", "save", "submit"):
            begin = time.perf_counter()
            barrier.wait()  # … and the phase ends when the last learner is done
            walls[phase] = time.perf_counter() - begin
        for th in threads:
            th.join()
        print("| phase | requests | 2xx | wall s | req/s | p50 ms | p95 ms | p99 ms | max ms |")
        print("|---|---|---|---|---|---|---|---|---|")
        for phase in ("start", "save", "submit"):
            print(summary(phase, phases[phase], walls[phase]))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
