"""Reads of compliance figures. `compliance_for_agency` is THE selector: the dashboard,
both exports and the API all show what it returns, and it reads only rollups (a fixed
number of queries, whatever the size of the agency tree)."""

import datetime
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Case, F, IntegerField, Q, QuerySet, Sum, When
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from courses.training.models import PlanAssignment, Position, StaffCategory, TrainingPlan
from lms.accounts.models import NATIONWIDE_ROLES, Role
from lms.accounts.selectors import agencies_visible_to, roles_active_for
from lms.organisations.models import Agency

from .models import AreaRollup, AssignmentRollup, CompetenceRollup, MonthRollup, RollupState, StaffRollup

SUBTREE_IDS_MAX = 2000
FIGURE_KEYS = ("assigned", "on_time", "late", "in_progress", "not_started", "overdue", "exempt")


def compliance_agencies_for(*, user, on: datetime.date | None = None) -> QuerySet[Agency]:
    """Agencies whose compliance a user may see: the subtree of each agency they are a
    training manager of (every agency for national officers, platform administrators and
    superusers). A manager's own civil-servant agency elsewhere is NOT included: the
    dashboard lists people, and a manager sees people of their subtree only."""
    visible = agencies_visible_to(user=user, on=on)
    if not user.is_authenticated:
        return visible
    roles = list(roles_active_for(user=user, on=on).select_related("agency"))
    if user.is_superuser or any(r.role in NATIONWIDE_ROLES for r in roles):
        return visible
    paths = sorted({r.agency.path for r in roles if r.role == Role.TRAINING_MANAGER and r.agency_id})
    if not paths:
        return Agency.objects.none()
    return visible.filter(reduce(or_, (Q(path__startswith=p) for p in paths)))


def compliance_roots_for(*, user) -> list[Agency]:
    """The top agencies of a user's compliance scope (those whose parent is outside it)."""
    agencies = list(compliance_agencies_for(user=user).only("id", "name", "path", "parent_id"))
    ids = {a.pk for a in agencies}
    return sorted((a for a in agencies if a.parent_id not in ids), key=lambda a: a.name)


@dataclass
class Figures:
    assigned: int = 0
    on_time: int = 0
    late: int = 0
    in_progress: int = 0
    not_started: int = 0
    overdue: int = 0
    exempt: int = 0

    def add(self, other: "Figures") -> None:
        for key in FIGURE_KEYS:
            setattr(self, key, getattr(self, key) + getattr(other, key))

    @property
    def completed(self) -> int:
        return self.on_time + self.late

    @property
    def completed_percent(self) -> int:
        return round(100 * self.completed / self.assigned) if self.assigned else 0

    @property
    def overdue_percent(self) -> int:
        return round(100 * self.overdue / self.assigned) if self.assigned else 0

    def as_dict(self) -> dict[str, int]:
        return {key: getattr(self, key) for key in FIGURE_KEYS} | {"completed": self.completed}


@dataclass
class Row:
    key: object
    label: str
    figures: Figures
    agency: Agency | None = None
    has_children: bool = False


@dataclass
class MonthRow:
    month: int
    assigned: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0

    @property
    def completed(self) -> int:
        return self.on_time + self.late

    @property
    def completed_percent(self) -> int:
        return round(100 * self.completed / self.assigned) if self.assigned else 0


@dataclass
class WeakCompetence:
    code: str
    title: str
    area: str
    with_target: int
    below: int

    @property
    def below_percent(self) -> int:
        return round(100 * self.below / self.with_target) if self.with_target else 0


@dataclass
class AgencyCompliance:
    agency: Agency
    year: int
    plan: TrainingPlan | None
    now: datetime.datetime
    refreshed_at: datetime.datetime | None
    totals: Figures
    direct: Figures  # people counted in the agency itself, not in a unit below it
    children: list[Row]
    by_position: list[Row]
    by_category: list[Row]
    months: list[MonthRow]
    weakest: list[WeakCompetence]
    plans: list[TrainingPlan] = field(default_factory=list)

    @property
    def date_from(self) -> datetime.date:
        return datetime.date(self.year, 1, 1)

    @property
    def date_to(self) -> datetime.date:
        return datetime.date(self.year, 12, 31)


