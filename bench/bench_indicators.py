"""Benchmark: indicator rollups and dashboards on the data set of gen_indicators_data.py.
Never run in CI.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_h7_bench \
        .venv/bin/python bench/bench_indicators.py [--months 12] [--batch 500] [--skip-rebuild]

1. full rebuild (`rollups_rebuild`, what the nightly job runs), timed, with each step of
   the new-table-and-swap (rebuild_sql.py) and the number of villages and rollup rows;
   then a second rebuild with nothing changed (what most nights are: unchanged rows
   keep their computed_at);
2. incremental: one batch of `--batch` visits through `visit_batch_sync` (a member of the
   villages of one commune), then `rollups_refresh` (the job: watermark → touched
   villages → recompute → re-sum their commune, province, nation), timed, with each
   phase's time and rows written; repeated 3 times;
3. dashboards: nation, a province, a commune, a village (as a national officer, Django's
   test client in-process), `--runs` requests each after one warm-up: median, p95, queries.
"""

import argparse
import datetime
import functools
import logging
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.dev")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from community_teams.indicators import services  # noqa: E402
from community_teams.indicators.models import Level, Rollup  # noqa: E402
from community_teams.indicators.services import rollups_rebuild, rollups_refresh  # noqa: E402
from community_teams.models import Household, Resident  # noqa: E402
from community_teams.sync import visit_batch_sync  # noqa: E402
from lms.accounts.middleware import SESSION_OK  # noqa: E402
from lms.accounts.models import Role, User  # noqa: E402
from lms.accounts.services import role_assign  # noqa: E402
from lms.places.models import AdministrativeUnit  # noqa: E402


def timed(fn, *args, **kwargs):
    started = time.monotonic()
    result = fn(*args, **kwargs)
    return time.monotonic() - started, result


PHASES: dict[str, list] = {}


