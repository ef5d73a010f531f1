"""Benchmark: assigning a province-wide training plan and refreshing its assignments.

Run against PostgreSQL (never in CI):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_bench .venv/bin/python bench/bench_training.py [staff]
It migrates that database, loads DigComp 2.2, bulk-inserts a Sở with 60 agencies and
`staff` people (default 20,000) with employments and competence evidence for half of
them, then times plan_create (assign everyone + first refresh), a full re-refresh in
batches of 2,000 (what the nightly job does), one person's refresh after new evidence,
employment_move of one person, and the "my required training" selector.
"""

import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.dev")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from assessments.loading import frameworks_load  # noqa: E402
from assessments.models import Competence, Evidence  # noqa: E402
from courses.training.models import Employment, PlanAssignment, TrainingPlan  # noqa: E402
from courses.training.selectors import my_training_context  # noqa: E402
from courses.training.services import assignments_refresh, employment_move, plan_create  # noqa: E402
from lms.accounts.models import Role, RoleAssignment, User  # noqa: E402
from lms.organisations.models import Agency  # noqa: E402
from lms.organisations.services import agency_create  # noqa: E402

STAFF = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
PREFIX = "bench-tr-"


def timed(label, fn):
    start = time.perf_counter()
    result = fn()
    print(f"{label}: {time.perf_counter() - start:.2f} s")
    return result


def setup():
    root = Agency.objects.filter(code="BENCH-TR-SO").first() or agency_create(
        code="BENCH-TR-SO", name="Sở bench"
    )
    agencies = list(Agency.objects.filter(code__startswith="BENCH-TR-A"))
    for i in range(len(agencies), 60):
        agencies.append(agency_create(code=f"BENCH-TR-A{i:02d}", name=f"Đơn vị {i}", parent=root))
    have = User.objects.filter(username__startswith=PREFIX).count()
    if have < STAFF:
        rng = random.Random(1)
        start = time.perf_counter()
        users = User.objects.bulk_create(
            [
                User(username=f"{PREFIX}{i:07d}", email=f"{PREFIX}{i}@bench.test", full_name=f"Người {i}")
                for i in range(have, STAFF)
            ],
            batch_size=5000,
        )
        day = datetime.date(timezone.localdate().year, 1, 1)
        roles = RoleAssignment.objects.bulk_create(
            [
                RoleAssignment(user=u, role=Role.CIVIL_SERVANT, agency=agencies[u.pk % 60], valid_from=day)
                for u in users
            ],
            batch_size=5000,
        )
        Employment.objects.bulk_create(
            [
                Employment(
                    user=u,
                    agency=agencies[u.pk % 60],
                    category="cong_chuc",
                    valid_from=day,
                    role_assignment=r,
                )
                for u, r in zip(users, roles, strict=True)
            ],
            batch_size=5000,
        )
        competence = Competence.objects.get(framework__code="digcomp-2.2", code="4.2")
        Evidence.objects.bulk_create(
            [
                Evidence(
                    person=u,
                    competence=competence,
                    level=rng.choice([1, 2, 3, 4]),
                    method="quiz",
                    date=timezone.localdate(),
                    source_type="bench",
                )
                for u in users[::2]
            ],
            batch_size=5000,
        )
        print(
            f"bulk insert of {len(users)} staff, employments, roles, evidence: "
            f"{time.perf_counter() - start:.1f} s"
        )
    return root


def main():
    call_command("migrate", verbosity=0)
    frameworks_load()
    root = setup()
    TrainingPlan.objects.filter(agency=root).delete()
    today = timezone.localdate()
    plan = timed(
        f"plan_create + assign + refresh ({STAFF} people)",
        lambda: plan_create(
            name="Bench",
            year=today.year,
            agency=root,
            deadline=today + datetime.timedelta(days=30),
            competence_levels={"digcomp-2.2:4.2": 3, "digcomp-2.2:1.1": 2},
        ),
    )
    ids = list(PlanAssignment.objects.filter(plan=plan).values_list("pk", flat=True))
    print(
        "assignments:",
        len(ids),
        "statuses:",
        dict(
            PlanAssignment.objects.filter(plan=plan)
            .values_list("status")
            .annotate(n=django.db.models.Count("pk"))
        ),
    )

    def nightly():
        for i in range(0, len(ids), 2000):
            assignments_refresh(assignment_ids=ids[i : i + 2000])

    timed("full refresh in batches of 2,000 (nightly job)", nightly)
    person = User.objects.filter(username__startswith=PREFIX).order_by("pk").first()
    timed("one person's refresh", lambda: assignments_refresh(assignment_ids=ids[:1]))
    with transaction.atomic():
        target = Agency.objects.filter(code="BENCH-TR-A59").get()
        timed("employment_move of one person", lambda: employment_move(user=person, agency=target, on=today))
        transaction.set_rollback(True)
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        my_training_context(user=person)
        took = time.perf_counter() - start
    print(f"my_training_context: {took * 1000:.1f} ms, {len(ctx)} queries")


if __name__ == "__main__":
    main()