def _child_of(agency: Agency, path: str) -> int | None:
    """Id of the child of `agency` whose subtree holds `path` (None: the agency itself)."""
    rest = path[len(agency.path):]
    return int(rest.split("/", 1)[0]) if rest else None


def compliance_for_agency(
    *, agency: Agency, year: int, plan_id: int | None = None, now: datetime.datetime | None = None,
    weakest: int = 5,
) -> AgencyCompliance:
    """The compliance figures of `agency` and its whole subtree for `year` (one plan or
    all plans of the year): totals, the agency's own staff, each child agency (rolled up),
    by position, by category, the month trend and the `weakest` competences. Reads only
    rollups; the caller checks scope (compliance_agencies_for)."""
    now = now or timezone.now()
    subtree = list(Agency.objects.within(agency).values_list("id", "name", "path", "parent_id"))
    paths = {pk: path for pk, _n, path, _p in subtree}
    parents = {parent for _pk, _n, _path, parent in subtree}
    children = {pk: Agency(pk=pk, name=name, path=path, parent_id=parent)
                for pk, name, path, parent in subtree if parent == agency.pk}

    # A subtree of up to SUBTREE_IDS_MAX agencies is read by id (index lookups on
    # (year, agency)); a bigger one (a whole ministry or the nation) by the path join.
    within = (Q(agency_id__in=list(paths)) if len(paths) <= SUBTREE_IDS_MAX
              else Q(agency__path__startswith=agency.path))
    plans = list(TrainingPlan.objects.filter(
        year=year, pk__in=AssignmentRollup.objects.filter(within, year=year).values("plan_id"),
    ).order_by("name").only("id", "name", "year", "deadline"))
    plan = next((p for p in plans if p.pk == plan_id), None) if plan_id else None
    plan_id = plan.pk if plan else None  # a plan outside the scope or year: all plans
    filters = Q(year=year) & within
    if plan_id:
        filters &= Q(plan_id=plan_id)
    rollups = (
        AssignmentRollup.objects.filter(filters).order_by()
        .values("agency_id", "position_id", "category")
        .annotate(
            assigned_s=Sum("assigned"), on_time_s=Sum("on_time"), late_s=Sum("late"),
            in_progress_s=Sum("in_progress"), not_started_s=Sum("not_started"), exempt_s=Sum("exempt"),
            overdue_s=Sum(Case(When(due_before__lte=now, then=F("in_progress") + F("not_started")),
                               default=0, output_field=IntegerField())),
        )
    )
    totals, direct = Figures(), Figures()
    by_child: dict[int, Figures] = {pk: Figures() for pk in children}
    by_position: dict[int | None, Figures] = {}
    by_category: dict[str, Figures] = {}
    for r in rollups:
        f = Figures(*(r[f"{k}_s"] or 0 for k in FIGURE_KEYS))
        totals.add(f)
        child = _child_of(agency, paths.get(r["agency_id"], agency.path))
        (by_child[child] if child in by_child else direct).add(f)
        by_position.setdefault(r["position_id"], Figures()).add(f)
        by_category.setdefault(r["category"], Figures()).add(f)

    position_names = dict(
        Position.objects.filter(pk__in=[p for p in by_position if p]).values_list("pk", "name"))
    categories = dict(StaffCategory.choices)

    month_qs = MonthRollup.objects.filter(filters).order_by().values("month").annotate(
        a=Sum("assigned"), o=Sum("on_time"), la=Sum("late"), ov=Sum("overdue"))
    months = {r["month"]: MonthRow(month=r["month"], assigned=r["a"], on_time=r["o"], late=r["la"],
                                   overdue=r["ov"]) for r in month_qs}
    last = max(months, default=0)

    comp = (
        CompetenceRollup.objects.filter(within, year=year).order_by()
        .values("competence_id", "competence__code", "competence__framework__code",
                "competence__title_vi", "competence__title_en", "competence__area__title_vi",
                "competence__area__title_en")
        .annotate(w=Sum("with_target"), b=Sum("below"))
    )
    english = (get_language() or "vi").startswith("en")
    weak = [
        WeakCompetence(
            code=f"{r['competence__framework__code']}:{r['competence__code']}",
            title=(english and r["competence__title_en"]) or r["competence__title_vi"],
            area=(english and r["competence__area__title_en"]) or r["competence__area__title_vi"],
            with_target=r["w"], below=r["b"],
        )
        for r in comp if r["w"]
    ]
    weak.sort(key=lambda w: (-w.below / w.with_target, -w.below, w.code))

    state = RollupState.objects.filter(year=year).values_list("refreshed_at", flat=True).first()

    return AgencyCompliance(
        agency=agency, year=year, plan=plan, now=now, refreshed_at=state,
        totals=totals, direct=direct,
        children=sorted(
            (Row(key=pk, label=a.name, figures=by_child[pk], agency=a, has_children=pk in parents)
             for pk, a in children.items()),
            key=lambda row: row.label,
        ),
        by_position=sorted(
            (Row(key=pk, label=position_names.get(pk) or _("(chưa có chức danh)"), figures=f)
             for pk, f in by_position.items()),
            key=lambda row: (-row.figures.assigned, row.label),
        ),
        by_category=[Row(key=code, label=str(label), figures=by_category[code])
                     for code, label in categories.items() if code in by_category],
        months=[months.get(m) or MonthRow(month=m) for m in range(1, last + 1)],
        weakest=weak[:weakest],
        plans=plans,
    )


