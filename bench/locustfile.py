"""Whole-system load test (Locust). Never run in CI; see docs/performance.md,
"Whole-system load test", for the commands and the figures.

    .venv-bench/bin/locust -f bench/locustfile.py --host http://127.0.0.1:8100 \
        --headless -u 200 -r 10 -t 3m --csv /tmp/load

Reads the credentials written by bench/prepare_load.py (LOAD_CREDENTIALS, default
/tmp/load_credentials.json). The mix, by number of simulated users (weights):
- anonymous visitors browse the catalogue and course pages (30);
- learners read lessons and save their progress through the API (40);
- learners sit the final test together: every user waits for the next whole minute,
  then starts, answers every question and submits (5);
- civil servants open their required training (10);
- training managers open the compliance dashboard, officers the indicator dashboards (8);
- team members' phones send batches of 500 visits with a device token, and now and then
  re-send one (a lost answer) (2).
"""

import itertools
import json
import os
import random
import time
import uuid
from datetime import date, timedelta

from locust import HttpUser, between, task

DATA = json.loads(open(os.environ.get("LOAD_CREDENTIALS", "/tmp/load_credentials.json")).read())
COURSES = DATA["courses"]
_learners = itertools.cycle(DATA["learners"])
_quiz_takers = itertools.cycle(DATA["learners"][::-1])  # the other end of the pool
_civil = itertools.cycle(DATA["civil_servants"] or [None])
_managers = itertools.cycle(DATA["training_managers"] or [None])
_officers = itertools.cycle(DATA["officers"] or [None])
_teams = itertools.cycle(DATA["team_members"] or [None])
CODES = [
    "install_vneid",
    "open_payment_account",
    "scam_awareness",
    "smartphone_basics",
    "first_cashless_payment",
]


def signed_in(user: HttpUser, session: str) -> None:
    user.client.cookies.set("sessionid", session)


def answer_for(question: dict) -> dict:
    """An answer of the shape the question's type takes (assessments/quizzes/api.py AnswerIn)."""
    values = [o["value"] for o in question.get("options") or []] or [0]
    kind = question.get("type", "")
    if kind == "multiple_choice":
        return {"choices": random.sample(values, k=random.randint(1, len(values)))}
    if kind == "ordering":
        return {"order": random.sample(values, k=len(values))}
    if kind == "matching":
        return {"pairs": {p["key"]: random.choice(values) for p in question.get("prompts") or []}}
    if kind == "numeric":
        return {"value": str(random.randint(0, 10))}
    if kind == "short_text":
        return {"text": "không biết"}
    return {"choice": random.choice(values)}


class AnonymousVisitor(HttpUser):
    weight = 30
    wait_time = between(3, 10)

    @task(3)
    def catalogue(self):
        self.client.get(DATA.get("catalogue_url", "/"), name="catalogue (anonymous)")

    @task(2)
    def course(self):
        self.client.get(random.choice(COURSES)["url"], name="course page (anonymous)")

    @task(1)
    def home(self):
        self.client.get("/", name="home (anonymous)")


class Learner(HttpUser):
    weight = 40
    wait_time = between(5, 15)

    def on_start(self):
        self.me = next(_learners)
        signed_in(self, self.me["session"])
        self.course = random.choice(COURSES)
        self.position = 0

    @task(1)
    def course_page(self):
        self.client.get(self.course["url"], name="course page (learner)")

    @task(4)
    def read_lesson_and_save(self):
        lessons = self.course["lessons"]
        if not lessons:
            return
        lesson = lessons[self.position % len(lessons)]
        self.position += 1
        self.client.get(lesson["url"], name="lesson page (learner)")
        self.client.post(
            f"/api/v1/courses/lessons/{lesson['id']}/complete",
            json={"seconds": random.randint(60, 600)},
            headers={"Authorization": f"Bearer {self.me['token']}"},
            name="API lesson complete",
        )

    @task(1)
    def dashboard(self):
        self.client.get("/hoc-tap/", name="learner dashboard")


