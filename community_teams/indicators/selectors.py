"""Reads: applicable targets, dashboards (rollups only, a fixed number of queries), the
list behind a figure, the review queue."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from lms.accounts.models import NATIONWIDE_ROLES, Role
from lms.accounts.selectors import roles_active_for, units_visible_to
from lms.places.models import CURRENT_EDITION, AdministrativeUnit

from .compute import Band, village_figures
from .models import IndicatorDefinition, Level, QualityFlag, Rollup, Target
from .periods import Period, period_parse, periods_covered
from .services import target_pick

CHILD_LEVEL = {
    Level.NATION: Level.PROVINCE,
    Level.PROVINCE: Level.COMMUNE,
    Level.COMMUNE: Level.VILLAGE,
    Level.VILLAGE: None,
}
PARENT_COLUMN = {Level.PROVINCE: "province_id", Level.COMMUNE: "commune_id"}


def _chain(unit: AdministrativeUnit | None) -> list[int | None]:
    if unit is None:
        return [None]
    ids = [int(x) for x in unit.path.strip("/").split("/") if x]
    return [*reversed(ids), None]


def target_applicable(
    *,
    unit: AdministrativeUnit | None,
    indicator_code: str,
    year: int,
    definition: IndicatorDefinition | None = None,
) -> Target | None:
    """The target a figure of `unit` for a period of `year` is compared with: the unit's
    own, else the nearest ancestor's, else the national one — each time the target for
    the nearest year at or after `year`. One query."""
    definition = definition or IndicatorDefinition.objects.filter(code=indicator_code).first()
    code = definition.target_code if definition else indicator_code
    chain = _chain(unit)
    targets = list(
        Target.objects.filter(target_code=code).filter(
            Q(unit_id__in=[u for u in chain if u is not None]) | Q(unit__isnull=True)
        )
    )
    return target_pick(targets=targets, chain=chain, year=year)


def percent(num: int, den: int) -> Decimal | None:
    if not den:
        return None
    return (Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.1"))


@dataclass
class Figure:
    key: str  # period key or unit id
    label: str
    numerator: int = 0
    denominator: int = 0
    computed_at: datetime.datetime | None = None
    unit: AdministrativeUnit | None = None
    legacy: bool = False

    @property
    def percent(self) -> Decimal | None:
        return percent(self.numerator, self.denominator)


@dataclass
class Dashboard:
    unit: AdministrativeUnit | None
    level: str
    indicator: IndicatorDefinition
    period: Period
    figure: Figure
    target: Target | None
    trend: list[Figure]
    children: list[Figure]
    child_level: str | None
    computed_at: datetime.datetime | None
    definitions: list[IndicatorDefinition] = field(default_factory=list)

    @property
    def gap(self) -> Decimal | None:
        if self.target is None or self.figure.percent is None:
            return None
        return self.figure.percent - self.target.percent

    @property
    def gap_abs(self) -> Decimal | None:
        return abs(self.gap) if self.gap is not None else None

    @property
    def best(self) -> list[Figure]:
        return [c for c in self.children if c.percent is not None][:3]

    @property
    def worst(self) -> list[Figure]:
        ranked = [c for c in self.children if c.percent is not None]
        return list(reversed(ranked[-3:])) if len(ranked) > 3 else []


def unit_level(unit: AdministrativeUnit | None) -> str:
    return Level.NATION if unit is None else unit.level


def trend_periods(period: Period) -> list[str]:
    """The periods of the trend ending with `period`: 12 months, 8 quarters or the years."""
    covered = [p for p in periods_covered() if p.kind == period.kind and p.end <= period.end]
    if period.key not in {p.key for p in covered}:
        covered.append(period)
    size = {"month": 12, "quarter": 8, "year": 10}[period.kind]
    return [p.key for p in covered[-size:]]


def _own_filter(unit: AdministrativeUnit | None) -> Q:
    return Q(level=Level.NATION, unit__isnull=True) if unit is None else Q(level=unit.level, unit=unit)


def _children_qs(unit: AdministrativeUnit | None, code: str, periods: list[str]) -> QuerySet[Rollup]:
    level = unit_level(unit)
    child = CHILD_LEVEL[level]
    qs = Rollup.objects.filter(indicator=code, period__in=periods).select_related("unit")
    if child is None:
        return qs.none()
    if unit is None:
        return qs.filter(Q(level=Level.PROVINCE) | Q(level=Level.LEGACY, province__isnull=True))
    condition = Q(level=child, **{PARENT_COLUMN[level]: unit.pk})
    if level == Level.PROVINCE:
        condition |= Q(level=Level.LEGACY, province_id=unit.pk)
    return qs.filter(condition)


def _figure_from(row: Rollup) -> Figure:
    return Figure(
        key=str(row.unit_id or ""),
        label=row.unit.name if row.unit_id else "",
        numerator=row.numerator,
        denominator=row.denominator,
        computed_at=row.computed_at,
        unit=row.unit,
        legacy=row.level == Level.LEGACY,
    )


def indicator_dashboard(
    *,
    unit: AdministrativeUnit | None,
    indicator: IndicatorDefinition,
    period: Period,
    definitions: list[IndicatorDefinition],
) -> Dashboard:
    """Everything a dashboard shows for one unit (None = nation), indicator and period,
    from the rollups only: the figure, its trend, the target, the units below ranked
    best first. Three queries whatever the number of units below."""
    code = indicator.code
    trend_keys = trend_periods(period)
    own = {
        r.period: r for r in Rollup.objects.filter(_own_filter(unit), indicator=code, period__in=trend_keys)
    }
    trend = []
    for key in trend_keys:
        r = own.get(key)
        trend.append(
            Figure(
                key=key,
                label=key,
                numerator=r.numerator if r else 0,
                denominator=r.denominator if r else 0,
                computed_at=r.computed_at if r else None,
            )
        )
    figure = next((f for f in trend if f.key == period.key), Figure(key=period.key, label=period.key))
    children = [_figure_from(r) for r in _children_qs(unit, code, [period.key])]
    children.sort(key=lambda f: (f.percent is None, -(f.percent or 0), f.label))
    target = target_applicable(unit=unit, indicator_code=code, year=period.year, definition=indicator)
    stamps = [f.computed_at for f in [figure, *children] if f.computed_at]
    return Dashboard(
        unit=unit,
        level=unit_level(unit),
        indicator=indicator,
        period=period,
        figure=figure,
        target=target,
        trend=trend,
        children=children,
        child_level=CHILD_LEVEL[unit_level(unit)],
        computed_at=min(stamps) if stamps else None,
        definitions=definitions,
    )


def provinces_tiles(*, indicator: IndicatorDefinition, period: Period) -> list[Figure]:
    """Every province (current edition) with its figure, in code order: the tile grid.
    Two queries."""
    rows = {
        r.unit_id: r
        for r in Rollup.objects.filter(level=Level.PROVINCE, indicator=indicator.code, period=period.key)
    }
    tiles = []
    for p in AdministrativeUnit.objects.filter(edition=CURRENT_EDITION, level="province").order_by("code"):
        r = rows.get(p.pk)
        tiles.append(
            Figure(
                key=str(p.pk),
                label=p.name,
                unit=p,
                numerator=r.numerator if r else 0,
                denominator=r.denominator if r else 0,
                computed_at=r.computed_at if r else None,
            )
        )
    return tiles


def export_rows(*, unit: AdministrativeUnit | None, period: Period) -> list[dict]:
    """Every indicator for the unit and the units below it, for one period (exports)."""
    definitions = {d.code: d for d in IndicatorDefinition.objects.filter(active=True)}
    rows = []
    qs = Rollup.objects.filter(period=period.key, indicator__in=list(definitions)).select_related("unit")
    level = unit_level(unit)
    child = CHILD_LEVEL[level]
    condition = _own_filter(unit)
    if child is not None:
        if unit is None:
            condition |= Q(level=Level.PROVINCE)
        else:
            condition |= Q(level=child, **{PARENT_COLUMN[level]: unit.pk})
    for r in qs.filter(condition).order_by("level", "unit__name", "indicator"):
        d = definitions[r.indicator]
        rows.append(
            {
                "level": str(Level(r.level).label),
                "unit": r.unit.name if r.unit_id else str(Level.NATION.label),
                "indicator_name_en": d.name_en,
                "unit_code": r.unit.code if r.unit_id else "",
                "indicator": r.indicator,
                "indicator_name": d.name_vi,
                "period": r.period,
                "numerator": r.numerator,
                "denominator": r.denominator,
                "percent": percent(r.numerator, r.denominator),
                "computed_at": timezone.localtime(r.computed_at).strftime("%Y-%m-%d %H:%M"),
            }
        )
    return rows


def dashboard_units_for(*, user) -> tuple[bool, list[AdministrativeUnit]]:
    """(sees the nation, the top units the user holds an officer or team role over)."""
    if user.is_superuser:
        return True, []
    roles = list(roles_active_for(user=user).select_related("unit"))
    if any(a.role in NATIONWIDE_ROLES for a in roles):
        return True, []
    officer = (Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER, Role.TEAM_LEADER, Role.TEAM_MEMBER)
    return False, sorted({a.unit for a in roles if a.role in officer and a.unit_id}, key=lambda u: u.path)


def unit_for_viewer(*, user, unit_id: int) -> AdministrativeUnit | None:
    return units_visible_to(user=user).filter(pk=unit_id).select_related("parent__parent").first()


def figure_members(
    *, village: AdministrativeUnit, indicator: IndicatorDefinition, period: Period
) -> list[dict]:
    """Who a village figure counts: every household or resident in the population, and
    whether it is in the numerator. Computed from the raw rows of that one village (the
    same code as the rollup), so the list always adds up to the figure's rule."""
    trace: list = []
    village_figures(
        village_ids=[village.pk],
        periods=[period],
        bands={indicator.code: Band(indicator.code, indicator.min_age, indicator.max_age)},
        trace=trace,
    )
    from community_teams.models import Household, Resident

    items = [t for t in trace if t[0] == indicator.code and t[1] == period.key]
    households = {h.pk: h for h in Household.objects.filter(pk__in={t[4] for t in items})}
    residents = {r.pk: r for r in Resident.objects.filter(pk__in={t[3] for t in items if t[2] == "resident"})}
    result = []
    for _code, _p, kind, subject, household_id, counted in items:
        h = households.get(household_id)
        r = residents.get(subject) if kind == "resident" else None
        result.append(
            {
                "household": h,
                "resident": r,
                "counted": counted,
            }
        )
    result.sort(key=lambda x: (not x["counted"], x["household"].label if x["household"] else ""))
    return result


