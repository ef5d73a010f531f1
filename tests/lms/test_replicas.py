"""Read replicas (lms.core.replicas): dashboards and exports read from a replica when one
is configured; every other view, every write, and everything without a replica stays on
the primary.

The "replica" alias of the test settings mirrors the test database (TEST MIRROR), so it
is a second connection to the same data: which connection ran a query shows where the
router sent it. The view tests are transactional because a mirror connection does not see
the uncommitted rows of an ordinary test's transaction.
"""

from contextlib import ExitStack, contextmanager

import pytest
from django.db import connections, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.compliance.services import rollups_rebuild
from lms.core.replicas import PrimaryReplicaRouter, replica_in_use, use_replica
from lms.organisations.models import Agency
from tests.compliance.conftest import assignment_row, manager_of, plan_row
from tests.factories import UserFactory, make_agency
from tests.services import require_postgresql

ROUTER = "lms.core.replicas.PrimaryReplicaRouter"
BOTH = ["default", "replica"]


@pytest.fixture
def with_replica(settings):
    """As if DATABASE_REPLICA_URLS named one replica (PostgreSQL: SQLite's shared in-memory
    test database locks tables between the two connections)."""
    require_postgresql()
    settings.DATABASE_REPLICAS = ["replica"]
    settings.DATABASE_ROUTERS = [ROUTER]


@contextmanager
def queries_on_each_alias():
    with ExitStack() as stack:
        yield {alias: stack.enter_context(CaptureQueriesContext(connections[alias])) for alias in BOTH}


def _sql(captured) -> str:
    return "\n".join(q["sql"] for q in captured.captured_queries)


@pytest.fixture
def dashboard(transactional_db):
    """A training manager of an agency with one plan, one assignment and rollups built."""
    agency = make_agency("Sở Bản Sao", code="REPLICA-SO")
    plan = plan_row(agency=agency, year=2025)
    assignment_row(plan, UserFactory(full_name="Người Học Bản Sao"), agency, status="in_progress")
    rollups_rebuild()
    return {"agency": agency, "manager": manager_of(agency)}


def _dashboard_url(agency: Agency) -> str:
    return reverse("compliance:agency", args=[agency.pk])


@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=BOTH)
def test_dashboards_and_exports_read_from_the_replica_other_views_from_the_primary(
    settings, dashboard, client
):
    """One transactional test (each costs a database flush): without a replica, then with."""
    require_postgresql()
    client.force_login(dashboard["manager"])
    agency = dashboard["agency"]
    opted_in = [
        _dashboard_url(agency),
        reverse("compliance:export", args=[agency.pk, "xlsx"]),
    ]

    # No replica configured (DATABASE_REPLICA_URLS unset): everything on the primary.
    with queries_on_each_alias() as q:
        assert client.get(opted_in[0], {"nam": "2025"}).status_code == 200
    assert q["replica"].captured_queries == []
    assert "compliance_assignmentrollup" in _sql(q["default"])

    settings.DATABASE_REPLICAS = ["replica"]
    settings.DATABASE_ROUTERS = [ROUTER]

    with queries_on_each_alias() as q:
        responses = [client.get(url, {"nam": "2025"}) for url in opted_in]
    assert [r.status_code for r in responses] == [200, 200]
    assert "Sở Bản Sao" in responses[0].content.decode()
    # The dashboard's and the export's reads: the agency tree, the scope and the rollups.
    replica_sql = _sql(q["replica"])
    assert "compliance_assignmentrollup" in replica_sql
    assert "organisations_agency" in replica_sql
    assert "accounts_roleassignment" in replica_sql
    # On the primary: only the logged-in user (and the session on a cache miss), resolved
    # before the scope.
    primary_sql_all = [query["sql"] for query in q["default"].captured_queries]
    assert not any("compliance_" in sql for sql in primary_sql_all)
    primary_tables = {_table(sql) for sql in primary_sql_all if sql.startswith("SELECT")}
    assert primary_tables <= {"accounts_user", "django_session"}, primary_tables
    assert "accounts_user" in primary_tables

    # A view that did not opt in: the learner's own page, the home page.
    with queries_on_each_alias() as q:
        assert client.get(reverse("courses:dashboard")).status_code == 200
        assert client.get("/").status_code == 200
    assert q["replica"].captured_queries == []
    assert len(q["default"].captured_queries) > 0


def _table(sql: str) -> str:
    return sql.split(" FROM ", 1)[1].split()[0].strip('"')


# --- The router's rules, without views ---------------------------------------------------