class FinalTestTaker(HttpUser):
    """Everyone starts at the next whole minute: the burst of a scheduled final test."""

    weight = 5
    wait_time = between(0, 1)

    @task
    def sit_the_test(self):
        course = next((c for c in COURSES if c.get("final_quiz_id")), None)
        if course is None:
            time.sleep(60)
            return
        time.sleep(60 - time.time() % 60)
        me = next(_quiz_takers)
        auth = {"Authorization": f"Bearer {me['token']}"}
        quiz = course["final_quiz_id"]
        with self.client.post(
            f"/api/v1/quizzes/{quiz}/attempts", headers=auth, name="API final test start", catch_response=True
        ) as response:
            if response.status_code != 200:
                # No attempt left for this learner (max attempts): not a server fault.
                if response.status_code in (403, 409, 422):
                    response.success()
                return
            paper = response.json()
        for question in paper.get("questions", []):
            self.client.put(
                f"/api/v1/quizzes/attempts/{paper['id']}/responses/{question['id']}",
                json={"answer": answer_for(question)},
                headers=auth,
                name="API final test save answer",
            )
        self.client.post(
            f"/api/v1/quizzes/attempts/{paper['id']}/submit", headers=auth, name="API final test submit"
        )


class CivilServant(HttpUser):
    weight = 10
    wait_time = between(5, 20)

    def on_start(self):
        me = next(_civil)
        if me:
            signed_in(self, me["session"])

    @task
    def required_training(self):
        self.client.get("/boi-duong/cua-toi/", name="my required training")


class Manager(HttpUser):
    weight = 8
    wait_time = between(5, 20)

    def on_start(self):
        self.manager = next(_managers)
        self.officer = next(_officers)

    @task(1)
    def compliance(self):
        if self.manager is None:
            return
        signed_in(self, self.manager["session"])
        self.client.get("/boi-duong/tuan-thu/", name="compliance dashboard")

    @task(1)
    def indicators(self):
        if self.officer is None:
            return
        signed_in(self, self.officer["session"])
        unit = self.officer.get("unit_id")
        if unit:
            self.client.get(f"/chi-so/don-vi/{unit}/", name="indicator dashboard (unit)")
        else:
            self.client.get("/chi-so/toan-quoc/", name="indicator dashboard (nation)")


class TeamPhone(HttpUser):
    weight = 2
    wait_time = between(20, 40)

    def on_start(self):
        self.me = next(_teams)
        self.last = None

    def batch(self) -> list[dict]:
        households = self.me["households"]
        ids = list(households)
        today = date.today()
        items = []
        for _ in range(500):
            hh = random.choice(ids)
            people = households[hh]
            a, b = random.sample(CODES, 2)
            items.append(
                {
                    "id": str(uuid.uuid4()),
                    "household_id": hh,
                    "visited_on": (today - timedelta(days=random.randint(0, 30))).isoformat(),
                    "resident_ids": people[:3],
                    "activities": [
                        {"code": a, "outcome": "done", "reason": "", "resident_id": people[0]},
                        {"code": b, "outcome": "partly", "reason": "", "resident_id": people[-1]},
                    ],
                    "note": "",
                    "location": {"lat": 21.03, "lon": 105.84},
                    "replaces": None,
                }
            )
        return items

    @task
    def sync(self):
        if self.me is None:
            return
        auth = {"Authorization": f"Device {self.me['device_token']}"}
        if self.last is not None and random.random() < 0.2:
            body, name = self.last, "API visit sync, re-send (500)"
        else:
            body, name = {"visits": self.batch()}, "API visit sync, first send (500)"
        with self.client.post(
            "/api/v1/visits/sync", json=body, headers=auth, name=name, catch_response=True
        ) as response:
            if response.status_code == 200:
                statuses = {r["status"] for r in response.json()["results"]}
                if statuses - {"created", "duplicate"}:
                    response.failure(f"unexpected item statuses {statuses}")
        self.last = body