def review_queue(
    *, commune: AdministrativeUnit, state: str = QualityFlag.State.OPEN
) -> QuerySet[QualityFlag]:
    return (
        QualityFlag.objects.filter(commune=commune, state=state)
        .select_related("visit__household", "visit__member", "visit__village", "reviewed_by")
        .order_by("-month", "visit__visited_on", "pk")
    )


def communes_reviewed_by(*, user) -> list[AdministrativeUnit]:
    return [
        a.unit
        for a in roles_active_for(user=user).filter(role=Role.COMMUNE_OFFICER).select_related("unit")
        if a.unit_id
    ]


def period_or_default(key: str | None) -> Period:
    p = period_parse(key or "")
    today = timezone.localdate()
    if p is None or p.start > today:
        return period_parse(f"{today.year}-{today.month:02d}")
    return p


def team_overview(*, village: AdministrativeUnit, period: Period) -> dict:
    """A team's own page: its village's figures for the period (rollups), the households
    not visited in the period, its recent visits (current versions). Four queries."""
    from community_teams.models import Household, SupportVisit

    figures = {
        r.indicator: r for r in Rollup.objects.filter(level=Level.VILLAGE, unit=village, period=period.key)
    }
    definitions = list(IndicatorDefinition.objects.filter(active=True))
    progress = []
    for d in definitions:
        r = figures.get(d.code)
        progress.append(
            Figure(
                key=d.code,
                label=d.name_vi,
                numerator=r.numerator if r else 0,
                denominator=r.denominator if r else 0,
                computed_at=r.computed_at if r else None,
            )
        )
    visited = SupportVisit.objects.filter(
        village=village, visited_on__range=(period.start, period.end), replaced_by__isnull=True
    ).values("household_id")
    to_visit = (
        Household.objects.filter(village=village, deleted=False).exclude(pk__in=visited).order_by("label")
    )
    recent = list(
        SupportVisit.objects.filter(village=village, replaced_by__isnull=True)
        .select_related("household", "member")
        .order_by("-visited_on", "-received_at")[:20]
    )
    return {"progress": progress, "to_visit": to_visit, "recent": recent}