def instrument(name):
    """Time every call of services.<name> (and keep what it returns: rows written)."""
    original = getattr(services, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        started = time.monotonic()
        result = original(*args, **kwargs)
        PHASES.setdefault(name, []).append((time.monotonic() - started, result))
        return result

    setattr(services, name, wrapper)


def phases_report():
    for name, calls in PHASES.items():
        seconds = sum(t for t, _r in calls)
        written = [r for _t, r in calls if isinstance(r, int)]
        extra = f", {sum(written):,} rows written" if written and ("write" in name or "resum" in name) else ""
        print(f"    {name:<24} {seconds:7.2f} s in {len(calls)} call(s){extra}")
    PHASES.clear()


def p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--skip-rebuild", action="store_true")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    steps = logging.getLogger("community_teams.indicators.rebuild_sql")  # the rebuild's steps
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("    %(message)s"))
    steps.addHandler(handler)
    steps.setLevel(logging.INFO)
    steps.propagate = False
    today = timezone.localdate()
    first = (today.replace(day=1) - datetime.timedelta(days=31 * (args.months - 1))).replace(day=1)
    settings.INDICATORS_FIRST_MONTH = f"{first:%Y-%m}"
    settings.DEBUG = False
    print(f"PostgreSQL: {connection.cursor().connection.info.server_version}; periods from {first:%Y-%m}")
    with connection.cursor() as c:
        for table in (
            "places_administrativeunit",
            "community_teams_household",
            "community_teams_resident",
            "community_teams_supportvisit",
            "community_teams_statusobservation",
        ):
            c.execute(f"SELECT count(*) FROM {table}")
            print(f"  {table}: {c.fetchone()[0]:,}")

    for name in (
        "_villages_write",
        "_villages_write_sql",
        "_communes_resum",
        "_legacy_write",
        "_provinces_resum",
        "_nation_resum",
        "quality_flags_detect",
        "villages_touched_since",
    ):
        instrument(name)
    if not args.skip_rebuild:
        for label in ("full rebuild", "full rebuild again (nothing changed)"):
            seconds, villages = timed(rollups_rebuild)
            rows = Rollup.objects.count()
            print(
                f"{label}: {villages:,} villages, {rows:,} rollup rows in {seconds:.1f} s "
                f"({seconds / max(villages, 1) * 1000:.2f} ms per village)",
                flush=True,
            )
            phases_report()

    # Incremental: a batch of new visits in the villages of one commune.
    household = Household.objects.filter(residents__isnull=False).order_by("village_id").first()
    commune = household.village.parent
    villages = list(AdministrativeUnit.objects.filter(parent=commune, level="village"))
    member, _c = User.objects.get_or_create(
        username="bench-indicators-member", defaults={"email": "bench-ind@bench.invalid"}
    )
    for v in villages:
        role_assign(user=member, role=Role.TEAM_MEMBER, unit=v, valid_from=datetime.date(2025, 1, 1))
    homes = list(Household.objects.filter(village__in=villages).values_list("id", flat=True))
    people: dict = {}
    for rid, hid in Resident.objects.filter(household_id__in=homes).values_list("id", "household_id"):
        people.setdefault(hid, []).append(rid)
    homes = [h for h in homes if h in people]
    rng = random.Random(7)
    codes = ["install_vneid", "open_payment_account", "smartphone_basics", "scam_awareness"]
    for round_ in range(3):
        items = []
        for _i in range(args.batch):
            hid = rng.choice(homes)
            items.append(
                {
                    "id": str(uuid.uuid4()),
                    "household_id": str(hid),
                    "visited_on": (today - datetime.timedelta(days=rng.randint(0, 300))).isoformat(),
                    "resident_ids": [str(r) for r in people[hid]],
                    "activities": [
                        {
                            "code": rng.choice(codes),
                            "outcome": "done",
                            "reason": "",
                            "resident_id": str(rng.choice(people[hid])),
                        }
                    ],
                    "note": "",
                    "location": None,
                    "replaces": None,
                }
            )
        sync_s, outcome = timed(visit_batch_sync, member=member, device=None, items=items)
        refresh_s, touched = timed(rollups_refresh)
        print(
            f"batch {round_ + 1}: sync {outcome.created} visits in {sync_s:.2f} s; incremental refresh "
            f"of {touched} villages (+ their commune, province, nation) in {refresh_s:.2f} s",
            flush=True,
        )
        phases_report()

    national, _c = User.objects.get_or_create(
        username="bench-national", defaults={"email": "bn@bench.invalid"}
    )
    if not national.role_assignments.filter(role=Role.NATIONAL_OFFICER).exists():
        role_assign(user=national, role=Role.NATIONAL_OFFICER, valid_from=datetime.date(2025, 1, 1))
    client = Client()
    client.force_login(national)
    session = client.session  # signed in with the second factor, as staff must be
    session[SESSION_OK] = True
    session.save()
    q = f"?chi-so=digital_identity&ky={today:%Y-%m}"
    province = commune.parent
    for name, url in (
        ("nation", reverse("indicators:nation")),
        ("province", reverse("indicators:unit", args=[province.pk])),
        ("commune", reverse("indicators:unit", args=[commune.pk])),
        ("village", reverse("indicators:unit", args=[villages[0].pk])),
        ("village list", reverse("indicators:list", args=[villages[0].pk])),
        ("export province xlsx", reverse("indicators:export", args=[province.pk, "xlsx"])),
    ):
        client.get(url + q)
        times, queries = [], 0
        for _i in range(args.runs):
            with CaptureQueriesContext(connection) as ctx:
                t, response = timed(client.get, url + q)
            assert response.status_code == 200, (url, response.status_code)
            times.append(t)
            queries = len(ctx.captured_queries)
        print(
            f"dashboard {name:<22} median {statistics.median(times) * 1000:7.1f} ms, "
            f"p95 {p95(times) * 1000:7.1f} ms over {len(times)} runs, {queries} queries, "
            f"{len(response.content) // 1024} KB",
            flush=True,
        )
    print(
        "rollup rows by level:",
        dict(
            (lvl, Rollup.objects.filter(level=lvl).count())
            for lvl in (Level.VILLAGE, Level.COMMUNE, Level.PROVINCE, Level.NATION)
        ),
    )


if __name__ == "__main__":
    main()