@pytest.mark.django_db(databases=BOTH)
def test_reads_in_scope_go_to_the_replica_until_a_transaction_or_a_write(with_replica):
    assert replica_in_use() is None  # outside any scope
    with use_replica():
        assert replica_in_use() == "replica"
        assert Agency.objects.all().db == "replica"
        with transaction.atomic():
            assert replica_in_use() is None  # must see its own transaction's writes
            assert Agency.objects.all().db == "default"
        assert replica_in_use() == "replica"
        make_agency("Sở Ghi", code="REPLICA-WRITE")  # a write pins the rest of the scope
        assert replica_in_use() is None
        assert Agency.objects.all().db == "default"
    with use_replica():
        assert replica_in_use() == "replica"  # a new scope starts clean


@pytest.mark.django_db(databases=BOTH)
def test_writes_always_go_to_the_primary(with_replica):
    agency = make_agency("Sở Đọc", code="REPLICA-READ")
    agency._state.db = "replica"  # as if read inside a replica scope
    router = PrimaryReplicaRouter()
    assert router.db_for_write(Agency, instance=agency) == "default"
    assert router.allow_migrate("replica", "organisations") is False
    assert router.allow_migrate("default", "organisations") is None
    other = Agency(name="Sở Khác")
    other._state.db = "default"
    assert router.allow_relation(agency, other) is True


def test_without_a_replica_the_scope_changes_nothing(settings):
    assert settings.DATABASE_REPLICAS == []  # the test settings, like an unset DATABASE_REPLICA_URLS
    with use_replica():
        assert replica_in_use() is None


@pytest.mark.django_db(databases=BOTH)
def test_the_decorator_leaves_unsafe_methods_on_the_primary(with_replica):
    seen = {}

    @use_replica
    def view(request):
        seen[request.method] = replica_in_use()
        return None

    factory = RequestFactory()
    for method in ("get", "head", "post", "put", "delete"):
        request = getattr(factory, method)("/")
        view(request)
    assert seen == {"GET": "replica", "HEAD": "replica", "POST": None, "PUT": None, "DELETE": None}
    assert replica_in_use() is None  # the scope ended with the view


def test_production_settings_read_replica_urls_and_pooler(tmp_path):
    """DATABASE_REPLICA_URLS -> one alias per URL, the router installed; PgBouncer mode
    turns server-side cursors off on every alias."""
    import json
    import subprocess
    import sys

    from tests.lms.test_settings import ROOT, SIGNING_KEY

    code = (
        "import json, lms.settings.production as s; "
        "print(json.dumps({'dbs': {a: {k: d.get(k) for k in ('HOST', 'NAME', 'CONN_MAX_AGE', "
        "'CONN_HEALTH_CHECKS', 'DISABLE_SERVER_SIDE_CURSORS', 'OPTIONS')} for a, d in s.DATABASES.items()}, "
        "'replicas': s.DATABASE_REPLICAS, 'routers': s.DATABASE_ROUTERS}))"
    )
    base_env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SECRET_KEY": "x" * 64,
        "DJANGO_ALLOWED_HOSTS": "kynangso.example.vn",
        "CERTIFICATE_SIGNING_KEY": SIGNING_KEY,
        "DATABASE_URL": "postgres://lms@pg-primary:6432/lms",
    }

    def settings_with(**env):
        result = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env={**base_env, **env}, capture_output=True, text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    plain = settings_with()
    assert list(plain["dbs"]) == ["default"] and plain["replicas"] == [] and plain["routers"] == []
    assert plain["dbs"]["default"]["DISABLE_SERVER_SIDE_CURSORS"] is None
    assert plain["dbs"]["default"]["CONN_HEALTH_CHECKS"] is True

    pooled = settings_with(
        DATABASE_REPLICA_URLS="postgres://lms@pg-replica-1:6432/lms, postgres://lms@pg-replica-2:6432/lms",
        DATABASE_POOLER="pgbouncer",
        DB_CONN_MAX_AGE="0",
    )
    assert pooled["replicas"] == ["replica1", "replica2"]
    assert pooled["routers"] == [ROUTER]
    assert [pooled["dbs"][a]["HOST"] for a in ("default", "replica1", "replica2")] == [
        "pg-primary", "pg-replica-1", "pg-replica-2"
    ]
    for alias in ("default", "replica1", "replica2"):
        assert pooled["dbs"][alias]["DISABLE_SERVER_SIDE_CURSORS"] is True
        assert pooled["dbs"][alias]["CONN_MAX_AGE"] == 0
        assert pooled["dbs"][alias]["OPTIONS"]["connect_timeout"] == 5
