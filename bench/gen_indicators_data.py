"""Generate a national-shaped data set for the indicator benchmark, with bulk SQL on
PostgreSQL (generate_series, INSERT … SELECT). Never run in CI.

    createdb -h 127.0.0.1 -U postgres lms_h7_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_h7_bench .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_h7_bench \
        .venv/bin/python bench/gen_indicators_data.py [--fraction 1.0] [--villages-per-commune 24]

Shape at --fraction 1: 34 provinces, 3,321 communes, 24 villages per commune (79,704
villages, one active team each), 1,000,000 residents in 400,000 households, 5,000,000
visits over the last 12 months with one activity each and one status observation each.
A smaller --fraction keeps every unit (the tree stays national) and puts the households,
residents and visits in the first `fraction` of the villages (by id), at the same density
per village, so per-village costs are the national ones.
Prints what it made and how long each step took.

Speed: the loading session skips foreign-key triggers (`session_replication_role =
replica`; every id it writes comes from the rows it just wrote), the secondary indexes
of the big tables are dropped before the load and built again after it, and commits
are asynchronous. That is for an empty benchmark database only: never point it at data
you care about.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.dev")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from lms.accounts.models import User  # noqa: E402

PROVINCES, COMMUNES = 34, 3321
RESIDENTS, HOUSEHOLDS, VISITS = 1_000_000, 400_000, 5_000_000
# Activity code → the status a "done" records (community_teams/data/activities.json).
STATUS = [
    ("install_vneid", "vneid", "level1"),
    ("activate_vneid_level2", "vneid", "level2"),
    ("open_payment_account", "payment_account", "true"),
    ("smartphone_basics", "smartphone", "true"),
    ("file_online_public_service", "online_public_service", "true"),
    ("scam_awareness", "skill_online_safety", "with_help"),
    ("first_cashless_payment", "skill_cashless_payment", "with_help"),
    ("digital_signature", "digital_signature", "true"),
]


def step(name, sql, params=None):
    started = time.monotonic()
    with connection.cursor() as c:
        c.execute(sql, params) if params else c.execute(sql)
        rows = c.rowcount
    print(f"{name:<34} {rows:>10,} rows {time.monotonic() - started:8.1f} s", flush=True)


BIG_TABLES = (
    "community_teams_household",
    "community_teams_resident",
    "community_teams_supportvisit",
    "community_teams_visitactivity",
    "community_teams_statusobservation",
)


def secondary_indexes() -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the big tables' indexes that back no constraint."""
    with connection.cursor() as c:
        c.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.tablename = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname)""",
            [list(BIG_TABLES)],
        )
        return c.fetchall()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fraction", type=float, default=1.0)
    parser.add_argument("--villages-per-commune", type=int, default=24)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only (set DATABASE_URL)")
    vpc = args.villages_per_commune
    villages = COMMUNES * vpc
    used = max(1, int(villages * args.fraction))
    households = int(HOUSEHOLDS * args.fraction)
    residents = int(RESIDENTS * args.fraction)
    visits = int(VISITS * args.fraction)
    print(
        f"units 34/{COMMUNES}/{villages:,}; data in {used:,} villages: {households:,} households, "
        f"{residents:,} residents, {visits:,} visits"
    )
    t0 = time.monotonic()
    with connection.cursor() as c:
        c.execute("SET session_replication_role = replica")
        c.execute("SET synchronous_commit = off")
        c.execute("SET maintenance_work_mem = '512MB'")
        c.execute("SET work_mem = '128MB'")
    indexes = secondary_indexes()
    with connection.cursor() as c:
        for name, _definition in indexes:
            c.execute(f'DROP INDEX "{name}"')
    print(f"dropped {len(indexes)} secondary indexes of the big tables (built again at the end)")
    unit_cols = (
        "edition, code, name, name_folded, division_type, level, parent_id, path, source_flag, "
        "created_at, updated_at"
    )
    step(
        "provinces",
        f"""
        INSERT INTO places_administrativeunit ({unit_cols})
        SELECT '2025-07', 'BP' || lpad(g::text, 2, '0'), 'Tỉnh Bench ' || g, 'tinh bench ' || g, 'tỉnh',
               'province', NULL, '', '', now(), now()
        FROM generate_series(1, {PROVINCES}) g""",
    )
    step(
        "province paths",
        "UPDATE places_administrativeunit SET path = '/' || id || '/' "
        "WHERE level = 'province' AND code LIKE 'BP%%'",
    )
    step(
        "communes",
        f"""
        INSERT INTO places_administrativeunit ({unit_cols})
        SELECT '2025-07', 'BC' || lpad(g::text, 5, '0'), 'Xã Bench ' || g, 'xa bench ' || g, 'xã', 'commune',
               p.id, p.path, '', now(), now()
        FROM generate_series(1, {COMMUNES}) g
        JOIN places_administrativeunit p ON p.code = 'BP' || lpad((1 + (g - 1) % {PROVINCES})::text, 2, '0')
             AND p.level = 'province'""",
    )
    step(
        "commune paths",
        "UPDATE places_administrativeunit SET path = path || id || '/' "
        "WHERE level = 'commune' AND code LIKE 'BC%%'",
    )
    step(
        "villages",
        f"""
        INSERT INTO places_administrativeunit ({unit_cols})
        SELECT '2025-07', '', 'Thôn ' || v, 'thon ' || v, 'thôn', 'village', c.id, c.path || 'V', '',
               now(), now()
        FROM places_administrativeunit c, generate_series(1, {vpc}) v
        WHERE c.level = 'commune' AND c.code LIKE 'BC%%'""",
    )
    step(
        "village paths",
        "UPDATE places_administrativeunit SET path = replace(path, 'V', '') || id || '/' "
        "WHERE level = 'village' AND path LIKE '%%V'",
    )
    with connection.cursor() as c:
        c.execute(
            "DROP TABLE IF EXISTS bench_v; CREATE UNLOGGED TABLE bench_v AS "
            "SELECT row_number() OVER (ORDER BY v.id) AS rn, v.id, v.parent_id AS commune_id, "
            "c.parent_id AS province_id FROM places_administrativeunit v "
            "JOIN places_administrativeunit c ON c.id = v.parent_id "
            "WHERE v.level = 'village' AND c.code LIKE 'BC%%'; CREATE INDEX ON bench_v (rn)"
        )
    users = User.objects.bulk_create(
        [User(username=f"bench-member-{i}", email=f"bench{i}@bench.invalid") for i in range(50)],
        ignore_conflicts=True,
    )
    member_ids = list(User.objects.filter(username__startswith="bench-member-").values_list("id", flat=True))
    print(f"members: {len(member_ids)} ({len(users)} written)")
    step(
        "teams",
        """
        INSERT INTO community_teams_team (village_id, name, decision_number, active, created_at, updated_at)
        SELECT id, 'Tổ ' || rn, '', true, now(), now() FROM bench_v""",
    )
    step(
        "households",
        f"""
        INSERT INTO community_teams_household (id, village_id, label, address_hint, children_under_16,
            fibre_broadband, consent_given, consent_purpose, deleted, created_at, updated_at)
        SELECT gen_random_uuid(), v.id, 'Hộ ' || g, '', g % 3, g % 5 < 3, true, 'bench', false,
               now() - interval '1 day', now() - interval '1 day'
        FROM generate_series(0, {households - 1}) g JOIN bench_v v ON v.rn = 1 + g % {used}""",
    )
    with connection.cursor() as c:
        c.execute(
            "DROP TABLE IF EXISTS bench_h; CREATE UNLOGGED TABLE bench_h AS "
            "SELECT row_number() OVER (ORDER BY h.id) - 1 AS rn, h.id, h.village_id, v.commune_id, "
            "v.province_id FROM community_teams_household h JOIN bench_v v ON v.id = h.village_id; "
            "CREATE INDEX ON bench_h (rn)"
        )
    step(
        "residents",
        f"""
        INSERT INTO community_teams_resident (id, household_id, birth_year, sex, deleted, created_at,
            updated_at)
        SELECT gen_random_uuid(), h.id, 1945 + (g * 7) % 65,
               CASE WHEN g % 2 = 0 THEN 'female' ELSE 'male' END,
               false, now() - interval '1 day', now() - interval '1 day'
        FROM generate_series(0, {residents - 1}) g JOIN bench_h h ON h.rn = g % {households}""",
    )
    with connection.cursor() as c:
        c.execute(
            "DROP TABLE IF EXISTS bench_r; CREATE UNLOGGED TABLE bench_r AS "
            "SELECT DISTINCT ON (household_id) household_id, id FROM community_teams_resident "
            "ORDER BY household_id, id; CREATE INDEX ON bench_r (household_id)"
        )
        c.execute("SELECT id, code FROM community_teams_activity")
        activity_ids = dict((code, pk) for pk, code in c.fetchall())
    cases = " ".join(f"WHEN {i} THEN {activity_ids[code]}" for i, (code, _f, _v) in enumerate(STATUS))
    fields = " ".join(f"WHEN {i} THEN '{f}'" for i, (_c, f, _v) in enumerate(STATUS))
    values = " ".join(f"WHEN {i} THEN '{v}'" for i, (_c, _f, v) in enumerate(STATUS))
    members = "ARRAY[" + ",".join(str(m) for m in member_ids) + "]"
    step(
        "visits",
        f"""
        INSERT INTO community_teams_supportvisit (id, content_hash, member_id, household_id, visited_on,
            village_id, commune_id, province_id, note, flagged, flag_reason, received_at)
        SELECT gen_random_uuid(), 'bench', ({members})[1 + g % {len(member_ids)}], h.id,
               current_date - (g * 13) % 360, h.village_id, h.commune_id, h.province_id, '', false, '',
               now() - interval '1 day'
        FROM generate_series(0, {visits - 1}) g JOIN bench_h h ON h.rn = (g::bigint * 7919) % {households}""",
    )
    step(
        "visit activities",
        f"""
        INSERT INTO community_teams_visitactivity (visit_id, activity_id, outcome, reason, resident_id,
            visited_on, village_id, commune_id, province_id)
        SELECT s.id, CASE abs(hashtext(s.id::text)) % {len(STATUS)} {cases} END, 'done', '', r.id,
               s.visited_on, s.village_id, s.commune_id, s.province_id
        FROM community_teams_supportvisit s JOIN bench_r r ON r.household_id = s.household_id
        WHERE s.content_hash = 'bench'""",
    )
    step(
        "status observations",
        f"""
        INSERT INTO community_teams_statusobservation (resident_id, household_id, field, value, observed_on,
            source, visit_id, village_id, commune_id, province_id, created_at)
        SELECT r.id, s.household_id, CASE abs(hashtext(s.id::text)) % {len(STATUS)} {fields} END,
               CASE abs(hashtext(s.id::text)) % {len(STATUS)} {values} END, s.visited_on, 'visit', s.id,
               s.village_id, s.commune_id, s.province_id, now() - interval '1 day'
        FROM community_teams_supportvisit s JOIN bench_r r ON r.household_id = s.household_id
        WHERE s.content_hash = 'bench'""",
    )
    for name, definition in indexes:
        step(f"index {name}"[:34], definition)
    with connection.cursor() as c:
        c.execute("SET session_replication_role = DEFAULT")
        c.execute("DROP TABLE IF EXISTS bench_v, bench_h, bench_r")
    step("analyze", "ANALYZE")
    print(f"total {time.monotonic() - t0:.1f} s")


if __name__ == "__main__":
    main()
