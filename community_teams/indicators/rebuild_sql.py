"""The full rebuild on PostgreSQL: a new rollup table built beside the live one and
swapped in at commit.

Why not rewrite the live table: the first national build inserts ~20 M village rows,
and inserting them through the table's indexes row by row took more than 6 minutes per
5 M rows (docs/performance.md); an unchanged night still probed every index once per
row. Appending to a table without indexes, then building each index once from sorted
data, is what PostgreSQL does fastest, and a rename in the same transaction puts the
result in place.

The steps, all in the caller's transaction:

1. `<table>_next`: LIKE the live table (columns, defaults, identity, NOT NULL and CHECK
   constraints), without indexes;
2. the village rows, one statement per batch of whole provinces (`fresh_fill`);
3. commune rows (the sum of their villages + re-attributed legacy figures), the legacy
   series, province rows (communes + legacy series), the nation (provinces + legacy
   series without a province): one INSERT … SELECT … GROUP BY each, on the new table.
   Each row keeps the live row's `computed_at` when its numbers and parent units are
   unchanged (a LEFT JOIN to the live table), else takes `now`;
4. the live table's own indexes and constraints, read from the catalogue (so an index a
   later migration adds comes along), built once each, then ANALYZE;
5. the swap: lock the live table (waits for running readers; new readers wait behind it
   until the commit, milliseconds), drop it, rename the new table, its indexes and its
   sequence to the live names. Readers see the old rows until the commit, then the new.

The rules are the same as the incremental refresh's (services.py); the property test
(tests/indicators/test_rollups.py) proves the two equal after any sequence of changes.
"""

import logging
import re
import time

from django.db import connection

from .compute_sql import fresh_fill
from .models import Rollup

COLUMNS = "level, unit_id, commune_id, province_id, indicator, period, numerator, denominator, computed_at"
_FIGURE = "(level, unit_id, commune_id, province_id, indicator, period, numerator, denominator)"
log = logging.getLogger(__name__)
_INDEX_DEF = re.compile(r"^(CREATE (?:UNIQUE )?INDEX )(\S+)( ON (?:ONLY )?)(\S+)( .*)$", re.S)


def _carry_insert(c, *, shadow, table, select_sql, params, old_filter, old_params, now, nation=False):
    """Append the rows of `select_sql` (level, unit, commune, province, indicator, period,
    numerator, denominator) to the new table, each with the live row's computed_at when
    nothing of it changed. `old_filter` narrows the live rows joined (alias r)."""
    unit = "TRUE" if nation else "o.unit_id = f.unit_id"
    c.execute(
        f"""
        INSERT INTO {shadow} ({COLUMNS})
        SELECT f.level, f.unit_id, f.commune_id, f.province_id, f.indicator, f.period,
               f.numerator, f.denominator,
               CASE WHEN (o.numerator, o.denominator, o.commune_id, o.province_id)
                         IS NOT DISTINCT FROM (f.numerator, f.denominator, f.commune_id, f.province_id)
                    THEN o.computed_at ELSE %s END
        FROM ({select_sql}) AS f {_FIGURE}
        LEFT JOIN (SELECT r.* FROM {table} r WHERE {old_filter}) o
            ON {unit} AND o.indicator = f.indicator AND o.period = f.period""",
        [now, *params, *old_params],
    )


def _unnest(rows: list[tuple], types: list[str]) -> tuple[str, list]:
    columns = [list(col) for col in zip(*rows, strict=True)] if rows else [[] for _t in types]
    return "unnest(" + ", ".join(f"%s::{t}[]" for t in types) + ")", columns


def _schema(c, table: str) -> tuple[list, list]:
    """The live table's indexes (name, definition, constraint definition or None) and its
    foreign keys (name, definition)."""
    c.execute(
        """
        SELECT i.relname, pg_get_indexdef(x.indexrelid), pg_get_constraintdef(con.oid)
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        LEFT JOIN pg_constraint con ON con.conindid = x.indexrelid AND con.conrelid = x.indrelid
        WHERE x.indrelid = %s::regclass
        ORDER BY i.relname""",
        [table],
    )
    indexes = c.fetchall()
    c.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
        [table],
    )
    return indexes, c.fetchall()


class _Steps:
    """Each step's time in the log (a national rebuild takes minutes: say where)."""

    def __init__(self):
        self.started = self.last = time.monotonic()
        self.times: dict[str, float] = {}

    def done(self, step: str) -> None:
        now = time.monotonic()
        self.times[step] = self.times.get(step, 0.0) + now - self.last
        self.last = now
        log.info("rollup rebuild: %s done after %.1f s", step, now - self.started)