@dataclass
class AreaShare:
    framework: str
    code: str
    title: str
    with_target: int
    at_level: int

    @property
    def percent(self) -> int:
        return round(100 * self.at_level / self.with_target) if self.with_target else 0


@dataclass
class DtiEvidence:
    agency: Agency
    year: int
    now: datetime.datetime
    refreshed_at: datetime.datetime | None
    staff: int
    trained: int
    areas: list[AreaShare]

    @property
    def trained_percent(self) -> int:
        return round(100 * self.trained / self.staff) if self.staff else 0

    @property
    def date_from(self) -> datetime.date:
        return datetime.date(self.year, 1, 1)

    @property
    def date_to(self) -> datetime.date:
        return min(datetime.date(self.year, 12, 31), timezone.localdate(self.now))


def dti_evidence_for_agency(
    *, agency: Agency, year: int, now: datetime.datetime | None = None
) -> DtiEvidence:
    """Human-resources evidence for the provincial DTI: staff with mandatory training this
    year and how many completed all of it; per competence area, the share of staff whose
    position requires it who reach every required level. From rollups only."""
    now = now or timezone.now()
    within = Q(year=year, agency__path__startswith=agency.path)
    staff = StaffRollup.objects.filter(within).aggregate(s=Sum("staff"), t=Sum("trained"))
    english = (get_language() or "vi").startswith("en")
    areas = [
        AreaShare(framework=r["area__framework__code"], code=r["area__code"],
                  title=(english and r["area__title_en"]) or r["area__title_vi"],
                  with_target=r["w"], at_level=r["a"])
        for r in AreaRollup.objects.filter(within)
        .order_by("area__framework__code", "area__ordering", "area__code")
        .values("area__framework__code", "area__code", "area__title_vi", "area__title_en", "area__ordering")
        .annotate(w=Sum("with_target"), a=Sum("at_level"))
    ]
    state = RollupState.objects.filter(year=year).values_list("refreshed_at", flat=True).first()
    return DtiEvidence(agency=agency, year=year, now=now, refreshed_at=state, staff=staff["s"] or 0,
                       trained=staff["t"] or 0, areas=areas)


def people_for_agency(
    *, agency: Agency, year: int, plan_id: int | None = None
) -> QuerySet[PlanAssignment]:
    """Assignments of the people counted directly in `agency` in `year` (the drill-down's
    last step), ordered by name; paginate it."""
    qs = PlanAssignment.objects.filter(agency=agency, plan__year=year)
    if plan_id:
        qs = qs.filter(plan_id=plan_id)
    return qs.select_related("user", "plan", "position").order_by("user__full_name", "user_id", "plan__name")
