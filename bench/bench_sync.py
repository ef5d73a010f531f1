"""Benchmark: receiving support visits (`visit_batch_sync`) on PostgreSQL. Never run in CI.

    createdb -h 127.0.0.1 -U postgres lms_h3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_h3 \
        .venv/bin/python bench/bench_sync.py [--batches 20] [--prefill 100000]

Sets up one village with 500 households (3 residents each, bulk insert) and a team
member, optionally pre-fills the visits table through the same service (untimed), then:
1. first sends: `--batches` batches of 500 new visits (2 activities each, one "done"
   with a status), timed per batch, with the number of SQL statements per batch;
2. re-sends of the same batches (every item "duplicate");
3. the same through HTTP (`POST /api/v1/visits/sync` with a device token, Django's test
   client in-process: JSON parsing and auth included, no network).
Prints visits per second (median batch) and the statement count.

The machine is shared, so besides wall time each batch's CPU time is measured on both
sides: this process (`time.process_time`) and its PostgreSQL backend (utime + stime from
/proc/<pg_backend_pid()>/stat; PostgreSQL must be on this host). "CPU-bound rate" is
500 / (client CPU + database CPU) per batch: what one sender would get from an idle
machine, the figure that noise from other processes does not inflate. DEBUG is off, as in
production (`--debug` keeps it on; the debug cursor then records every statement).
"""

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.dev")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from community_teams.models import Household, Resident, SupportVisit  # noqa: E402
from community_teams.services import device_register  # noqa: E402
from community_teams.sync import visit_batch_sync  # noqa: E402
from lms.accounts.models import Role, User  # noqa: E402
from lms.accounts.services import role_assign  # noqa: E402
from lms.places.models import AdministrativeUnit  # noqa: E402
from lms.places.services import unit_create  # noqa: E402

HOUSEHOLDS = 500
BATCH = 500
CODES = [
    "install_vneid",
    "open_payment_account",
    "scam_awareness",
    "smartphone_basics",
    "first_cashless_payment",
]


def setup():
    call_command("migrate", verbosity=0)
    village = AdministrativeUnit.objects.filter(name="Thôn Đo Tốc Độ", level="village").first()
    if village is None:
        province = unit_create(name="Tỉnh Đo Tốc Độ", level="province", code="B9", division_type="tỉnh")
        commune = unit_create(
            name="Xã Đo Tốc Độ", level="commune", parent=province, code="B9001", division_type="xã"
        )
        village = unit_create(name="Thôn Đo Tốc Độ", level="village", parent=commune, division_type="thôn")
    member, created = User.objects.get_or_create(username="bench-sync-member")
    role_assign(user=member, role=Role.TEAM_MEMBER, unit=village)
    if not Household.objects.filter(village=village).exists():
        households = [
            Household(village=village, label=f"Hộ {i}", consent_given=True, consent_purpose="đo")
            for i in range(HOUSEHOLDS)
        ]
        Household.objects.bulk_create(households)
        Resident.objects.bulk_create(
            [
                Resident(household=h, birth_year=1960 + (i % 40), sex="female")
                for h in households
                for i in range(3)
            ]
        )
    households = list(Household.objects.filter(village=village))
    residents: dict = {}
    for r in Resident.objects.filter(household__in=households):
        residents.setdefault(r.household_id, []).append(r)
    return member, households, residents


def make_batch(rng, households, residents, today) -> list[dict]:
    items = []
    for _ in range(BATCH):
        h = rng.choice(households)
        people = residents[h.pk]
        a, b = rng.sample(CODES, 2)
        items.append(
            {
                "id": str(uuid.uuid4()),
                "household_id": str(h.pk),
                "visited_on": (today - datetime.timedelta(days=rng.randint(0, 60))).isoformat(),
                "resident_ids": [str(p.pk) for p in people],
                "activities": [
                    {"code": a, "outcome": "done", "reason": "", "resident_id": str(people[0].pk)},
                    {"code": b, "outcome": "partly", "reason": "", "resident_id": str(people[1].pk)},
                ],
                "note": "",
                "location": {"lat": 21.03, "lon": 105.84},
                "replaces": None,
            }
        )
    return items


TICK = os.sysconf("SC_CLK_TCK")


def backend_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend process."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


@contextmanager
def statement_counter(counts: list):
    def count(execute, sql, params, many, context):
        counts[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        yield


def timed(fn):
    """(result, wall seconds, this process's CPU seconds, the backend's CPU seconds)"""
    db0, cpu0, start = backend_cpu(), time.process_time(), time.perf_counter()
    result = fn()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu0
    return result, wall, cpu, backend_cpu() - db0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--prefill", type=int, default=0, help="visits to insert first (untimed)")
    parser.add_argument("--debug", action="store_true", help="keep DEBUG on (slower: records SQL)")
    args = parser.parse_args()
    assert connection.vendor == "postgresql", "run on PostgreSQL (DATABASE_URL)"
    settings.DEBUG = args.debug
    member, households, residents = setup()
    rng = random.Random(7)
    today = timezone.localdate()

    have = SupportVisit.objects.count()
    while have < args.prefill:
        visit_batch_sync(member=member, device=None, items=make_batch(rng, households, residents, today))
        have += BATCH
    print(f"visits already in the table: {SupportVisit.objects.count():,}")
    load = os.getloadavg()

    batches = [make_batch(rng, households, residents, today) for _ in range(args.batches)]
    first, statements = [], []
    for items in batches:
        counts = [0]
        with statement_counter(counts):
            outcome, *sample = timed(
                lambda items=items: visit_batch_sync(member=member, device=None, items=items)
            )
        assert outcome.created == BATCH, outcome.created
        first.append(sample)
        statements.append(counts[0])
    again = []
    for items in batches:
        outcome, *sample = timed(
            lambda items=items: visit_batch_sync(member=member, device=None, items=items)
        )
        assert outcome.created == 0 and {r.status for r in outcome.results} == {"duplicate"}
        again.append(sample)

    device, token = device_register(user=member, name="bench")
    client = Client(HTTP_AUTHORIZATION=f"Device {token}")
    http_first, http_again = [], []
    # Warm up: the first request imports the URL configuration and the API (untimed).
    client.post(
        "/api/v1/visits/sync", data=json.dumps({"visits": batches[0]}), content_type="application/json"
    )
    for _ in range(max(3, args.batches // 2)):
        body = json.dumps({"visits": make_batch(rng, households, residents, today)})
        for bucket in (http_first, http_again):
            response, *sample = timed(
                lambda body=body: client.post(
                    "/api/v1/visits/sync", data=body, content_type="application/json"
                )
            )
            assert response.status_code == 200, response.content[:300]
            bucket.append(sample)

    def line(name, samples):
        wall = statistics.median(s[0] for s in samples)
        cpu = statistics.median(s[1] for s in samples)
        db = statistics.median(s[2] for s in samples)
        print(
            f"{name:<30} wall {wall * 1000:6.0f} ms/batch = {BATCH / wall:6.0f} visits/s | "
            f"CPU: client {cpu * 1000:4.0f} ms + db {db * 1000:4.0f} ms = "
            f"{BATCH / (cpu + db):6.0f} visits/s CPU-bound (median of {len(samples)})"
        )

    print(f"load average before: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    print(f"statements per first-send batch of {BATCH}: {statistics.median(statements):.0f}")
    line("service, first send", first)
    line("service, re-send (duplicates)", again)
    line("HTTP, first send", http_first)
    line("HTTP, re-send (duplicates)", http_again)
    print(f"visits in the table now: {SupportVisit.objects.count():,}; load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
