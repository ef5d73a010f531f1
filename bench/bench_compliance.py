"""Benchmark: the compliance dashboard of a 60,000-staff province from rollups, and the
full rollup rebuild, at national scale (issue 5: 2 million staff, 20 million enrolments).

Run against a throwaway PostgreSQL database whose name contains "bench" (never in CI):

    createdb -h 127.0.0.1 -U postgres lms_bench_compliance
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_bench_compliance \\
        BENCH_STAFF=2000000 BENCH_ENROLMENTS_PER_STAFF=10 .venv/bin/python bench/bench_compliance.py

Everything is generated with INSERT … SELECT generate_series (no per-row services):
provinces of 221 agencies each (province → 20 departments → 5 divisions each, and 100
communes), the first province holding BENCH_PROVINCE_STAFF (60,000) people and the others
~32,000 each; one employment per person (5 % moved agency on 15 June: two rows), one
yearly plan per province and one assignment per person (30 % completed, 10 % of those
late, 20 % in progress, rest not started, 1 % exempt, 1 % extended), one evidence record
per person, and BENCH_ENROLMENTS_PER_STAFF enrolment rows per person over the demo
courses (8 current, the rest earlier unenrolments). Then it times the full rebuild,
an incremental refresh of one unit, and the dashboard selector and page for the
province (median and p95 of 20 runs, query count), next to a live count that scans the
province's assignments (what the rollups avoid). The data is wiped at the start;
BENCH_REUSE=1 measures again on the data already there.
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

import datetime  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection, models  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from assessments.loading import frameworks_load  # noqa: E402
from assessments.models import Competence, Evidence, Framework, TargetLevel, TargetProfile  # noqa: E402
from courses.compliance.selectors import compliance_for_agency  # noqa: E402
from courses.compliance.services import rollups_rebuild, rollups_recompute  # noqa: E402
from courses.models import CoursePage, Enrolment  # noqa: E402
from courses.training.models import (  # noqa: E402
    Employment,
    PlanAssignment,
    Position,
    PositionTarget,
    TrainingPlan,
)
from lms.accounts.middleware import SESSION_OK  # noqa: E402
from lms.accounts.models import Role, User  # noqa: E402
from lms.accounts.services import role_assign  # noqa: E402
from lms.organisations.models import Agency  # noqa: E402

STAFF = int(os.environ.get("BENCH_STAFF", 2_000_000))
PROVINCE_STAFF = int(os.environ.get("BENCH_PROVINCE_STAFF", 60_000))
ENROLMENTS_PER_STAFF = int(os.environ.get("BENCH_ENROLMENTS_PER_STAFF", 10))
PER_PROVINCE = 32_000
DEPARTMENTS, DIVISIONS, COMMUNES = 20, 5, 100
YEAR = timezone.localdate().year


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def timed(fn, repeat=1):
    runs, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - start)
    return result, runs


def ms(runs):
    p95 = sorted(runs)[max(int(len(runs) * 0.95) - 1, 0)]
    return f"median {statistics.median(runs) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def sql(statement: str, params=()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def insert_select(model, source: str, given: dict[str, str | tuple[str, list]], params=()) -> int:
    """INSERT INTO <model> (every column) SELECT <given exprs or the field default> FROM <source>.
    A given expression with placeholders comes as (expr, params); `params` fill `source`."""
    cols, exprs, values = [], [], []
    for f in model._meta.concrete_fields:
        if f.primary_key and f.column not in given:
            continue
        cols.append(f'"{f.column}"')
        if f.column in given:
            expr = given[f.column]
            if isinstance(expr, tuple):
                expr, expr_params = expr
                values.extend(expr_params)
            exprs.append(expr)
        elif isinstance(f, models.DateTimeField | models.DateField) and (f.auto_now or f.auto_now_add):
            exprs.append("now()")
        elif f.null and not f.has_default():
            exprs.append("NULL")
        else:
            exprs.append("%s")
            values.append(f.get_db_prep_save(f.get_default(), connection))
    statement = (f"INSERT INTO {model._meta.db_table} ({', '.join(cols)}) "
                 f"SELECT {', '.join(exprs)} FROM {source}")
    return sql(statement, [*values, *params])


def wipe() -> None:
    tables = [m._meta.db_table for m in (Enrolment, Evidence, PlanAssignment, TrainingPlan, Employment,
                                         PositionTarget, Position)]
    sql(f"TRUNCATE {', '.join(tables)}, compliance_assignmentrollup, compliance_monthrollup, "
        "compliance_competencerollup, compliance_arearollup, compliance_staffrollup, compliance_dirtyagency, "
        "compliance_rollupstate CASCADE")
    sql("DELETE FROM accounts_roleassignment WHERE user_id IN (SELECT id FROM accounts_user "
        "WHERE username LIKE 'bench%%')")
    sql("DELETE FROM accounts_user WHERE username LIKE 'bench%%'")
    sql("DELETE FROM organisations_agency WHERE code LIKE 'BENCH-%%' AND parent_id IS NOT NULL "
        "AND path ~ '^/[0-9]+/[0-9]+/[0-9]+/'")
    sql("DELETE FROM organisations_agency WHERE code LIKE 'BENCH-%%' AND parent_id IS NOT NULL "
        "AND path ~ '^/[0-9]+/[0-9]+/'")
    sql("DELETE FROM organisations_agency WHERE code LIKE 'BENCH-%%'")


def agencies_build(provinces: int) -> None:
    """Province roots, departments, divisions and communes, with materialised paths."""
    insert_select(Agency, "generate_series(0, %s) p", {
        "code": "'BENCH-P' || p", "name": "'Tỉnh thử ' || p", "name_folded": "'tinh thu ' || p",
        "path": "''", "parent_id": "NULL"}, [provinces - 1])
    sql("UPDATE organisations_agency SET path = '/' || id || '/' WHERE code LIKE 'BENCH-P%%'")
    insert_select(Agency, "organisations_agency a, generate_series(1, %s) d WHERE a.code LIKE 'BENCH-P%%'", {
        "code": "a.code || '-S' || d", "name": "'Sở ' || d || ' ' || a.name", "name_folded": "'so ' || d",
        "path": "''", "parent_id": "a.id"}, [DEPARTMENTS])
    insert_select(Agency, "organisations_agency a, generate_series(1, %s) c WHERE a.code LIKE 'BENCH-P%%' "
                  "AND a.parent_id IS NULL", {
                      "code": "a.code || '-X' || c", "name": "'UBND xã ' || c",
                      "name_folded": "'ubnd xa ' || c",
                      "path": "''", "parent_id": "a.id"}, [COMMUNES])
    sql("UPDATE organisations_agency c SET path = p.path || c.id || '/' FROM organisations_agency p "
        "WHERE c.parent_id = p.id AND c.code LIKE 'BENCH-%%' AND c.path = ''")
    departments = "organisations_agency a, generate_series(1, %s) v WHERE a.code ~ '^BENCH-P[0-9]+-S'"
    insert_select(Agency, departments, {
        "code": "a.code || '-D' || v", "name": "'Phòng ' || v", "name_folded": "'phong ' || v",
        "path": "''", "parent_id": "a.id"}, [DIVISIONS])
    sql("UPDATE organisations_agency c SET path = p.path || c.id || '/' FROM organisations_agency p "
        "WHERE c.parent_id = p.id AND c.code LIKE 'BENCH-%%' AND c.path = ''")
    # Leaves (divisions and communes), numbered per province, for the staff formulas.
    sql("DROP TABLE IF EXISTS bench_leaf")
    sql("CREATE UNLOGGED TABLE bench_leaf AS SELECT a.id AS agency_id, "
        "split_part(a.path, '/', 2)::bigint AS province_id, "
        "(row_number() OVER (PARTITION BY split_part(a.path, '/', 2) ORDER BY a.id)) - 1 AS n "
        "FROM organisations_agency a WHERE a.code ~ '^BENCH-P[0-9]+-(S[0-9]+-D|X)'")
    sql("CREATE UNLOGGED TABLE IF NOT EXISTS bench_province AS "
        "SELECT 0 AS k, 0::bigint AS province_id LIMIT 0")
    sql("TRUNCATE bench_province")
    sql("INSERT INTO bench_province SELECT (row_number() OVER (ORDER BY id)) - 1, id "
        "FROM organisations_agency "
        "WHERE code LIKE 'BENCH-P%%' AND parent_id IS NULL")
    sql("CREATE INDEX ON bench_leaf (province_id, n)")
    sql("ANALYZE organisations_agency")


def staff_build(provinces: int) -> None:
    leaves = DIVISIONS * DEPARTMENTS + COMMUNES
    # Person g (1…STAFF): province k = 0 for the first PROVINCE_STAFF, then spread evenly.
    sql("DROP TABLE IF EXISTS bench_person")
    sql("CREATE UNLOGGED TABLE bench_person AS SELECT g, "
        "CASE WHEN g <= %s THEN 0 ELSE 1 + (g %% %s) END AS k FROM generate_series(1, %s) g",
        [PROVINCE_STAFF, max(provinces - 1, 1), STAFF])
    insert_select(User, "bench_person", {
        "username": "'bench' || g", "email": "'bench' || g || '@bench.test'", "password": "'!'",
        "full_name": "'Cán bộ thử ' || g"})
    sql("DROP TABLE IF EXISTS bench_staff")
    sql("CREATE UNLOGGED TABLE bench_staff AS SELECT u.id AS user_id, p.g, p.k, bp.province_id, "
        "l.agency_id, l2.agency_id AS old_agency_id FROM bench_person p "
        "JOIN accounts_user u ON u.username = 'bench' || p.g "
        "JOIN bench_province bp ON bp.k = p.k "
        "JOIN bench_leaf l ON l.province_id = bp.province_id AND l.n = p.g %% %s "
        "JOIN bench_leaf l2 ON l2.province_id = bp.province_id AND l2.n = (p.g + 1) %% %s", [leaves, leaves])
    sql("CREATE INDEX ON bench_staff (user_id)")
    sql("ANALYZE bench_staff")


def training_build() -> None:
    frameworks_load()
    framework = Framework.objects.get(code="digcomp-2.2")
    competences = list(Competence.objects.filter(framework=framework).order_by("code")[:12])
    profiles = []
    for i in range(5):
        profile, _ = TargetProfile.objects.get_or_create(code=f"bench-{i}", defaults={
            "framework": framework, "name": f"Bench {i}", "year": YEAR})
        TargetLevel.objects.filter(target=profile).delete()
        TargetLevel.objects.bulk_create(
            TargetLevel(target=profile, competence=c, level=2 + (i + j) % 3)
            for j, c in enumerate(competences[i:i + 4]))
        profiles.append(profile)
    insert_select(Position, "bench_province bp, generate_series(0, 4) i", {
        "agency_id": "bp.province_id", "code": "'vt-' || i", "name": "'Vị trí ' || i",
        "name_folded": "'vi tri ' || i"})
    for i, profile in enumerate(profiles):
        insert_select(PositionTarget, "training_position p WHERE p.code = %s", {
            "position_id": "p.id", "year": str(YEAR), "profile_id": str(profile.pk), "updated_by_id": "NULL"},
            [f"vt-{i}"])
    sql("DROP TABLE IF EXISTS bench_position")
    sql("CREATE UNLOGGED TABLE bench_position AS SELECT p.agency_id AS province_id, "
        "substr(p.code, 4)::int AS i, p.id FROM training_position p")
    sql("CREATE INDEX ON bench_position (province_id, i)")
    jun15 = datetime.date(YEAR, 6, 15)
    # Employments: 5 % (g % 20 = 0) moved on 15 June from the neighbouring leaf.
    insert_select(Employment, "bench_staff s JOIN bench_position bp ON bp.province_id = s.province_id "
                  "AND bp.i = s.g %% 5", {
                      "user_id": "s.user_id", "agency_id": "s.agency_id", "position_id": "bp.id",
                      "category": "CASE WHEN s.g %% 4 = 0 THEN 'vien_chuc' ELSE 'cong_chuc' END",
                      "valid_from": ("CASE WHEN s.g %% 20 = 0 THEN %s::date ELSE %s::date END",
                                     [jun15, datetime.date(YEAR - 3, 1, 1)]),
                      "valid_to": "NULL", "role_assignment_id": "NULL", "created_by_id": "NULL"})
    insert_select(Employment, "bench_staff s JOIN bench_position bp ON bp.province_id = s.province_id "
                  "AND bp.i = s.g %% 5 WHERE s.g %% 20 = 0", {
                      "user_id": "s.user_id", "agency_id": "s.old_agency_id", "position_id": "bp.id",
                      "category": "'cong_chuc'", "valid_from": ("%s::date", [datetime.date(YEAR - 3, 1, 1)]),
                      "valid_to": ("%s::date", [jun15 - datetime.timedelta(days=1)]),
                      "role_assignment_id": "NULL", "created_by_id": "NULL"})
    deadline = datetime.date(YEAR, 10, 31)
    dec31 = datetime.date(YEAR, 12, 31)
    insert_select(TrainingPlan, "bench_province bp", {
        "name": "'Bồi dưỡng kỹ năng số ' || bp.k", "year": str(YEAR), "agency_id": "bp.province_id",
        "deadline": ("%s::date", [deadline]), "recurs_yearly": "true", "previous_id": "NULL",
        "created_by_id": "NULL"})
    # Status by g % 100: 0–29 completed (0–2 late), 30–49 in progress, 99 exempt, rest not started;
    # g % 100 = 98 extended to 31 December.
    insert_select(PlanAssignment, "bench_staff s JOIN training_trainingplan p ON p.agency_id = s.province_id "
                  "AND p.year = %s JOIN bench_position bp ON bp.province_id = s.province_id "
                  "AND bp.i = s.g %% 5", {
                      "plan_id": "p.id", "user_id": "s.user_id", "agency_id": "s.agency_id",
                      "position_id": "bp.id",
                      "category": "CASE WHEN s.g %% 4 = 0 THEN 'vien_chuc' ELSE 'cong_chuc' END",
                      "assigned_on": ("%s::date", [datetime.date(YEAR, 1, 15)]),
                      "due_on": ("CASE WHEN s.g %% 100 = 98 THEN %s::date ELSE p.deadline END", [dec31]),
                      "due_before": ("(CASE WHEN s.g %% 100 = 98 THEN %s::date ELSE p.deadline END + 1)"
                                     "::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'", [dec31]),
                      "status": "CASE WHEN s.g %% 100 < 30 THEN 'completed' WHEN s.g %% 100 < 50 THEN "
                                "'in_progress' WHEN s.g %% 100 = 99 THEN 'exempt' ELSE 'not_started' END",
                      "items_required": "2",
                      "items_done": "CASE WHEN s.g %% 100 < 30 THEN 2 WHEN s.g %% 100 < 50 THEN 1 ELSE 0 END",
                      "completed_at": ("CASE WHEN s.g %% 100 < 3 THEN %s::timestamptz "
                                       "+ (s.g %% 20) * interval '1 day' "
                                       "WHEN s.g %% 100 < 30 THEN %s::timestamptz "
                                       "+ (s.g %% 270) * interval '1 day' END",
                                       [timezone.make_aware(datetime.datetime(YEAR, 11, 1, 9)),
                                        timezone.make_aware(datetime.datetime(YEAR, 1, 20, 9))]),
                      "extended_to": ("CASE WHEN s.g %% 100 = 98 THEN %s::date END", [dec31]),
                      "left_on": "NULL", "exempt_by_id": "NULL", "extended_by_id": "NULL"},
                  [YEAR])
    comp_ids = [c.pk for c in competences]
    insert_select(Evidence, "bench_staff s", {
        "person_id": "s.user_id", "competence_id": f"(ARRAY{comp_ids})[1 + s.g %% {len(comp_ids)}]",
        "level": "1 + s.g %% 4", "method": "'quiz'", "date": ("%s::date", [datetime.date(YEAR, 3, 1)]),
        "supersedes_id": "NULL", "recorded_by_id": "NULL"})


def enrolments_build() -> int:
    if not CoursePage.objects.exists():
        from content.demo import demo_site_build
        from courses.demo import demo_courses_create

        demo_site_build()
        demo_courses_create()
    courses = list(CoursePage.objects.order_by("pk").values_list("pk", flat=True))
    current = min(len(courses), ENROLMENTS_PER_STAFF)
    sql("DROP TABLE IF EXISTS bench_course")
    sql("CREATE UNLOGGED TABLE bench_course (n int, course_id bigint)")
    for n, pk in enumerate(courses):
        sql("INSERT INTO bench_course VALUES (%s, %s)", [n, pk])
    total = 0
    for e in range(ENROLMENTS_PER_STAFF):
        status = ("CASE WHEN s.g %% 3 = 0 THEN 'completed' ELSE 'active' END" if e < current
                  else "'unenrolled'")
        source = f"bench_staff s JOIN bench_course c ON c.n = (s.g + {e}) %% {len(courses)}"
        total += insert_select(Enrolment, source, {
            "learner_id": "s.user_id", "course_id": "c.course_id", "status": status,
            "ended_at": "CASE WHEN %s THEN now() END" % ("true" if e >= current else "false"),
            "completed_at": "NULL", "last_lesson_id": "NULL"})
        log(f"  enrolments: {total:,}")
    return total


def main() -> None:
    name = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or "bench" not in name:
        sys.exit("Run against a PostgreSQL database whose name contains 'bench' (it is wiped).")
    call_command("migrate", verbosity=0)
    provinces = 1 + max(1, -(-(STAFF - PROVINCE_STAFF) // PER_PROVINCE))
    if os.environ.get("BENCH_REUSE") == "1":
        log("BENCH_REUSE=1: measuring on the data already generated")
        return measure()
    log(f"scale: {STAFF:,} staff in {provinces} provinces, {ENROLMENTS_PER_STAFF} enrolments each; "
        f"year {YEAR}")
    wipe()
    started = time.perf_counter()
    _, runs = timed(lambda: agencies_build(provinces))
    log(f"agencies: {Agency.objects.filter(code__startswith='BENCH-').count():,} in {runs[0]:.1f} s")
    _, runs = timed(lambda: staff_build(provinces))
    log(f"users: {STAFF:,} in {runs[0]:.1f} s")
    _, runs = timed(training_build)
    log(f"employments {Employment.objects.count():,}, assignments {PlanAssignment.objects.count():,}, "
        f"evidence {Evidence.objects.count():,} in {runs[0]:.1f} s")
    total, runs = timed(enrolments_build)
    log(f"enrolments: {total[0] if isinstance(total, list) else total:,} in {runs[0]:.1f} s")
    sql("ANALYZE")
    log(f"data generated in {time.perf_counter() - started:.0f} s")
    measure()


def measure() -> None:
    log(f"rows: {User.objects.filter(username__startswith='bench').count():,} staff, "
        f"{PlanAssignment.objects.count():,} assignments, {Employment.objects.count():,} employments, "
        f"{Evidence.objects.count():,} evidence, {Enrolment.objects.count():,} enrolments")

    results, runs = timed(lambda: rollups_rebuild(years=[YEAR]))
    result = results[0]
    log(f"FULL REBUILD: {result.assignments:,} assignments → {result.rows:,} rollup rows in {runs[0]:.1f} s")

    province = Agency.objects.get(code="BENCH-P0")
    unit = Agency.objects.filter(path__startswith=province.path, children__isnull=True).order_by("pk").first()
    _, runs = timed(lambda: rollups_recompute(year=YEAR, agency_ids=[unit.pk]), repeat=5)
    log(f"incremental refresh of one unit ({unit.name}): {ms(runs)}")

    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        report = compliance_for_agency(agency=province, year=YEAR)
    log(f"province {province.name}: assigned {report.totals.assigned:,}, overdue {report.totals.overdue:,}, "
        f"{len(report.children)} child agencies, {len(queries)} queries")
    _, runs = timed(lambda: compliance_for_agency(agency=province, year=YEAR), repeat=20)
    log(f"DASHBOARD SELECTOR (rollups) for the province: {ms(runs)}")

    manager = User.objects.filter(username="bench-manager").first() or User.objects.create(
        username="bench-manager", email="bench-manager@bench.test")
    if not manager.role_assignments.filter(role=Role.TRAINING_MANAGER).exists():
        role_assign(user=manager, role=Role.TRAINING_MANAGER, agency=province)
    client = Client()
    client.force_login(manager)
    session = client.session  # signed in with the second factor, as staff must be
    session[SESSION_OK] = True
    session.save()
    url = reverse("compliance:agency", args=[province.pk])
    client.get(url)  # the session's first request also loads site settings
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    _, runs = timed(lambda: client.get(url), repeat=20)
    log(f"DASHBOARD PAGE (HTTP, in process) for the province: {ms(runs)}, {len(queries)} queries")

    def live_count():
        return PlanAssignment.objects.filter(agency__path__startswith=province.path, plan__year=YEAR).values(
            "status").annotate(n=Count("id"))

    _, runs = timed(lambda: list(live_count()), repeat=5)
    log(f"for comparison, a live GROUP BY over the province's assignments: {ms(runs)}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('courses_enrolment')), "
                       "pg_size_pretty(pg_total_relation_size('training_planassignment')), "
                       "pg_size_pretty(pg_total_relation_size('compliance_assignmentrollup') + "
                       "pg_total_relation_size('compliance_monthrollup'))")
        log("sizes: enrolments {}, assignments {}, rollups {}".format(*cursor.fetchone()))


if __name__ == "__main__":
    main()
