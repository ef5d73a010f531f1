"""The rebuild's new-table-and-swap on PostgreSQL (rebuild_sql.py): the table that comes
out has the live table's indexes, constraints and sequence under the same names;
unchanged rows keep when they were computed; a reader waiting on the swap gets the new
table, not an error."""

import datetime
import threading

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from community_teams.indicators.models import Level, Rollup
from community_teams.indicators.rebuild_sql import _schema
from community_teams.indicators.services import rollups_rebuild
from tests.indicators.conftest import TODAY, rollup_snapshot, sync, visit

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the swap is PostgreSQL's")

TABLE = Rollup._meta.db_table


@pytest.fixture(autouse=True)
def _first_month(settings):
    settings.INDICATORS_FIRST_MONTH = "2026-06"


def _catalogue():
    with connection.cursor() as c:
        indexes, foreign_keys = _schema(c, TABLE)
        c.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'c' ORDER BY conname",
            [TABLE],
        )
        checks = c.fetchall()
        c.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
        sequence = c.fetchone()[0]
        c.execute(
            "SELECT column_name, data_type, is_nullable, is_identity FROM information_schema.columns "
            "WHERE table_name = %s ORDER BY ordinal_position",
            [TABLE],
        )
        columns = c.fetchall()
    return indexes, foreign_keys, checks, sequence, columns


def test_the_swapped_table_has_the_live_schema_and_the_same_figures(world):
    va = world["villages"][0]
    (h1, p1), _ = world["households"][va.pk]
    sync(
        world["members"][va.pk],
        [visit(h1, p1, day=datetime.date(2026, 9, 3), acts=[("install_vneid", "done", 0)])],
    )
    before = _catalogue()
    assert len(before[0]) >= 6 and len(before[1]) == 3  # indexes (with pk, uniques) and the three FKs
    rollups_rebuild(today=TODAY)
    first = rollup_snapshot()
    assert first and _catalogue() == before
    rollups_rebuild(today=TODAY)
    assert rollup_snapshot() == first
    assert _catalogue() == before
    # The new rows are still checked: a unit that does not exist is refused.
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), transaction.atomic():
        Rollup.objects.create(
            level=Level.VILLAGE,
            unit_id=10**9,
            indicator="smartphone",
            period="2026-09",
            computed_at=timezone.now(),
        )
        with connection.cursor() as c:
            c.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_unchanged_rows_keep_when_they_were_computed(world):
    va, _vb, vc = world["villages"]
    c1, c2 = world["communes"]
    t1 = timezone.now() - datetime.timedelta(hours=2)
    t2 = timezone.now() - datetime.timedelta(hours=1)
    rollups_rebuild(now=t1, today=TODAY)
    assert set(Rollup.objects.values_list("computed_at", flat=True)) == {t1}
    (h1, p1), _ = world["households"][va.pk]
    sync(
        world["members"][va.pk],
        [visit(h1, p1, day=datetime.date(2026, 9, 3), acts=[("install_vneid", "done", 0)])],
    )
    rollups_rebuild(now=t2, today=TODAY)

    def stamps(**where):
        return set(Rollup.objects.filter(**where).values_list("computed_at", flat=True))

    assert stamps(level=Level.VILLAGE, unit=vc) == {t1}  # nothing changed in village C
    assert stamps(level=Level.COMMUNE, unit=c2) == {t1}
    changed = Rollup.objects.get(level=Level.VILLAGE, unit=va, indicator="digital_identity", period="2026-09")
    assert (changed.numerator, changed.computed_at) == (1, t2)
    assert (
        Rollup.objects.get(
            level=Level.VILLAGE, unit=va, indicator="digital_identity", period="2026-08"
        ).computed_at
        == t1
    )
    for level, unit in ((Level.COMMUNE, c1), (Level.PROVINCE, world["province"]), (Level.NATION, None)):
        row = Rollup.objects.get(level=level, unit=unit, indicator="digital_identity", period="2026-09")
        assert (row.numerator, row.computed_at) == (1, t2), level


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reader_waiting_on_the_swap_reads_the_new_table(world):
    rollups_rebuild(today=TODAY)
    va = world["villages"][0]
    (h1, p1), _ = world["households"][va.pk]
    sync(
        world["members"][va.pk],
        [visit(h1, p1, day=datetime.date(2026, 9, 3), acts=[("install_vneid", "done", 0)])],
    )
    seen, errors, started = [], [], threading.Event()

    def reader():
        try:
            with connections["default"].cursor() as c:
                started.set()
                c.execute(
                    f"SELECT numerator FROM {TABLE} WHERE level = 'nation' "
                    "AND indicator = 'digital_identity' "
                    "AND period = '2026-09'"
                )
                seen.append(c.fetchone()[0])
        except Exception as exc:  # noqa: BLE001 - the test reports it
            errors.append(exc)
        finally:
            connections["default"].close()

    with transaction.atomic():
        rollups_rebuild(today=TODAY)  # swapped, the lock held until this block commits
        thread = threading.Thread(target=reader)
        thread.start()
        started.wait(5)
        thread.join(1)
        assert thread.is_alive()  # waiting on the lock, not reading the old table
    thread.join(30)
    assert not errors and seen == [1]
