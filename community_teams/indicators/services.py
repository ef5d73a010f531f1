"""Writes: definitions and national targets from the data files, local targets, rollups
(incremental and full), legacy figures, data-quality flags and month approval."""

import csv
import datetime
import decimal
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from community_teams.models import MonthClosure, SupportVisit, VisitActivity
from lms.accounts.models import Role
from lms.accounts.selectors import roles_active_for
from lms.jobs.services import job_enqueue
from lms.places.models import AdministrativeUnit, UnitSuccession

from .compute import KNOWN, Band, village_figures
from .compute_sql import fresh_fill, village_figures_sql
from .definitions import DEFAULT_BANDS, NAMES, STATUS_FROM_CSV
from .models import IndicatorDefinition, Level, QualityFlag, RecordedFigure, Rollup, RollupWatermark, Target
from .periods import Period, period_parse, periods_covered
from .rebuild_sql import rebuild_swap

DATA = Path(__file__).resolve().parent / "data"
REFRESH_JOB = "indicators.rollups_refresh"
REBUILD_JOB = "indicators.rollups_rebuild"
# Rows committed by a transaction that began before the previous run's start are read again.
OVERLAP = datetime.timedelta(minutes=2)
CHUNK = 400

# ---------------------------------------------------------------- definitions, targets


@transaction.atomic
def indicators_load(*, path: Path | None = None) -> dict[str, int]:
    """Create or update the definitions from indicators.csv (idempotent). Names and age
    bands are filled in only for new rows: an operator's changes stay."""
    counts = {"created": 0, "updated": 0}
    with open(path or DATA / "indicators.csv", encoding="utf-8") as fh:
        for position, row in enumerate(csv.DictReader(fh)):
            code = row["code"].strip()
            name_vi, name_en = NAMES.get(code, (code, code))
            min_age, max_age = DEFAULT_BANDS.get(code, (None, None))
            obj, created = IndicatorDefinition.objects.update_or_create(
                code=code,
                defaults={
                    "level": row["level"].strip(),
                    "numerator": row["numerator"].strip(),
                    "denominator": row["denominator"].strip(),
                    "population": row["population"].strip(),
                    "target_codes": row["targets_in_national_targets_csv"].strip(),
                    "position": position,
                },
                create_defaults={
                    "level": row["level"].strip(),
                    "numerator": row["numerator"].strip(),
                    "denominator": row["denominator"].strip(),
                    "population": row["population"].strip(),
                    "target_codes": row["targets_in_national_targets_csv"].strip(),
                    "position": position,
                    "name_vi": name_vi,
                    "name_en": name_en,
                    "min_age": min_age,
                    "max_age": max_age,
                    "active": code in KNOWN,
                },
            )
            counts["created" if created else "updated"] += 1
    return counts


