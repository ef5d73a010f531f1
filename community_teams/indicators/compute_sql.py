"""Village figures in one set-based PostgreSQL statement: the same rules as compute.py
(which stays the reference, and the path on SQLite), for a national rebuild.

How it is computed, for a set of villages:

1. the observations of those villages, without those of replaced visit versions and
   without those whose village is not the one of their resident's (or household's)
   household (compute.py drops them too, so any batch of villages gives the same rows);
2. each person-field observation is valid from its date until the date of the next one
   of the same resident and field (`lead() OVER (… ORDER BY observed_on, id)`: the latest
   by date, then by insertion, wins); joined with the distinct period ends, that gives
   every resident's status at every end, aggregated per (resident, end);
3. "ever" facts are the first date of an observation (any skill: trained; online
   safety: cyber safety reached); online public services look back 365 days;
4. residents × ends (left joined to 2 and 3) are counted per (village, end) with one
   `count(*) FILTER (…)` per indicator and age band, households likewise (fibre: the
   latest household observation, else the register's flag; five skills: any resident);
5. flows (households reached, teams active) count current visits by month, joined to
   the periods (every period is whole months);
   (residents and visits are read per household / village through their indexes:
   `LATERAL (… OFFSET 0)` keeps the planner from hashing the whole table for a batch);
6. the counts per (village, end) are spread to the periods ending that day (a month, and
   the quarter and year ending with it) and unpivoted to (village, indicator, period,
   numerator, denominator); 0/0 rows are left out.

`tests/indicators/test_compute_sql.py` proves it equal to compute.py on random data, and
the property and hand-count tests run on it in CI (PostgreSQL).
"""

from django.db import connection

from .compute import SKILLS, Band
from .periods import Period

_SKILLS = ", ".join(f"'{s}'" for s in SKILLS)

# Person indicators: (code, condition on a person-end row `pe` counted in the numerator).
_PERSON = {
    "smartphone": "pe.smartphone",
    "digital_identity": "pe.vneid_any",
    "vneid_level2": "pe.vneid2",
    "payment_account": "pe.payment",
    "online_public_services": "pe.ops",
    "digital_signature": "pe.signature",
    "basic_digital_skills": "pe.five",
    "basic_digital_skills_trained": "pe.trained",
}


def _band_sql(band: Band) -> str:
    parts = []
    if band.min_age is not None:
        parts.append(f"pe.age >= {int(band.min_age)}")
    if band.max_age is not None:
        parts.append(f"pe.age <= {int(band.max_age)}")
    return " AND ".join(parts) or "TRUE"


