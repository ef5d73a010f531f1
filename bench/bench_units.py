"""Benchmark: the unit loader and scope queries at national scale (80,000 villages).

Run against PostgreSQL (never in CI):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_bench .venv/bin/python bench/bench_units.py
It migrates that database, times `load_units` (first run and the idempotent re-run),
adds 80,000 villages with bulk inserts, then times "everything under a province" and
`units_visible_to` for a province and a commune officer, and prints the query plan.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.dev")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from lms.accounts.models import Role, User  # noqa: E402
from lms.accounts.selectors import units_visible_to  # noqa: E402
from lms.accounts.services import role_assign  # noqa: E402
from lms.places.models import AdministrativeUnit  # noqa: E402

VILLAGES = 80_000


def timed(fn, repeat=1):
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - start)
    return result, runs


def ms(runs):
    p95 = sorted(runs)[int(len(runs) * 0.95) - 1]
    return f"median {statistics.median(runs) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def main():
    call_command("migrate", verbosity=0)
    _, first = timed(lambda: call_command("load_units", stdout=open(os.devnull, "w")))
    _, second = timed(lambda: call_command("load_units", stdout=open(os.devnull, "w")))
    print(f"load_units: first run {first[0]:.1f} s, idempotent re-run {second[0]:.1f} s")

    communes = list(AdministrativeUnit.objects.current().filter(level="commune").values_list("id", "path"))
    existing = AdministrativeUnit.objects.filter(level="village", code__startswith="BENCH-").count()
    if existing < VILLAGES:
        AdministrativeUnit.objects.filter(level="village", code__startswith="BENCH-").delete()
        start = time.perf_counter()
        rows = []
        for i in range(VILLAGES):
            cid, _path = communes[i % len(communes)]
            rows.append(
                AdministrativeUnit(
                    name=f"Thôn {i}", name_folded=f"thon {i}", level="village", parent_id=cid,
                    code=f"BENCH-{i}", division_type="thôn",
                )
            )
        AdministrativeUnit.objects.bulk_create(rows, batch_size=5000)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE places_administrativeunit v SET path = c.path || v.id || '/' "
                "FROM places_administrativeunit c WHERE v.parent_id = c.id AND v.code LIKE 'BENCH-%%'"
            )
            cursor.execute("ANALYZE places_administrativeunit")
        print(f"inserted {VILLAGES} villages in {time.perf_counter() - start:.1f} s")
    total = AdministrativeUnit.objects.count()
    print(f"units in table: {total}")

    hanoi = AdministrativeUnit.objects.current().get(level="province", code="01")
    count, runs = timed(lambda: AdministrativeUnit.objects.within(hanoi).count(), repeat=50)
    print(f"within(Hà Nội).count() = {count}: {ms(runs)}")

    officer, _ = User.objects.get_or_create(username="bench-province-officer")
    role_assign(user=officer, role=Role.PROVINCE_OFFICER, unit=hanoi)
    count, runs = timed(lambda: units_visible_to(user=officer).count(), repeat=50)
    print(f"units_visible_to(province officer).count() = {count}: {ms(runs)}")

    commune = AdministrativeUnit.objects.current().get(level="commune", code="00004")
    c_officer, _ = User.objects.get_or_create(username="bench-commune-officer")
    role_assign(user=c_officer, role=Role.COMMUNE_OFFICER, unit=commune)
    count, runs = timed(lambda: list(units_visible_to(user=c_officer)), repeat=50)
    print(f"units_visible_to(commune officer) listed {len(count)} units: {ms(runs)}")

    with connection.cursor() as cursor:
        qs = AdministrativeUnit.objects.within(hanoi)
        sql, params = qs.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql.replace("SELECT", "SELECT", 1), params)
        print("plan:", " | ".join(row[0].strip() for row in cursor.fetchall()[:4]))


if __name__ == "__main__":
    main()