def rebuild_swap(
    *, village_chunks: list[list[int]], periods, bands, now, legacy_villages, legacy_communes, legacy
) -> tuple[int, int]:
    """Build every rollup into a new table and put it in the live table's place (see the
    module's docstring). Returns (rows, rows whose figure changed)."""
    table = Rollup._meta.db_table
    shadow = f"{table}_next"
    steps = _Steps()
    with connection.cursor() as c:
        c.execute("SET LOCAL work_mem = '64MB'")
        c.execute("SET LOCAL maintenance_work_mem = '512MB'")
        indexes, foreign_keys = _schema(c, table)
        c.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = c.fetchone()[0]
        c.execute(f"DROP TABLE IF EXISTS {shadow}")
        c.execute(
            f"CREATE TABLE {shadow} "
            f"(LIKE {table} INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS)"
        )

        for chunk in village_chunks:
            fresh_fill(
                c, village_ids=chunk, periods=periods, bands=bands, legacy_villages=legacy_villages, many=True
            )
            steps.done("villages computed")
            _carry_insert(
                c,
                shadow=shadow,
                table=table,
                select_sql="SELECT 'village', unit_id, commune_id, province_id, indicator, period, "
                "numerator, denominator FROM ind_fresh",
                params=[],
                old_filter="r.level = 'village' AND r.unit_id = ANY(%s)",
                old_params=[list(chunk)],
                now=now,
            )
            steps.done("villages appended")

        extra, extra_params = _unnest(
            [(cid, code, period, n, d) for (cid, code, period), (n, d) in legacy_communes.items()],
            ["bigint", "text", "text", "bigint", "bigint"],
        )
        _carry_insert(
            c,
            shadow=shadow,
            table=table,
            select_sql=f"""
                SELECT 'commune', s.cid, s.cid, u.parent_id, s.indicator, s.period, s.n, s.d
                FROM (
                    SELECT x.cid, x.indicator, x.period, sum(x.n) AS n, sum(x.d) AS d
                    FROM (
                        SELECT commune_id, indicator, period, numerator, denominator FROM {shadow}
                        WHERE level = 'village' AND commune_id IS NOT NULL
                        UNION ALL SELECT * FROM {extra}
                    ) AS x (cid, indicator, period, n, d)
                    GROUP BY x.cid, x.indicator, x.period
                ) s
                LEFT JOIN places_administrativeunit u ON u.id = s.cid""",
            params=extra_params,
            old_filter="r.level = 'commune'",
            old_params=[],
            now=now,
        )
        series, series_params = _unnest(
            [row for row in legacy if row[2] in bands],
            ["bigint", "bigint", "text", "text", "bigint", "bigint"],
        )
        _carry_insert(
            c,
            shadow=shadow,
            table=table,
            select_sql=f"SELECT 'legacy', s.old, NULL::bigint, s.province, s.code, s.period, s.n, s.d "
            f"FROM {series} AS s (old, province, code, period, n, d)",
            params=series_params,
            old_filter="r.level = 'legacy'",
            old_params=[],
            now=now,
        )
        _carry_insert(
            c,
            shadow=shadow,
            table=table,
            select_sql=f"""
                SELECT 'province', province_id, NULL::bigint, province_id, indicator, period,
                       sum(numerator), sum(denominator)
                FROM {shadow} WHERE level IN ('commune', 'legacy') AND province_id IS NOT NULL
                GROUP BY province_id, indicator, period""",
            params=[],
            old_filter="r.level = 'province'",
            old_params=[],
            now=now,
        )
        _carry_insert(
            c,
            shadow=shadow,
            table=table,
            select_sql=f"""
                SELECT 'nation', NULL::bigint, NULL::bigint, NULL::bigint, indicator, period,
                       sum(numerator), sum(denominator)
                FROM {shadow} WHERE level = 'province' OR (level = 'legacy' AND province_id IS NULL)
                GROUP BY indicator, period""",
            params=[],
            old_filter="r.level = 'nation' AND r.unit_id IS NULL",
            old_params=[],
            now=now,
            nation=True,
        )

        steps.done("communes, provinces, nation summed")
        # The live table's indexes and constraints, under temporary names until the swap.
        renames = []
        for i, (name, index_def, constraint_def) in enumerate(indexes):
            temporary = f"{shadow[:40]}_i{i}"
            if constraint_def is not None:
                c.execute(f"ALTER TABLE {shadow} ADD CONSTRAINT {temporary} {constraint_def}")
            else:
                match = _INDEX_DEF.match(index_def)
                if match is None:  # pragma: no cover - PostgreSQL's own format
                    raise RuntimeError(f"unexpected index definition: {index_def}")
                c.execute(f"{match[1]}{temporary}{match[3]}{shadow}{match[5]}")
            renames.append((temporary, name))
        steps.done("indexes built")
        for name, definition in foreign_keys:
            c.execute(f'ALTER TABLE {shadow} ADD CONSTRAINT "{name}" {definition}')
        steps.done("foreign keys checked")
        c.execute(f"ANALYZE {shadow}")
        c.execute(f"SELECT count(*), count(*) FILTER (WHERE computed_at = %s) FROM {shadow}", [now])
        rows, changed = c.fetchone()
        steps.done("analysed and counted")
        c.execute("SELECT pg_get_serial_sequence(%s, 'id')", [shadow])
        new_sequence = c.fetchone()[0]

        # The swap. Deferred checks still pending in this transaction would forbid the
        # DROP: run them now.
        c.execute("SET CONSTRAINTS ALL IMMEDIATE")
        c.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        c.execute(f"DROP TABLE {table}")
        c.execute(f"ALTER TABLE {shadow} RENAME TO {table}")
        for temporary, name in renames:
            c.execute(f'ALTER INDEX {temporary} RENAME TO "{name}"')
        if sequence and new_sequence:
            c.execute(f"ALTER SEQUENCE {new_sequence} RENAME TO {sequence.split('.')[-1]}")
        c.execute("SET CONSTRAINTS ALL DEFERRED")
        steps.done("swapped")
    log.info(
        "rollup rebuild: %s rows (%s changed) in %.1f s: %s",
        rows,
        changed,
        time.monotonic() - steps.started,
        ", ".join(f"{k} {v:.1f} s" for k, v in steps.times.items()),
    )
    return rows, changed