def figures_sql(*, periods: list[Period], bands: dict[str, Band], many: bool = False) -> tuple[str, list]:
    """A SELECT of (village_id, indicator, period, numerator, denominator) for the
    villages in the int[] parameter `%(villages)s`, and its parameters besides it
    (the periods). Only the indicators in `bands`; no 0/0 rows. `many`: a large share
    of the country (the rebuild): read the big tables whole (hash joins) rather than
    through their indexes village by village."""
    fence = "" if many else "OFFSET 0"
    period_rows = ", ".join("(%s::text, %s::date, %s::date)" for _p in periods)
    params: list = []
    for p in periods:
        params += [p.key, p.start, p.end]
    person_cols, person_vals = [], []
    for code, fact in _PERSON.items():
        band = bands.get(code)
        if band is None:
            continue
        in_band = _band_sql(band)
        person_cols.append(
            f"count(*) FILTER (WHERE {in_band} AND {fact}) AS n_{code}, "
            f"count(*) FILTER (WHERE {in_band}) AS d_{code}"
        )
        person_vals.append(f"('{code}', pv.n_{code}, pv.d_{code})")
    if "cyber_safety_reached" in bands:
        in_band = _band_sql(bands["cyber_safety_reached"])
        person_cols.append(
            f"count(*) FILTER (WHERE {in_band} AND pe.smartphone AND pe.safety) AS n_cyber, "
            f"count(*) FILTER (WHERE {in_band} AND pe.smartphone) AS d_cyber"
        )
        person_vals.append("('cyber_safety_reached', pv.n_cyber, pv.d_cyber)")
    home_vals = [
        f"('{code}', hv.{col}, hv.homes)"
        for code, col in (("fibre_household", "fibre"), ("household_five_skills", "five_homes"))
        if code in bands
    ]
    parts = []
    if person_vals:
        parts.append(f"""
        SELECT pv.village_id, p.key AS period, x.indicator, x.num, x.den
        FROM pv JOIN p ON p.end_on = pv.end_on
        CROSS JOIN LATERAL (VALUES {", ".join(person_vals)}) AS x(indicator, num, den)""")
    if home_vals:
        parts.append(f"""
        SELECT hv.village_id, p.key, x.indicator, x.num, x.den
        FROM hv JOIN p ON p.end_on = hv.end_on
        CROSS JOIN LATERAL (VALUES {", ".join(home_vals)}) AS x(indicator, num, den)""")
    if "households_reached" in bands:
        parts.append("""
        SELECT hv.village_id, p.key, 'households_reached', coalesce(fv.reached, 0), hv.homes
        FROM hv JOIN p ON p.end_on = hv.end_on
        LEFT JOIN fv ON fv.village_id = hv.village_id AND fv.period = p.key""")
    if "teams_active" in bands:
        parts.append("""
        SELECT tm.village_id, p.key, 'teams_active', (coalesce(fv.reached, 0) > 0)::int, 1
        FROM tm CROSS JOIN p
        LEFT JOIN fv ON fv.village_id = tm.village_id AND fv.period = p.key""")
    if not parts:
        return "SELECT NULL::int, NULL::text, NULL::text, 0, 0 WHERE FALSE", []
    person_select = ", ".join(["pe.village_id", "pe.end_on", *person_cols]) if person_cols else None
    sql = f"""
    WITH v AS (SELECT DISTINCT unnest(%(villages)s::int[]) AS id),
    p (key, start_on, end_on) AS (VALUES {period_rows}),
    e AS (SELECT DISTINCT end_on FROM p),
    h AS (
        SELECT h.id, h.village_id, h.fibre_broadband
        FROM community_teams_household h JOIN v ON v.id = h.village_id
        WHERE NOT h.deleted),
    r AS (
        SELECT r.id, r.household_id, r.birth_year, h.village_id
        FROM h CROSS JOIN LATERAL (
            SELECT r.id, r.household_id, r.birth_year FROM community_teams_resident r
            WHERE r.household_id = h.id AND NOT r.deleted {fence}) r),
    o AS MATERIALIZED (
        SELECT o.id, o.resident_id, o.household_id, o.field, o.value, o.observed_on, o.village_id
        FROM community_teams_statusobservation o
        JOIN v ON v.id = o.village_id
        WHERE o.visit_id IS NULL OR NOT EXISTS (
            SELECT 1 FROM community_teams_supportvisit n WHERE n.replaces_id = o.visit_id)),
    ro AS MATERIALIZED (
        SELECT o.* FROM o JOIN r ON r.id = o.resident_id AND r.village_id = o.village_id),
    t AS (
        SELECT o.resident_id, o.field, o.value, o.observed_on AS from_on,
               lead(o.observed_on) OVER (PARTITION BY o.resident_id, o.field ORDER BY o.observed_on, o.id)
                   AS to_on
        FROM ro o
        WHERE o.field IN ('smartphone', 'vneid', 'payment_account', 'digital_signature', {_SKILLS})),
    st AS (
        SELECT t.resident_id, e.end_on,
               bool_or(t.field = 'smartphone' AND t.value = 'true') AS smartphone,
               bool_or(t.field = 'vneid' AND t.value IN ('level1', 'level2')) AS vneid_any,
               bool_or(t.field = 'vneid' AND t.value = 'level2') AS vneid2,
               bool_or(t.field = 'payment_account' AND t.value = 'true') AS payment,
               bool_or(t.field = 'digital_signature' AND t.value = 'true') AS signature,
               count(*) FILTER (WHERE t.field IN ({_SKILLS}) AND t.value = 'alone') = 5 AS five
        FROM t JOIN e ON t.from_on <= e.end_on AND (t.to_on IS NULL OR t.to_on > e.end_on)
        GROUP BY t.resident_id, e.end_on),
    fr AS (
        SELECT o.resident_id,
               min(o.observed_on) FILTER (WHERE o.field IN ({_SKILLS})) AS trained_on,
               min(o.observed_on) FILTER (WHERE o.field = 'skill_online_safety') AS safety_on
        FROM ro o
        GROUP BY o.resident_id),
    ops AS (
        SELECT DISTINCT o.resident_id, e.end_on
        FROM ro o JOIN e ON o.observed_on > e.end_on - 365 AND o.observed_on <= e.end_on
        WHERE o.field = 'online_public_service' AND o.value = 'true'),
    pe AS (
        SELECT r.village_id, r.household_id, e.end_on,
               extract(year FROM e.end_on)::int - r.birth_year AS age,
               coalesce(st.smartphone, FALSE) AS smartphone,
               coalesce(st.vneid_any, FALSE) AS vneid_any,
               coalesce(st.vneid2, FALSE) AS vneid2,
               coalesce(st.payment, FALSE) AS payment,
               coalesce(st.signature, FALSE) AS signature,
               coalesce(st.five, FALSE) AS five,
               coalesce(fr.trained_on <= e.end_on, FALSE) AS trained,
               coalesce(fr.safety_on <= e.end_on, FALSE) AS safety,
               ops.resident_id IS NOT NULL AS ops
        FROM r CROSS JOIN e
        LEFT JOIN st ON st.resident_id = r.id AND st.end_on = e.end_on
        LEFT JOIN fr ON fr.resident_id = r.id
        LEFT JOIN ops ON ops.resident_id = r.id AND ops.end_on = e.end_on),
    pv AS ({
        f"SELECT {person_select} FROM pe GROUP BY pe.village_id, pe.end_on"
        if person_select
        else "SELECT NULL::int AS village_id, NULL::date AS end_on WHERE FALSE"
    }),
    hf AS (
        SELECT DISTINCT ON (o.household_id, e.end_on) o.household_id, e.end_on, o.value
        FROM o JOIN h ON h.id = o.household_id AND h.village_id = o.village_id
        JOIN e ON o.observed_on <= e.end_on
        WHERE o.resident_id IS NULL AND o.field = 'fibre_broadband'
        ORDER BY o.household_id, e.end_on, o.observed_on DESC, o.id DESC),
    five_hh AS (SELECT DISTINCT pe.household_id, pe.end_on FROM pe WHERE pe.five),
    hv AS (
        SELECT h.village_id, e.end_on, count(*) AS homes,
               count(*) FILTER (WHERE coalesce(hf.value = 'true', h.fibre_broadband)) AS fibre,
               count(fh.household_id) AS five_homes
        FROM h CROSS JOIN e
        LEFT JOIN hf ON hf.household_id = h.id AND hf.end_on = e.end_on
        LEFT JOIN five_hh fh ON fh.household_id = h.id AND fh.end_on = e.end_on
        GROUP BY h.village_id, e.end_on),
    cv AS (
        SELECT DISTINCT s.village_id, s.household_id, date_trunc('month', s.visited_on)::date AS month
        FROM v CROSS JOIN LATERAL (
            SELECT s.id, s.village_id, s.household_id, s.visited_on FROM community_teams_supportvisit s
            WHERE s.village_id = v.id {fence}) s
        JOIN community_teams_household sh ON sh.id = s.household_id AND NOT sh.deleted
        WHERE NOT EXISTS (SELECT 1 FROM community_teams_supportvisit n WHERE n.replaces_id = s.id)),
    fv AS (
        SELECT cv.village_id, p.key AS period, count(DISTINCT cv.household_id) AS reached
        FROM cv JOIN p ON cv.month BETWEEN p.start_on AND p.end_on
        GROUP BY cv.village_id, p.key),
    tm AS (
        SELECT DISTINCT t.village_id FROM community_teams_team t JOIN v ON v.id = t.village_id
        WHERE t.active)
    SELECT village_id, indicator, period, num, den FROM ({" UNION ALL ".join(parts)}
    ) AS f (village_id, period, indicator, num, den)
    WHERE num <> 0 OR den <> 0"""
    return sql, params