@transaction.atomic
def national_targets_load(*, path: Path | None = None) -> dict[str, int]:
    """Create or update the national targets from national_targets.csv by (code, year),
    keeping each row's source and status. Rows with an unknown status are reported, not
    loaded."""
    counts = {"created": 0, "updated": 0, "rejected": 0}
    with open(path or DATA / "national_targets.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            status = STATUS_FROM_CSV.get(row["status"].strip())
            try:
                percent = decimal.Decimal(row["target_percent"])
                year = int(row["year"])
            except (decimal.InvalidOperation, ValueError):
                status = None
            if status is None:
                counts["rejected"] += 1
                continue
            _obj, created = Target.objects.update_or_create(
                unit=None,
                target_code=row["indicator"].strip(),
                year=year,
                defaults={
                    "percent": percent,
                    "source": row["source"].strip(),
                    "status": status,
                    "description_vi": row["description_vi"].strip(),
                },
            )
            counts["created" if created else "updated"] += 1
    return counts


def _ancestor_ids(unit: AdministrativeUnit) -> list[int]:
    """Ids above the unit, nearest first."""
    ids = [int(x) for x in unit.path.strip("/").split("/") if x]
    return list(reversed(ids[:-1]))


def target_pick(*, targets: list[Target], chain: list[int | None], year: int) -> Target | None:
    """From `targets` (one code), the applicable one: the first unit of `chain` (the unit,
    its ancestors, then None for national) that has a target for a year at or after
    `year`, taking its nearest such year."""
    for unit_id in chain:
        own = sorted((t for t in targets if t.unit_id == unit_id and t.year >= year), key=lambda t: t.year)
        if own:
            return own[0]
    return None


def _in_force_above(*, unit: AdministrativeUnit, target_code: str, year: int) -> Target | None:
    chain = [*_ancestor_ids(unit), None]
    targets = [
        t
        for t in Target.objects.filter(target_code=target_code).filter(
            Q(unit_id__in=chain[:-1]) | Q(unit__isnull=True)
        )
        if t.unit_id is not None or t.status == Target.Status.IN_FORCE
    ]
    return target_pick(targets=targets, chain=chain, year=year)


def _officer_over(*, user, unit: AdministrativeUnit) -> bool:
    role = {"province": Role.PROVINCE_OFFICER, "commune": Role.COMMUNE_OFFICER}.get(unit.level)
    if role is None:
        return False
    return roles_active_for(user=user).filter(role=role, unit=unit).exists()


@transaction.atomic
def target_set(*, by, unit: AdministrativeUnit, target_code: str, year: int, percent) -> Target:
    """A province or commune officer sets the unit's own target for a code and year.

    Rules: only an officer holding the province/commune role over that very unit; 0–100;
    a year between 2000 and 2100; the code must be one an indicator answers. A target
    below the one in force above it (the nearest local target of an ancestor, else the
    national target in force) is kept with a warning."""
    if not _officer_over(user=by, unit=unit):
        raise PermissionDenied(_("Chỉ cán bộ của đúng xã hoặc tỉnh này được đặt chỉ tiêu cho đơn vị."))
    codes = {c for d in IndicatorDefinition.objects.all() for c in [d.target_code, d.code]}
    errors = {}
    if target_code not in codes:
        errors["target_code"] = _("Không có chỉ số này.")
    try:
        percent = decimal.Decimal(str(percent)).quantize(decimal.Decimal("0.1"))
    except decimal.InvalidOperation:
        percent = None
    if percent is None or not 0 <= percent <= 100:
        errors["percent"] = _("Chỉ tiêu là một tỉ lệ phần trăm từ 0 đến 100.")
    if not 2000 <= int(year) <= 2100:
        errors["year"] = _("Năm không hợp lệ.")
    if errors:
        raise ValidationError(errors)
    above = _in_force_above(unit=unit, target_code=target_code, year=int(year))
    warning = ""
    if above is not None and percent < above.percent:
        warning = _("Thấp hơn chỉ tiêu %(above)s%% đang áp dụng ở cấp trên (%(source)s, năm %(year)s).") % {
            "above": above.percent,
            "source": above.source,
            "year": above.year,
        }
    target, _created = Target.objects.update_or_create(
        unit=unit,
        target_code=target_code,
        year=int(year),
        defaults={
            "percent": percent,
            "status": Target.Status.IN_FORCE,
            "source": _("Do %(unit)s tự đặt") % {"unit": unit.name},
            "warning": warning,
            "set_by": by,
        },
    )
    return target


# ---------------------------------------------------------------- rollups


def bands_active() -> dict[str, Band]:
    return {
        d.code: Band(d.code, d.min_age, d.max_age)
        for d in IndicatorDefinition.objects.filter(active=True, code__in=KNOWN)
    }


def _village_units(village_ids) -> dict[int, tuple[int, int]]:
    """village id → (commune id, province id), read in chunks (PostgreSQL takes at most
    65,535 parameters per statement)."""
    ids = list(village_ids)
    result = {}
    for i in range(0, len(ids), 10_000):
        result.update(
            {
                v: (c, p)
                for v, c, p in AdministrativeUnit.objects.filter(pk__in=ids[i : i + 10_000]).values_list(
                    "pk", "parent_id", "parent__parent_id"
                )
            }
        )
    return result


def _legacy_contributions() -> tuple[dict, dict, list]:
    """Where every recorded pre-2025 figure goes, each exactly once:
    village figures → their (current) village; the rest of an old commune's figure
    (its figure minus its villages') → the new commune when the old one went in whole
    (or its whole population went to one new commune), else a legacy series shown under
    the province of its first successor."""
    figures = list(RecordedFigure.objects.all())
    if not figures:
        return {}, {}, []
    by_village: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    villages_sum: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    commune_fig: dict[tuple, RecordedFigure] = {}
    for f in figures:
        key = (f.legacy_commune_id, f.indicator, f.period)
        if f.village_id:
            c = by_village[(f.village_id, f.indicator, f.period)]
            c[0] += f.numerator
            c[1] += f.denominator
            s = villages_sum[key]
            s[0] += f.numerator
            s[1] += f.denominator
        else:
            commune_fig[key] = f
    successions: dict[int, list[UnitSuccession]] = defaultdict(list)
    for s in (
        UnitSuccession.objects.filter(
            predecessor_id__in={f.legacy_commune_id for f in figures},
            kind__in=[UnitSuccession.Kind.WHOLE, UnitSuccession.Kind.PARTIAL],
        )
        .select_related("successor")
        .order_by("pk")
    ):
        successions[s.predecessor_id].append(s)
    by_commune: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    legacy: list[tuple] = []
    for (old, indicator, period), f in commune_fig.items():
        done = villages_sum.get((old, indicator, period), [0, 0])
        rest = (max(f.numerator - done[0], 0), max(f.denominator - done[1], 0))
        if rest == (0, 0):
            continue
        succ = successions.get(old, [])
        whole = [s for s in succ if s.counts_whole_population]
        if len(whole) == 1:
            c = by_commune[(whole[0].successor_id, indicator, period)]
            c[0] += rest[0]
            c[1] += rest[1]
        else:
            province_id = succ[0].successor.parent_id if succ else None
            legacy.append((old, province_id, indicator, period, rest[0], rest[1]))
    return dict(by_village), dict(by_commune), legacy


def _sql_engine() -> bool:
    """Village figures and the rebuild's writes in set-based SQL on PostgreSQL
    (compute_sql.py); compute.py in Python elsewhere (SQLite: the Quick start), or when
    INDICATORS_SQL is False. Both give the same rows (tests/indicators/test_compute_sql.py)."""
    return connection.vendor == "postgresql" and getattr(settings, "INDICATORS_SQL", True)


def _figures(*, village_ids, periods, bands):
    if _sql_engine():
        return village_figures_sql(village_ids=village_ids, periods=periods, bands=bands)
    return village_figures(village_ids=village_ids, periods=periods, bands=bands)


# A rollup's key within its level, and what is stored under it.
Key = tuple  # (unit id or None, indicator, period)
Figure = tuple  # (numerator, denominator, commune id, province id)


def _replace(*, level: str, scope: Q, fresh: dict[Key, Figure], now) -> int:
    """Make the rows of `level` within `scope` equal to `fresh`: delete the rows not in
    it, update those whose numbers (or parent units) changed, insert the new ones. An
    unchanged row is not written: its `computed_at` stays the time its figure took that
    value. Returns how many rows were written."""
    existing = {
        (unit, indicator, period): (pk, (n, d, c, p))
        for pk, unit, indicator, period, n, d, c, p in Rollup.objects.filter(scope, level=level).values_list(
            "pk", "unit_id", "indicator", "period", "numerator", "denominator", "commune_id", "province_id"
        )
    }
    gone = [pk for key, (pk, _f) in existing.items() if key not in fresh]
    changed, new = [], []
    for key, figure in fresh.items():
        old = existing.get(key)
        if old is None:
            unit, indicator, period = key
            n, d, c, p = figure
            new.append(
                Rollup(
                    level=level,
                    unit_id=unit,
                    commune_id=c,
                    province_id=p,
                    indicator=indicator,
                    period=period,
                    numerator=n,
                    denominator=d,
                    computed_at=now,
                )
            )
        elif old[1] != tuple(figure):
            n, d, c, p = figure
            changed.append(
                Rollup(pk=old[0], numerator=n, denominator=d, commune_id=c, province_id=p, computed_at=now)
            )
    for i in range(0, len(gone), 10_000):
        Rollup.objects.filter(pk__in=gone[i : i + 10_000]).delete()
    Rollup.objects.bulk_update(
        changed, ["numerator", "denominator", "commune_id", "province_id", "computed_at"], batch_size=1000
    )
    Rollup.objects.bulk_create(new, batch_size=2000)
    return len(gone) + len(changed) + len(new)


def _villages_write(*, village_ids: list[int], periods: list[Period], bands, now, legacy_villages) -> int:
    """Recompute the villages and write what changed (both engines). Returns rows written."""
    written = 0
    for i in range(0, len(village_ids), CHUNK):
        chunk = village_ids[i : i + CHUNK]
        units = _village_units(chunk)
        merged: dict[Key, list[int]] = {}
        for vid, code, period, num, den in _figures(village_ids=chunk, periods=periods, bands=bands):
            merged[(vid, code, period)] = [num, den]
        chunk_set = set(chunk)
        for (vid, code, period), (num, den) in legacy_villages.items():
            if vid in chunk_set and code in bands:
                c = merged.setdefault((vid, code, period), [0, 0])
                c[0] += num
                c[1] += den
        fresh = {key: (n, d, *units[key[0]]) for key, (n, d) in merged.items() if key[0] in units}
        written += _replace(level=Level.VILLAGE, scope=Q(unit_id__in=chunk), fresh=fresh, now=now)
    return written


def _villages_write_sql(*, village_ids: list[int], periods: list[Period], bands, now, legacy_villages) -> int:
    """The same as _villages_write, set-based in PostgreSQL (the incremental refresh's
    villages): one statement computes the figures into a temporary table (with the legacy
    village figures), then one DELETE and one INSERT … ON CONFLICT DO UPDATE against it
    write only what changed. (The full rebuild builds a new table instead: rebuild_sql.)"""
    if not village_ids:
        return 0
    table = Rollup._meta.db_table
    same = "f.unit_id = r.unit_id AND f.indicator = r.indicator AND f.period = r.period"
    with connection.cursor() as c:
        fresh_fill(
            c,
            village_ids=village_ids,
            periods=periods,
            bands=bands,
            legacy_villages=legacy_villages,
        )
        c.execute(
            f"DELETE FROM {table} r WHERE r.level = 'village' AND r.unit_id = ANY(%s) "
            f"AND NOT EXISTS (SELECT 1 FROM ind_fresh f WHERE {same})",
            [list(village_ids)],
        )
        written = c.rowcount
        # Insert new rows and update changed ones through the unique index, row by
        # row: no join plan depends on the statistics of a table this transaction is
        # rewriting.
        c.execute(
            f"""
            INSERT INTO {table} AS r (level, unit_id, commune_id, province_id, indicator, period,
                                      numerator, denominator, computed_at)
            SELECT 'village', f.unit_id, f.commune_id, f.province_id, f.indicator, f.period, f.numerator,
                   f.denominator, %s
            FROM ind_fresh f
            ON CONFLICT (level, unit_id, indicator, period) WHERE unit_id IS NOT NULL
            DO UPDATE SET numerator = EXCLUDED.numerator, denominator = EXCLUDED.denominator,
                commune_id = EXCLUDED.commune_id, province_id = EXCLUDED.province_id,
                computed_at = EXCLUDED.computed_at
            WHERE (r.numerator, r.denominator, r.commune_id, r.province_id)
                IS DISTINCT FROM (EXCLUDED.numerator, EXCLUDED.denominator, EXCLUDED.commune_id,
                                  EXCLUDED.province_id)""",
            [now],
        )
        written += c.rowcount
    return written


def _sum(qs, group: str):
    return qs.values(group, "indicator", "period").annotate(n=Sum("numerator"), d=Sum("denominator"))


def _communes_resum(*, commune_ids: set[int] | None, now, legacy_communes) -> int:
    """Commune rows = the sum of their villages + re-attributed legacy figures, for the
    given communes (None: every commune, the rebuild)."""
    villages = Rollup.objects.filter(level=Level.VILLAGE)
    scope = Q()
    if commune_ids is not None:
        villages = villages.filter(commune_id__in=commune_ids)
        scope = Q(unit_id__in=commune_ids)
    merged: dict[Key, list[int]] = {}
    for r in _sum(villages, "commune_id"):
        if r["commune_id"] is not None:
            merged[(r["commune_id"], r["indicator"], r["period"])] = [r["n"], r["d"]]
    for (cid, code, period), (num, den) in legacy_communes.items():
        if commune_ids is None or cid in commune_ids:
            c = merged.setdefault((cid, code, period), [0, 0])
            c[0] += num
            c[1] += den
    ids = {cid for cid, _i, _p in merged}
    provinces = {}
    id_list = list(ids)
    for i in range(0, len(id_list), 10_000):
        provinces.update(
            AdministrativeUnit.objects.filter(pk__in=id_list[i : i + 10_000]).values_list("pk", "parent_id")
        )
    fresh = {key: (n, d, key[0], provinces.get(key[0])) for key, (n, d) in merged.items()}
    return _replace(level=Level.COMMUNE, scope=scope, fresh=fresh, now=now)


def _legacy_write(*, legacy, bands, now) -> int:
    fresh: dict[Key, Figure] = {}
    for old, province_id, code, period, num, den in legacy:
        if code in bands:
            fresh[(old, code, period)] = (num, den, None, province_id)
    return _replace(level=Level.LEGACY, scope=Q(), fresh=fresh, now=now)


def _provinces_resum(*, province_ids: set[int] | None, now) -> int:
    rows = Rollup.objects.filter(level__in=[Level.COMMUNE, Level.LEGACY], province__isnull=False)
    scope = Q()
    if province_ids is not None:
        rows = rows.filter(province_id__in=province_ids)
        scope = Q(unit_id__in=province_ids)
    fresh = {
        (r["province_id"], r["indicator"], r["period"]): (r["n"], r["d"], None, r["province_id"])
        for r in _sum(rows, "province_id")
    }
    return _replace(level=Level.PROVINCE, scope=scope, fresh=fresh, now=now)


def _nation_resum(*, now) -> int:
    totals: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    for qs in (
        Rollup.objects.filter(level=Level.PROVINCE),
        Rollup.objects.filter(level=Level.LEGACY, province__isnull=True),
    ):
        for r in qs.values("indicator", "period").annotate(n=Sum("numerator"), d=Sum("denominator")):
            c = totals[(None, r["indicator"], r["period"])]
            c[0] += r["n"]
            c[1] += r["d"]
    fresh = {key: (n, d, None, None) for key, (n, d) in totals.items()}
    return _replace(level=Level.NATION, scope=Q(), fresh=fresh, now=now)


@transaction.atomic
def rollups_refresh_villages(*, village_ids, now=None, today: datetime.date | None = None) -> int:
    """Recompute the given villages for every period covered, then re-sum only their
    communes, provinces and the nation, writing only the rows that changed. Idempotent.
    Returns how many villages."""
    now = now or timezone.now()
    village_ids = sorted(set(village_ids))
    if not village_ids:
        return 0
    bands = bands_active()
    periods = periods_covered(today=today)
    by_village, by_commune, _legacy = _legacy_contributions()
    write = _villages_write_sql if _sql_engine() else _villages_write
    write(village_ids=village_ids, periods=periods, bands=bands, now=now, legacy_villages=by_village)
    units = _village_units(village_ids)
    communes = {c for c, _p in units.values() if c}
    _communes_resum(commune_ids=communes, now=now, legacy_communes=by_commune)
    _provinces_resum(province_ids={p for _c, p in units.values() if p}, now=now)
    _nation_resum(now=now)
    return len(village_ids)


def villages_touched_since(*, visits_after, observations_after, households_after) -> set[int]:
    from community_teams.models import Household, StatusObservation

    touched: set[int] = set()
    for qs, col, after in (
        (SupportVisit.objects, "received_at", visits_after),
        (StatusObservation.objects, "created_at", observations_after),
        (Household.objects, "updated_at", households_after),
    ):
        if after is not None:
            qs = qs.filter(**{f"{col}__gt": after})
        touched.update(qs.values_list("village_id", flat=True).distinct())
    return touched


def rollups_refresh(*, now=None, today: datetime.date | None = None) -> int:
    """The incremental job: find the villages touched since the watermark (visits by
    `received_at`, observations by `created_at`, households — and so residents — by
    `updated_at`, each read again for OVERLAP to catch late commits), flag their new
    visits, recompute them and advance the watermark. Returns how many villages."""
    now = now or timezone.now()
    with transaction.atomic():
        mark, _c = RollupWatermark.objects.select_for_update().get_or_create(name="rollups")
        back = lambda t: t - OVERLAP if t else None  # noqa: E731
        since = back(mark.visits_until)
        quality_flags_detect(
            visit_ids=list(
                (
                    SupportVisit.objects.filter(received_at__gt=since)
                    if since
                    else SupportVisit.objects.all()
                ).values_list("pk", flat=True)
            ),
            today=today,
        )
        if mark.rebuilt_at is None and not Rollup.objects.exists():
            rollups_rebuild(now=now, today=today)
            count = -1
        else:
            villages = villages_touched_since(
                visits_after=since,
                observations_after=back(mark.observations_until),
                households_after=back(mark.households_until),
            )
            count = rollups_refresh_villages(village_ids=villages, now=now, today=today)
        RollupWatermark.objects.filter(pk=mark.pk).update(
            visits_until=now, observations_until=now, households_until=now, refreshed_at=now
        )
    return count


def rollups_refresh_enqueue() -> None:
    """Ask for an incremental refresh (one pending at a time)."""
    job_enqueue(task=REFRESH_JOB, kwargs={}, dedupe_key=REFRESH_JOB)


def _province_chunks(village_ids: list[int]) -> list[list[int]]:
    """The villages in batches of whole provinces, each of at most
    INDICATORS_REBUILD_CHUNK villages (unless one province alone has more): a batch is
    one set-based statement whose memory stays bounded."""
    size = getattr(settings, "INDICATORS_REBUILD_CHUNK", 20_000)
    by_province: dict[int | None, list[int]] = defaultdict(list)
    for vid, (_c, province_id) in _village_units(village_ids).items():
        by_province[province_id].append(vid)
    chunks: list[list[int]] = [[]]
    for province_id in sorted(by_province, key=lambda p: (p is None, p)):
        villages = sorted(by_province[province_id])
        if chunks[-1] and len(chunks[-1]) + len(villages) > size:
            chunks.append([])
        chunks[-1].extend(villages)
    return [c for c in chunks if c]


@transaction.atomic
def rollups_rebuild(*, now=None, today: datetime.date | None = None) -> int:
    """Recompute every rollup from the raw rows (nightly), in one transaction: readers
    see the old rows until it commits, never a half-built table. A row whose numbers
    did not change keeps its `computed_at`. On PostgreSQL the rollups are built into a
    new table and swapped in (rebuild_sql.py: villages set-based, one statement per
    batch of whole provinces); elsewhere only the rows that changed are written.
    Returns how many villages were computed."""
    from community_teams.models import Household, Team

    now = now or timezone.now()
    # Hold the watermark row: an incremental refresh waits until the rebuild commits.
    RollupWatermark.objects.select_for_update().get_or_create(name="rollups")
    bands = bands_active()
    periods = periods_covered(today=today)
    by_village, by_commune, legacy = _legacy_contributions()
    village_ids = sorted(
        set(Household.objects.values_list("village_id", flat=True).distinct())
        | set(Team.objects.values_list("village_id", flat=True))
        | {v for v, _c, _p in by_village}
    )
    if _sql_engine():
        rebuild_swap(
            village_chunks=_province_chunks(village_ids),
            periods=periods,
            bands=bands,
            now=now,
            legacy_villages=by_village,
            legacy_communes=by_commune,
            legacy=legacy,
        )
    else:
        wanted = set(village_ids)
        stale = [
            v
            for v in Rollup.objects.filter(level=Level.VILLAGE).values_list("unit_id", flat=True).distinct()
            if v not in wanted
        ]
        for i in range(0, len(stale), 10_000):
            Rollup.objects.filter(level=Level.VILLAGE, unit_id__in=stale[i : i + 10_000]).delete()
        _villages_write(
            village_ids=village_ids, periods=periods, bands=bands, now=now, legacy_villages=by_village
        )
        _communes_resum(commune_ids=None, now=now, legacy_communes=by_commune)
        _legacy_write(legacy=legacy, bands=bands, now=now)
        _provinces_resum(province_ids=None, now=now)
        _nation_resum(now=now)
    RollupWatermark.objects.update_or_create(
        name="rollups",
        defaults={"visits_until": now, "observations_until": now, "households_until": now, "rebuilt_at": now},
    )
    return len(village_ids)


# ---------------------------------------------------------------- legacy figures


@transaction.atomic
def recorded_figure_add(
    *,
    legacy_commune: AdministrativeUnit,
    indicator: str,
    period: str,
    numerator: int,
    denominator: int,
    source: str,
    village: AdministrativeUnit | None = None,
) -> RecordedFigure:
    """Record a pre-2025 figure for an old commune (or one of its villages, known today).
    The rollups take it at the next rebuild."""
    p = period_parse(period)
    errors = {}
    if legacy_commune.edition == "2025-07" or legacy_commune.level != "commune":
        errors["legacy_commune"] = _("Hãy chọn một xã trước sắp xếp năm 2025.")
    if p is None or p.end >= datetime.date(2025, 7, 1):
        errors["period"] = _("Kỳ báo cáo phải trước tháng 7/2025.")
    if village is not None and village.level != "village":
        errors["village"] = _("Hãy chọn một thôn.")
    if not 0 <= numerator <= denominator:
        errors["numerator"] = _("Tử số phải từ 0 đến mẫu số.")
    if errors:
        raise ValidationError(errors)
    return RecordedFigure.objects.create(
        legacy_commune=legacy_commune,
        village=village,
        indicator=indicator,
        period=period,
        numerator=numerator,
        denominator=denominator,
        source=source,
    )


# ---------------------------------------------------------------- data quality

MAX_VISITS_PER_MEMBER_DAY = 40
REPEAT_DAYS = 7


def quality_flags_detect(*, visit_ids: list, today: datetime.date | None = None) -> int:
    """Flag the given visits (current versions only) against the five rules. A flag is
    written once per visit and rule (unique constraint); reviewed flags stay reviewed.
    Returns how many flags were created."""
    from community_teams.models import Household, Resident

    if not visit_ids:
        return 0
    if len(visit_ids) > 5_000:
        return sum(
            quality_flags_detect(visit_ids=visit_ids[i : i + 5_000], today=today)
            for i in range(0, len(visit_ids), 5_000)
        )
    visits = list(
        SupportVisit.objects.filter(pk__in=visit_ids, replaced_by__isnull=True).values(
            "id", "member_id", "household_id", "visited_on", "commune_id", "received_at", "flagged"
        )
    )
    if not visits:
        return 0
    flags: list[QualityFlag] = []

    def flag(v, rule, detail=""):
        flags.append(
            QualityFlag(
                visit_id=v["id"],
                rule=rule,
                detail=detail[:255],
                commune_id=v["commune_id"],
                month=v["visited_on"].replace(day=1),
            )
        )

    current = SupportVisit.objects.filter(replaced_by__isnull=True)
    # Rule 1: more than 40 visits by one member in a day (every visit of that day is flagged).
    pairs = {(v["member_id"], v["visited_on"]) for v in visits}
    busy = {
        (r["member_id"], r["visited_on"]): r["n"]
        for r in current.filter(member_id__in={m for m, _d in pairs}, visited_on__in={d for _m, d in pairs})
        .values("member_id", "visited_on")
        .annotate(n=Count("id"))
        if (r["member_id"], r["visited_on"]) in pairs and r["n"] > MAX_VISITS_PER_MEMBER_DAY
    }
    if busy:
        q = Q()
        for m, d in busy:
            q |= Q(member_id=m, visited_on=d)
        for v in current.filter(q).values("id", "member_id", "visited_on", "commune_id"):
            flag(v, QualityFlag.Rule.MEMBER_DAY, f"{busy[(v['member_id'], v['visited_on'])]}")
    # Rule 2: the same activity for the same household twice within a week.
    ids = [v["id"] for v in visits]
    mine = list(
        VisitActivity.objects.filter(visit_id__in=ids).values(
            "visit_id", "activity__code", "visit__household_id", "visited_on"
        )
    )
    households = {a["visit__household_id"] for a in mine}
    lo = min(v["visited_on"] for v in visits) - datetime.timedelta(days=REPEAT_DAYS)
    hi = max(v["visited_on"] for v in visits) + datetime.timedelta(days=REPEAT_DAYS)
    others = defaultdict(list)
    for a in VisitActivity.objects.filter(
        visit__household_id__in=households, visited_on__range=(lo, hi), visit__replaced_by__isnull=True
    ).values("visit_id", "activity__code", "visit__household_id", "visited_on"):
        others[(a["visit__household_id"], a["activity__code"])].append((a["visited_on"], a["visit_id"]))
    by_id = {v["id"]: v for v in visits}
    repeat = set()
    for a in mine:
        for day, other in others[(a["visit__household_id"], a["activity__code"])]:
            if other != a["visit_id"] and abs((day - a["visited_on"]).days) < REPEAT_DAYS:
                repeat.add((a["visit_id"], a["activity__code"]))
    for visit_id, code in sorted(repeat, key=str):
        if not any(f.visit_id == visit_id and f.rule == QualityFlag.Rule.REPEAT_WEEK for f in flags):
            flag(by_id[visit_id], QualityFlag.Rule.REPEAT_WEEK, code)
    # Rule 3: one activity done more often in a visit than the household has people.
    size = {
        h["id"]: h["children_under_16"]
        for h in Household.objects.filter(pk__in=households).values("id", "children_under_16")
    }
    for r in (
        Resident.objects.filter(household_id__in=households, deleted=False)
        .values("household_id")
        .annotate(n=Count("id"))
    ):
        size[r["household_id"]] = size.get(r["household_id"], 0) + r["n"]
    per_code = defaultdict(int)
    for a in mine:
        per_code[(a["visit_id"], a["activity__code"])] += 1
    for (visit_id, code), n in per_code.items():
        household = by_id[visit_id]["household_id"]
        if n > size.get(household, 0):
            flag(by_id[visit_id], QualityFlag.Rule.ABOVE_HOUSEHOLD, f"{code}: {n} > {size.get(household, 0)}")
    # Rule 4: dated after the day it was received (Vietnam time).
    for v in visits:
        if v["visited_on"] > timezone.localdate(v["received_at"]):
            flag(v, QualityFlag.Rule.FUTURE)
    # Rule 5: received for a month its commune had already closed.
    closures = {
        (c, m): at
        for c, m, at in MonthClosure.objects.filter(
            commune_id__in={v["commune_id"] for v in visits}
        ).values_list("commune_id", "month", "closed_at")
    }
    for v in visits:
        at = closures.get((v["commune_id"], v["visited_on"].replace(day=1)))
        if v["flagged"] or (at is not None and v["received_at"] > at):
            flag(v, QualityFlag.Rule.CLOSED_MONTH)
    before = QualityFlag.objects.filter(visit_id__in={f.visit_id for f in flags}).count()
    QualityFlag.objects.bulk_create(flags, ignore_conflicts=True)
    return QualityFlag.objects.filter(visit_id__in={f.visit_id for f in flags}).count() - before


def _require_commune_officer(*, user, commune: AdministrativeUnit) -> None:
    if not roles_active_for(user=user).filter(role=Role.COMMUNE_OFFICER, unit=commune).exists():
        raise PermissionDenied(_("Chỉ cán bộ xã này được xem xét số liệu của xã."))


@transaction.atomic
def quality_flag_review(*, by, flag: QualityFlag, state: str) -> QualityFlag:
    """The commune officer accepts (the visit is right) or rejects a flag. The visit
    itself is never changed: a wrong visit is corrected by a new version from the team."""
    _require_commune_officer(user=by, commune=flag.commune)
    if state not in (QualityFlag.State.ACCEPTED, QualityFlag.State.REJECTED):
        raise ValidationError({"state": _("Hãy chọn “đúng” hoặc “không hợp lệ”.")})
    flag.state = state
    flag.reviewed_by = by
    flag.reviewed_at = timezone.now()
    flag.save(update_fields=["state", "reviewed_by", "reviewed_at"])
    return flag


@transaction.atomic
def month_approve(*, by, commune: AdministrativeUnit, month: datetime.date) -> MonthClosure:
    """The commune officer approves a month, which closes it (community_teams
    MonthClosure; part 1 has no service for it, so it is created here). Refused while
    flags of that month wait for review, or for the running or a future month. Visits
    for the month received later are kept and flagged (the sync rule) and come back to
    the review queue as "late for a closed month"."""
    _require_commune_officer(user=by, commune=commune)
    month = month.replace(day=1)
    if month >= timezone.localdate().replace(day=1):
        raise ValidationError(_("Chỉ khoá sổ được các tháng đã qua."))
    waiting = QualityFlag.objects.filter(commune=commune, month=month, state=QualityFlag.State.OPEN).count()
    if waiting:
        raise ValidationError(
            _("Còn %(n)s cảnh báo của tháng này chưa xem xét; hãy xem xét hết trước khi khoá sổ.")
            % {"n": waiting}
        )
    closure, _created = MonthClosure.objects.get_or_create(
        commune=commune, month=month, defaults={"closed_by": by}
    )
    return closure
