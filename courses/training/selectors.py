"""Reads for mandatory training. Scope questions go through lms.accounts selectors."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from lms.accounts.models import Role
from lms.accounts.selectors import agencies_visible_to, user_has_role
from lms.organisations.models import Agency

from .models import Employment, PlanAssignment, Position, PositionTarget, TrainingPlan


def agency_ancestor_ids(*, agency: Agency) -> list[int]:
    """Ids of `agency` and its ancestors, read from its materialised path (no query)."""
    return [int(part) for part in agency.path.strip("/").split("/") if part] or [agency.pk]


def positions_for_agency(*, agency: Agency) -> QuerySet[Position]:
    """Positions a person in `agency` may hold: owned by it or by an ancestor."""
    return Position.objects.filter(agency_id__in=agency_ancestor_ids(agency=agency)).order_by("name")


def position_target_for(*, position_id: int, year: int) -> PositionTarget | None:
    """The target in force in `year`: the version with the greatest year ≤ `year`."""
    return (
        PositionTarget.objects.filter(position_id=position_id, year__lte=year)
        .select_related("profile")
        .order_by("-year")
        .first()
    )


def is_training_manager(*, user) -> bool:
    return user.is_authenticated and (
        user.is_superuser
        or user_has_role(user=user, role=Role.TRAINING_MANAGER)
        or user_has_role(user=user, role=Role.PLATFORM_ADMIN)
    )


def managed_agencies(*, user) -> QuerySet[Agency]:
    """Agencies a manager may act on: agencies_visible_to, for training managers and
    nationwide roles only (a civil servant's own-agency visibility gives no management)."""
    if not is_training_manager(user=user):
        return Agency.objects.none()
    return agencies_visible_to(user=user)


def staff_visible_to(
    *,
    user,
    on: datetime.date | None = None,
    agency: Agency | None = None,
    q: str = "",
    category: str = "",
    position_id: int | None = None,
) -> QuerySet[Employment]:
    """Employments in force on `on` (today) within the manager's agencies, filtered."""
    on = on or timezone.localdate()
    qs = Employment.objects.active_on(on).filter(agency__in=managed_agencies(user=user))
    if agency is not None:
        qs = qs.filter(agency__path__startswith=agency.path)
    if category:
        qs = qs.filter(category=category)
    if position_id:
        qs = qs.filter(position_id=position_id)
    if q:
        from lms.core.text import fold

        folded = fold(q)
        qs = qs.filter(
            Q(user__full_name__icontains=q)
            | Q(user__email__icontains=q)
            | Q(user__phone__icontains=q)
            | Q(agency__name_folded__contains=folded)
        )
    return qs.select_related("user", "agency", "position").order_by("agency__name", "user__full_name", "pk")


def plans_visible_to(*, user) -> QuerySet[TrainingPlan]:
    """Plans a manager may see: those of agencies they manage, and those of agencies
    above them (a division's manager follows their division's share of a Sở-wide plan;
    the rows they see are still only their own agencies')."""
    from lms.accounts.selectors import roles_active_for

    managed = managed_agencies(user=user)
    above: set[int] = set()
    for agency in Agency.objects.filter(
        pk__in=roles_active_for(user=user).filter(role=Role.TRAINING_MANAGER).values("agency_id")
    ):
        above.update(agency_ancestor_ids(agency=agency))
    return (
        TrainingPlan.objects.filter(Q(agency__in=managed) | Q(agency_id__in=above))
        .select_related("agency")
        .annotate(
            n_assigned=Count(
                "assignments",
                filter=~Q(assignments__status=PlanAssignment.Status.EXEMPT)
                & Q(assignments__agency__in=managed),
            ),
            n_completed=Count(
                "assignments",
                filter=Q(assignments__status=PlanAssignment.Status.COMPLETED)
                & Q(assignments__agency__in=managed),
            ),
        )
        .order_by("-year", "name")
    )


def plan_assignments_visible_to(
    *, user, plan: TrainingPlan, status: str = "", overdue: bool = False, now: datetime.datetime | None = None
) -> QuerySet[PlanAssignment]:
    """The plan's assignments of people in the manager's agencies (a manager of a
    division sees only their division's rows of a province-wide plan)."""
    qs = PlanAssignment.objects.filter(plan=plan, agency__in=managed_agencies(user=user))
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(
            status__in=[PlanAssignment.Status.NOT_STARTED, PlanAssignment.Status.IN_PROGRESS],
            due_before__lte=now or timezone.now(),
        )
    return qs.select_related("user", "agency", "position").order_by("agency__name", "user__full_name", "pk")


@dataclass
class AssignmentView:
    assignment: PlanAssignment
    courses: list[dict] = field(default_factory=list)
    competences: list[dict] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return self.assignment.is_overdue(timezone.now())

    @property
    def days_left(self) -> int:
        return (self.assignment.due_on - timezone.localdate()).days


def assignments_for_person(*, user, year: int | None = None) -> list[AssignmentView]:
    """The person's assignments (this year's and later, or `year`'s), each with its
    required courses (done or not) and required competence levels (met or not).
    Four queries whatever the number of plans."""
    from courses.models import CourseCompletion

    from .models import PlanCompetence, SessionAttendance

    today = timezone.localdate()
    qs = PlanAssignment.objects.filter(user=user).select_related("plan", "plan__agency")
    qs = qs.filter(plan__year=year) if year else qs.filter(plan__year__gte=today.year)
    rows = list(qs.filter(left_on__isnull=True).order_by("due_on", "plan__name"))
    if not rows:
        return []
    plan_ids = [r.plan_id for r in rows]
    through = (
        TrainingPlan.courses.through.objects.filter(trainingplan_id__in=plan_ids)
        .select_related("coursepage")
        .only("trainingplan_id", "coursepage__id", "coursepage__title", "coursepage__url_path")
    )
    course_ids = set()
    by_plan_courses: dict[int, list] = {}
    for link in through:
        by_plan_courses.setdefault(link.trainingplan_id, []).append(link.coursepage)
        course_ids.add(link.coursepage_id)
    done = {}
    if course_ids:
        for cid, at in CourseCompletion.objects.filter(learner=user, course_id__in=course_ids).values_list(
            "course_id", "completed_at"
        ):
            done[cid] = at
        for cid, day in SessionAttendance.objects.filter(
            user=user, session__course_id__in=course_ids
        ).values_list("session__course_id", "session__date"):
            done.setdefault(cid, day)
    levels = list(
        PlanCompetence.objects.filter(plan_id__in=plan_ids).select_related(
            "competence", "competence__framework"
        )
    )
    from assessments.selectors import competence_levels

    derived = competence_levels(person=user, competences=[pc.competence for pc in levels]) if levels else {}
    views = []
    for row in rows:
        view = AssignmentView(assignment=row)
        for course in by_plan_courses.get(row.plan_id, []):
            view.courses.append(
                {"title": course.title, "url": course.url_path, "done": course.pk in done, "id": course.pk}
            )
        for pc in levels:
            if pc.plan_id != row.plan_id:
                continue
            current = derived[pc.competence_id].level if pc.competence_id in derived else None
            view.competences.append(
                {
                    "code": pc.competence.qualified_code,
                    "title": pc.competence.title,
                    "required": pc.level,
                    "current": current,
                    "met": (current or 0) >= pc.level,
                }
            )
        views.append(view)
    return views


def employment_current(*, user, on: datetime.date | None = None) -> Employment | None:
    return (
        Employment.objects.filter(user=user)
        .active_on(on or timezone.localdate())
        .select_related("agency", "position")
        .first()
    )


def my_training_context(*, user) -> dict:
    """Everything the "my required training" page shows, in six queries whatever the
    number of plans, courses and competences: the current employment (with the
    position's target profile for this year), this year's assignments, their courses
    with done flags, the required levels (position target and plans) with codes and
    titles, the evidence for them, and courses for the gaps."""
    from django.db.models import Exists, OuterRef, Subquery, Value
    from django.utils.translation import get_language

    from assessments.models import Evidence, TargetLevel
    from assessments.recommendations import recommendations_for
    from assessments.selectors import Gap, level_derive
    from courses.models import CourseCompletion
    from courses.selectors import page_url

    from .models import PlanCompetence, SessionAttendance

    today = timezone.localdate()
    target_sq = (
        PositionTarget.objects.filter(position_id=OuterRef("position_id"), year__lte=today.year)
        .order_by("-year")
        .values("profile_id")[:1]
    )
    employment = (
        Employment.objects.filter(user=user)
        .active_on(today)
        .select_related("agency", "position")
        .annotate(target_id=Subquery(target_sq))
        .first()
    )
    assignments = list(
        PlanAssignment.objects.filter(user=user, plan__year__gte=today.year, left_on__isnull=True)
        .select_related("plan", "certificate")
        .order_by("due_on", "plan__name")
    )
    plan_ids = [a.plan_id for a in assignments]
    courses_by_plan: dict[int, list[dict]] = {}
    if plan_ids:
        links = (
            TrainingPlan.courses.through.objects.filter(trainingplan_id__in=plan_ids)
            .annotate(
                completed=Exists(
                    CourseCompletion.objects.filter(learner=user, course_id=OuterRef("coursepage_id"))
                ),
                attended=Exists(
                    SessionAttendance.objects.filter(user=user, session__course_id=OuterRef("coursepage_id"))
                ),
            )
            .values_list(
                "trainingplan_id",
                "coursepage_id",
                "coursepage__title",
                "coursepage__url_path",
                "completed",
                "attended",
            )
        )
        for plan_id, course_id, title, url_path, completed, attended in links:
            courses_by_plan.setdefault(plan_id, []).append(
                {
                    "id": course_id,
                    "title": title,
                    "url": page_url(url_path=url_path),
                    "done": completed or attended,
                }
            )
    # Required levels: the position's target (plan 0) and the plans', one UNION query.
    columns = (
        "competence_id",
        "level",
        "competence__code",
        "competence__framework__code",
        "competence__title_vi",
        "competence__title_en",
    )
    parts = []
    if employment is not None and employment.target_id:
        parts.append(
            TargetLevel.objects.filter(target_id=employment.target_id)
            .annotate(plan=Value(0))
            .values_list(*columns, "plan")
        )
    if plan_ids:
        parts.append(PlanCompetence.objects.filter(plan_id__in=plan_ids).values_list(*columns, "plan_id"))
    required_rows = list(parts[0].union(*parts[1:], all=True)) if parts else []
    english = (get_language() or "vi").startswith("en")
    derived = {}
    if required_rows:
        records: dict[int, list] = {}
        for record in Evidence.objects.filter(person=user, competence_id__in={r[0] for r in required_rows}):
            records.setdefault(record.competence_id, []).append(record)
        derived = {cid: level_derive(records=recs).level for cid, recs in records.items()}
    target_rows, plan_levels = [], {}
    for cid, level, code, fw, title_vi, title_en, plan in required_rows:
        row = {
            "code": f"{fw}:{code}",
            "title": (title_en if english and title_en else title_vi),
            "required": level,
            "current": derived.get(cid),
            "met": (derived.get(cid) or 0) >= level,
        }
        if plan == 0:
            target_rows.append(row)
        else:
            plan_levels.setdefault(plan, []).append(row)
    target_rows.sort(key=lambda r: r["code"])
    gaps = [
        Gap(
            competence_code=r["code"],
            competence_title=r["title"],
            required=r["required"],
            current=r["current"],
        )
        for r in target_rows
        if not r["met"]
    ]
    for rows in plan_levels.values():
        gaps.extend(
            Gap(
                competence_code=r["code"],
                competence_title=r["title"],
                required=r["required"],
                current=r["current"],
            )
            for r in rows
            if not r["met"]
        )
    now = timezone.now()
    views = []
    for a in assignments:
        views.append(
            {
                "assignment": a,
                "plan": a.plan,
                "courses": courses_by_plan.get(a.plan_id, []),
                "levels": plan_levels.get(a.plan_id, []),
                "overdue": a.is_overdue(now),
                "days_left": (a.due_on - today).days,
            }
        )
    return {
        "employment": employment,
        "assignments": views,
        "target_rows": target_rows,
        "recommendations": recommendations_for(person=user, gaps=gaps) if gaps else [],
        "today": today,
    }