def bind_villages(sql: str, params: list, village_ids: list[int]) -> tuple[str, list]:
    """Django's cursor takes positional parameters: put the villages array where the
    named placeholder is (it appears once, before the periods)."""
    return sql.replace("%(villages)s", "%s"), [list(village_ids), *params]


def village_figures_sql(
    *, village_ids, periods: list[Period], bands: dict[str, Band]
) -> list[tuple[int, str, str, int, int]]:
    """The rows of compute.village_figures, computed by PostgreSQL."""
    village_ids = list(village_ids)
    if not village_ids or not periods:
        return []
    sql, params = bind_villages(*figures_sql(periods=periods, bands=bands), village_ids)
    with connection.cursor() as c:
        c.execute(sql, params)
        return [(v, code, period, int(n), int(d)) for v, code, period, n, d in c.fetchall()]


def fresh_fill(
    cursor, *, village_ids, periods: list[Period], bands: dict[str, Band], legacy_villages, many=False
):
    """Compute the villages' rows into the temporary table `ind_fresh` (created for the
    transaction, emptied first): (unit_id, commune_id, province_id, indicator, period,
    numerator, denominator), with the recorded pre-2025 figures of those villages
    (`legacy_villages`: (village, indicator, period) → [numerator, denominator]) added.
    One statement; the incremental refresh and the rebuild then write from it."""
    wanted = set(village_ids)
    legacy = [
        (vid, code, period, num, den)
        for (vid, code, period), (num, den) in legacy_villages.items()
        if vid in wanted and code in bands
    ]
    legacy_columns = [list(col) for col in zip(*legacy, strict=True)] if legacy else [[], [], [], [], []]
    figures, params = bind_villages(*figures_sql(periods=periods, bands=bands, many=many), list(village_ids))
    cursor.execute(
        "CREATE TEMP TABLE IF NOT EXISTS ind_fresh (unit_id int, commune_id int, province_id int, "
        "indicator varchar(40), period varchar(8), numerator int, denominator int) ON COMMIT DROP"
    )
    cursor.execute("TRUNCATE ind_fresh")
    cursor.execute(
        f"""
        INSERT INTO ind_fresh (unit_id, commune_id, province_id, indicator, period, numerator, denominator)
        SELECT f.village_id, u.parent_id, cu.parent_id, f.indicator, f.period, sum(f.num), sum(f.den)
        FROM ({figures}
              UNION ALL
              SELECT * FROM unnest(%s::int[], %s::text[], %s::text[], %s::int[], %s::int[])
        ) AS f (village_id, indicator, period, num, den)
        JOIN places_administrativeunit u ON u.id = f.village_id
        LEFT JOIN places_administrativeunit cu ON cu.id = u.parent_id
        GROUP BY f.village_id, u.parent_id, cu.parent_id, f.indicator, f.period""",
        [*params, *legacy_columns],
    )
    cursor.execute("ANALYZE ind_fresh")
