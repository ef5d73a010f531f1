"""The set-based PostgreSQL computation (compute_sql.py) gives exactly the rows of the
Python reference (compute.py), on random registers and observations: every field and
value, same-day observations (insertion order decides), household fibre observations
over the register's flag, residents at the edges of the age bands, deleted residents
and households, edited visits, a village without a team. Then whole rebuilds with
either engine write the same rollups."""

import datetime
import uuid

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from community_teams.indicators.compute import village_figures
from community_teams.indicators.compute_sql import village_figures_sql
from community_teams.indicators.periods import periods_covered
from community_teams.indicators.services import bands_active, rollups_rebuild
from community_teams.models import (
    STATUS_VALUES,
    Household,
    Resident,
    StatusField,
    StatusObservation,
    SupportVisit,
    Team,
)
from tests.indicators.conftest import TODAY, rollup_snapshot, sync, visit

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL engine is PostgreSQL's")

FIELDS = [f.value for f in StatusField]
# Birth years whose age crosses 14, 15 and 60 between 2026 and 2027 ends.
YEARS = [2013, 2012, 2011, 1967, 1966, 1990]

observation = st.tuples(
    st.integers(0, 2),  # village
    st.integers(0, 2),  # household (2: one made in the test)
    st.integers(0, 2),  # resident (2: the household's extra one)
    st.sampled_from(FIELDS),
    st.integers(0, 2),  # value index
    st.integers(-20, 200),  # days before TODAY (negative: in the future)
    st.booleans(),  # the household-level row of the field (resident empty)
)


@pytest.fixture(autouse=True)
def _first_month(settings):
    settings.INDICATORS_FIRST_MONTH = "2026-05"


def _extras(world):
    """A third household per village with a resident of each edge birth year."""
    extra = {}
    for village in world["villages"]:
        household = Household.objects.create(
            village=village, label="Hộ thêm", fibre_broadband=village.pk % 2 == 0, consent_given=True
        )
        people = [Resident.objects.create(household=household, birth_year=y, sex="male") for y in YEARS]
        extra[village.pk] = (household, people)
    return extra


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(observation, min_size=1, max_size=40),
    drop=st.sets(st.sampled_from(["resident", "household", "team"]), max_size=3),
)
def test_sql_figures_equal_python_figures(world, rows, drop):
    StatusObservation.objects.all().delete()
    SupportVisit.objects.filter(replaces__isnull=False).delete()
    SupportVisit.objects.all().delete()
    extra = world.setdefault("_extra", _extras(world))
    Resident.objects.update(deleted=False)
    Household.objects.update(deleted=False)
    Team.objects.update(active=True)
    va, vb, vc = world["villages"]
    # Visits: one kept, one edited (its observations no longer count), in village A.
    (h1, p1), (h2, p2) = world["households"][va.pk]
    member = world["members"][va.pk]
    first = uuid.uuid4()
    sync(
        member, [visit(h1, p1, day=TODAY - datetime.timedelta(days=40), acts=[("install_vneid", "done", 0)])]
    )
    sync(
        member,
        [
            visit(
                h2,
                p2,
                day=TODAY - datetime.timedelta(days=70),
                acts=[("smartphone_basics", "done", 1)],
                visit_id=first,
            )
        ],
    )
    sync(
        member,
        [
            visit(
                h2,
                p2,
                day=TODAY - datetime.timedelta(days=70),
                acts=[("smartphone_basics", "not_possible", 1)],
                replaces=first,
            )
        ],
    )
    for vi, hi, ri, field, value_index, back, household_level in rows:
        village = world["villages"][vi]
        household, people = extra[village.pk] if hi == 2 else world["households"][village.pk][hi]
        resident = None if household_level else people[ri % len(people)]
        values = STATUS_VALUES[field]
        StatusObservation.objects.create(
            resident=resident,
            household=household,
            field=field,
            value=values[value_index % len(values)],
            observed_on=TODAY - datetime.timedelta(days=back),
            source=StatusObservation.Source.REGISTER,
            village=village,
            commune=village.parent,
            province=village.parent.parent,
        )
    if "resident" in drop:
        Resident.objects.filter(pk=extra[vb.pk][1][0].pk).update(deleted=True)
    if "household" in drop:
        Household.objects.filter(pk=world["households"][vc.pk][0][0].pk).update(deleted=True)
    if "team" in drop:
        Team.objects.filter(village=vb).update(active=False)
    periods = periods_covered(today=TODAY + datetime.timedelta(days=60))  # into next year
    bands = bands_active()
    ids = [v.pk for v in world["villages"]]
    python = sorted(village_figures(village_ids=ids, periods=periods, bands=bands))
    sql = sorted(village_figures_sql(village_ids=ids, periods=periods, bands=bands))
    assert sql == python
    assert any(code == "households_reached" for _v, code, _p, _n, _d in python)


def test_rebuilds_with_either_engine_write_the_same_rollups(world, settings):
    va, vb, vc = world["villages"]
    for v in (va, vb, vc):
        (h, p), (h2, p2) = world["households"][v.pk]
        sync(
            world["members"][v.pk],
            [
                visit(h, p, day=datetime.date(2026, 7, 9), acts=[("install_vneid", "done", 0)]),
                visit(h2, p2, day=datetime.date(2026, 10, 1), acts=[("fibre_broadband", "done", None)]),
            ],
        )
    settings.INDICATORS_SQL = False
    rollups_rebuild(today=TODAY)
    python = rollup_snapshot()
    settings.INDICATORS_SQL = True
    rollups_rebuild(today=TODAY)  # finds nothing to change
    assert rollup_snapshot() == python
    from community_teams.indicators.models import Rollup

    Rollup.objects.all().delete()
    rollups_rebuild(today=TODAY)  # writes every row
    assert rollup_snapshot() == python
    assert any(r[2] == "digital_identity" and r[4] for r in python)
