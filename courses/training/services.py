"""Writes for mandatory training: employment history, positions and their targets,
plans and each person's assignment, exemptions, extensions, in-person sessions.

Rules in docs/training.md. Every service that changes assignment rows tells
`hooks.assignments_changed` (the compliance dashboard marks its aggregates dirty there).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import Competence, Evidence, TargetLevel, TargetProfile
from assessments.selectors import level_derive
from courses.models import CourseCompletion, CoursePage, Enrolment
from lms.accounts.models import Role
from lms.accounts.services import role_assign, role_end
from lms.organisations.models import Agency

from .hooks import assignments_changed
from .models import (
    VN_TZ,
    Employment,
    InPersonSession,
    PlanAssignment,
    PlanCompetence,
    Position,
    PositionTarget,
    SessionAttendance,
    StaffCategory,
    TrainingPlan,
    deadline_instant,
)
from .selectors import agency_ancestor_ids

User = get_user_model()
DEFAULT_FRAMEWORK = "digcomp-2.2"
REFRESH_BATCH = 2000  # rows per assignments_refresh call (bounded IN lists and memory)
Status = PlanAssignment.Status


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, tzinfo=VN_TZ)


# --- Positions and their target profiles ---------------------------------------------


@transaction.atomic
def position_create(*, agency: Agency, code: str, name: str) -> Position:
    """A position owned by `agency` (usable in its whole subtree).

    Rules: code unique within the owning agency; name not empty."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Hãy nhập tên chức danh.")})
    if Position.objects.filter(agency=agency, code=code).exists():
        raise ValidationError(
            {"code": _("Mã chức danh “%(code)s” đã có trong cơ quan này.") % {"code": code}}
        )
    position = Position(agency=agency, code=code, name=name)
    position.full_clean()
    position.save()
    return position


def _competence(ref: Competence | str) -> Competence:
    if isinstance(ref, Competence):
        return ref
    from assessments.services import competence_by_code

    return competence_by_code(code=ref)


@transaction.atomic
def position_target_set(
    *,
    position: Position,
    year: int,
    levels: dict[Competence | str, int],
    framework_code: str = DEFAULT_FRAMEWORK,
    by=None,
) -> PositionTarget:
    """Set the position's required levels from `year` on.

    Rules: levels are 1–8 for competences of `framework_code` (DigComp 2.2 by default);
    at least one level; the year's version is its own TargetProfile, so editing this
    year's never touches an earlier year's (against which earlier figures were counted).
    Editing the same year again replaces that year's levels.
    """
    if not levels:
        raise ValidationError(_("Hãy nêu ít nhất một năng lực và bậc yêu cầu."))
    resolved: dict[Competence, int] = {}
    for ref, level in levels.items():
        competence = _competence(ref)
        if competence.framework.code != framework_code:
            raise ValidationError(
                _("Năng lực “%(c)s” không thuộc khung %(f)s.") % {"c": competence.code, "f": framework_code}
            )
        try:
            level = int(level)
        except (TypeError, ValueError):
            raise ValidationError(_("Bậc phải là số từ 1 đến 8.")) from None
        if not 1 <= level <= 8:
            raise ValidationError(_("Bậc phải là số từ 1 đến 8."))
        resolved[competence] = level
    framework = next(iter(resolved)).framework
    row = PositionTarget.objects.filter(position=position, year=year).select_related("profile").first()
    if row is None:
        profile = TargetProfile.objects.create(
            framework=framework,
            code=f"training-position-{position.pk}-{year}",
            name=f"{position.name} ({year})",
            year=year,
        )
        row = PositionTarget.objects.create(position=position, year=year, profile=profile, updated_by=by)
    else:
        profile = row.profile
        profile.name = f"{position.name} ({year})"
        profile.save(update_fields=["name"])
        TargetLevel.objects.filter(target=profile).delete()
        row.updated_by = by
        row.save(update_fields=["updated_by", "updated_at"])
    TargetLevel.objects.bulk_create(
        [TargetLevel(target=profile, competence=c, level=lv) for c, lv in resolved.items()]
    )
    return row


# --- Employment ----------------------------------------------------------------------


def _lock_user(user) -> None:
    # Serialises employment changes of one person (the overlap check below is then safe).
    User.objects.select_for_update().filter(pk=user.pk).first()


def _check_position(position: Position | None, agency: Agency) -> None:
    if position is not None and position.agency_id not in agency_ancestor_ids(agency=agency):
        raise ValidationError(
            {
                "position": _("Chức danh “%(p)s” không dùng được ở “%(a)s”.")
                % {"p": position.name, "a": agency.name}
            }
        )


@transaction.atomic
def employment_start(
    *,
    user,
    agency: Agency,
    category: str,
    position: Position | None = None,
    valid_from: datetime.date | None = None,
    by=None,
) -> Employment:
    """`user` starts working in `agency` on `valid_from` (today by default).

    Rules: the category is one of StaffCategory; the position is owned by the agency or
    an ancestor; the person has no other employment on or after `valid_from` (end or
    move the current one first); a civil_servant role over the agency is given from
    the same day; every open plan covering the agency, position and category is
    assigned to them at once.
    """
    valid_from = valid_from or timezone.localdate()
    if category not in StaffCategory.values:
        raise ValidationError({"category": _("Phân loại “%(c)s” không hợp lệ.") % {"c": category}})
    _check_position(position, agency)
    _lock_user(user)
    if Employment.objects.filter(user=user).overlapping(valid_from, None).exists():
        raise ValidationError(
            _("%(name)s đang có quá trình công tác trùng thời gian; hãy kết thúc hoặc chuyển công tác trước.")
            % {"name": user.display_name}
        )
    role = role_assign(
        user=user,
        role=Role.CIVIL_SERVANT,
        agency=agency,
        valid_from=valid_from,
        position=position.name if position else "",
        granted_by=by,
    )
    employment = Employment(
        user=user,
        agency=agency,
        position=position,
        category=category,
        valid_from=valid_from,
        role_assignment=role,
        created_by=by,
    )
    employment.full_clean(exclude=["role_assignment"])
    employment.save()
    plans_sync_for_user(user=user, on=max(valid_from, timezone.localdate()))
    return employment


@transaction.atomic
def employment_end(
    *, employment: Employment, on: datetime.date | None = None, sync: bool = True
) -> Employment:
    """End an employment: `on` (today by default) is its last day.

    Rules: not before it started; the matching civil_servant role ends the same day;
    the person's unfinished assignments in plans they no longer fall under are marked
    as left (they stop counting), unless a new employment keeps them in scope.
    """
    on = on or timezone.localdate()
    _lock_user(employment.user)
    employment.refresh_from_db()
    if on < employment.valid_from:
        raise ValidationError({"valid_to": _("Ngày kết thúc không được trước ngày bắt đầu.")})
    if employment.valid_to is not None and employment.valid_to < on:
        raise ValidationError({"valid_to": _("Quá trình công tác này đã kết thúc trước ngày đó.")})
    employment.valid_to = on
    employment.save(update_fields=["valid_to"])
    if employment.role_assignment_id:
        role = employment.role_assignment
        if role.valid_to is None or role.valid_to > on:
            role_end(assignment=role, on=max(on, role.valid_from))
    if sync:
        plans_sync_for_user(
            user=employment.user, on=max(on + datetime.timedelta(days=1), timezone.localdate())
        )
    return employment


@transaction.atomic
def employment_move(
    *,
    user,
    agency: Agency,
    category: str | None = None,
    position: Position | None = None,
    on: datetime.date | None = None,
    by=None,
) -> Employment:
    """`user` moves to `agency` (and/or a new position or category) from `on` (today).

    Rules: the person has an employment in force the day before `on`, which ends that
    day; the new one starts on `on` (category and position carry over unless given);
    assignments follow the person: a plan that still covers them keeps its row (now
    counted in the new agency), plans that no longer do stop counting them, plans of
    the new agency are assigned.
    """
    on = on or timezone.localdate()
    _lock_user(user)
    current = Employment.objects.filter(user=user).active_on(on - datetime.timedelta(days=1)).first()
    if current is None:
        current = Employment.objects.filter(user=user).active_on(on).first()
        if current is not None and current.valid_from >= on:
            raise ValidationError(_("Ngày chuyển công tác phải sau ngày bắt đầu của quá trình hiện tại."))
        raise ValidationError(
            _("%(name)s chưa có quá trình công tác để chuyển.") % {"name": user.display_name}
        )
    if current.valid_to is not None and current.valid_to < on - datetime.timedelta(days=1):
        raise ValidationError(_("Quá trình công tác hiện tại đã kết thúc."))
    employment_end(employment=current, on=on - datetime.timedelta(days=1), sync=False)
    return employment_start(
        user=user,
        agency=agency,
        category=category or current.category,
        position=position
        if position is not None
        else (
            current.position
            if agency.pk == current.agency_id or _position_usable(current.position, agency)
            else None
        ),
        valid_from=on,
        by=by,
    )


def _position_usable(position: Position | None, agency: Agency) -> bool:
    return position is not None and position.agency_id in agency_ancestor_ids(agency=agency)


# --- Plans ---------------------------------------------------------------------------


def _plan_covers(plan: TrainingPlan, employment: Employment, plan_positions: set[int]) -> bool:
    if not employment.agency.path.startswith(plan.agency.path):
        return False
    if plan_positions and employment.position_id not in plan_positions:
        return False
    return not plan.categories or employment.category in plan.categories


@transaction.atomic
def plan_create(
    *,
    name: str,
    year: int,
    agency: Agency,
    deadline: datetime.date,
    courses: Iterable[CoursePage] = (),
    competence_levels: dict[Competence | str, int] | None = None,
    positions: Iterable[Position] = (),
    categories: Iterable[str] = (),
    recurs_yearly: bool = False,
    created_by=None,
    previous: TrainingPlan | None = None,
    assign: bool = True,
) -> TrainingPlan:
    """A training plan for `agency` and its subtree, assigned at once to everyone
    currently employed there who matches the filters.

    Rules: a name; at least one required course or competence level; the deadline
    falls in the plan's year or later; categories are StaffCategory codes; positions
    are usable in the agency (owned by it, an ancestor or a descendant); levels 1–8.
    """
    name = " ".join((name or "").split())
    courses = list(courses)
    positions = list(positions)
    categories = sorted(set(categories))
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Hãy đặt tên cho kế hoạch.")
    if not courses and not competence_levels:
        errors["courses"] = _("Kế hoạch cần ít nhất một khoá học hoặc một bậc năng lực bắt buộc.")
    if deadline < datetime.date(year, 1, 1):
        errors["deadline"] = _("Hạn hoàn thành phải nằm trong năm %(y)s hoặc sau đó.") % {"y": year}
    bad = [c for c in categories if c not in StaffCategory.values]
    if bad:
        errors["categories"] = _("Phân loại không hợp lệ: %(c)s.") % {"c": ", ".join(bad)}
    for position in positions:
        owner_path = Agency.objects.filter(pk=position.agency_id).values_list("path", flat=True).first() or ""
        if not (agency.path.startswith(owner_path) or owner_path.startswith(agency.path)):
            errors["positions"] = _("Chức danh “%(p)s” không thuộc cơ quan này.") % {"p": position.name}
    if errors:
        raise ValidationError(errors)
    plan = TrainingPlan.objects.create(
        name=name,
        year=year,
        agency=agency,
        deadline=deadline,
        categories=categories,
        recurs_yearly=recurs_yearly,
        created_by=created_by,
        previous=previous,
    )
    plan.courses.set(courses)
    plan.positions.set(positions)
    for ref, level in (competence_levels or {}).items():
        try:
            level = int(level)
        except (TypeError, ValueError):
            raise ValidationError({"competence_levels": _("Bậc phải là số từ 1 đến 8.")}) from None
        if not 1 <= level <= 8:
            raise ValidationError({"competence_levels": _("Bậc phải là số từ 1 đến 8.")})
        PlanCompetence.objects.create(plan=plan, competence=_competence(ref), level=level)
    if assign:
        plan_assign(plan=plan)
    return plan


@transaction.atomic
def plan_assign(*, plan: TrainingPlan, on: datetime.date | None = None) -> int:
    """Create the assignment of everyone employed on `on` (today) in the plan's subtree
    who matches its filters and has none yet; refresh them from existing evidence.
    Returns how many were created. Repeating it creates nothing new."""
    on = on or timezone.localdate()
    employments = (
        Employment.objects.active_on(on)
        .filter(agency__path__startswith=plan.agency.path)
        .select_related("agency")
    )
    position_ids = set(plan.positions.values_list("pk", flat=True))
    if position_ids:
        employments = employments.filter(position_id__in=position_ids)
    if plan.categories:
        employments = employments.filter(category__in=plan.categories)
    existing = set(PlanAssignment.objects.filter(plan=plan).values_list("user_id", flat=True))
    rows = [
        PlanAssignment(
            plan=plan,
            user_id=e.user_id,
            agency_id=e.agency_id,
            position_id=e.position_id,
            category=e.category,
            assigned_on=on,
            due_on=plan.deadline,
            due_before=deadline_instant(plan.deadline),
        )
        for e in employments
        if e.user_id not in existing
    ]
    PlanAssignment.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    ids = list(
        PlanAssignment.objects.filter(plan=plan).exclude(user_id__in=existing).values_list("pk", flat=True)
    )
    for start in range(0, len(ids), REFRESH_BATCH):
        assignments_refresh(assignment_ids=ids[start : start + REFRESH_BATCH], notify=False)
    assignments_changed(assignment_ids=ids)
    return len(ids)


def _open_plans_q(on: datetime.date) -> Q:
    # A plan is "open" for joiners while its year has not ended.
    return Q(year__gte=on.year)


@transaction.atomic
def plans_sync_for_user(*, user, on: datetime.date) -> list[int]:
    """Bring the person's assignments in open plans in line with their employment on
    `on`: assign plans that now cover them (unless their deadline has passed), move rows
    of plans that still cover them to the new agency/position/category, mark rows of
    plans that no longer do as left on the day before (completed rows stay as they are).
    Returns the changed ids."""
    employment = Employment.objects.filter(user=user).active_on(on).select_related("agency").first()
    changed: list[int] = []
    covering: dict[int, TrainingPlan] = {}
    if employment is not None:
        plans = TrainingPlan.objects.filter(
            _open_plans_q(on), agency_id__in=agency_ancestor_ids(agency=employment.agency)
        )
        positions = defaultdict(set)
        for plan_id, position_id in TrainingPlan.positions.through.objects.filter(
            trainingplan__in=plans
        ).values_list("trainingplan_id", "position_id"):
            positions[plan_id].add(position_id)
        for plan in plans.select_related("agency"):
            if _plan_covers(plan, employment, positions[plan.pk]):
                covering[plan.pk] = plan
    rows = {
        a.plan_id: a
        for a in PlanAssignment.objects.filter(user=user).filter(
            Q(plan_id__in=list(covering)) | Q(plan__year__gte=on.year)
        )
    }
    for plan_id, plan in covering.items():
        row = rows.get(plan_id)
        if row is None and plan.deadline < on:
            continue  # joined after the deadline: not assigned a plan already over
        if row is None:
            row = PlanAssignment.objects.create(
                plan=plan,
                user=user,
                agency_id=employment.agency_id,
                position_id=employment.position_id,
                category=employment.category,
                assigned_on=on,
                due_on=plan.deadline,
                due_before=deadline_instant(plan.deadline),
            )
        else:
            row.agency_id, row.position_id, row.category = (
                employment.agency_id,
                employment.position_id,
                employment.category,
            )
            row.left_on = None
            row.save(update_fields=["agency", "position", "category", "left_on", "updated_at"])
        changed.append(row.pk)
    for plan_id, row in rows.items():
        if plan_id in covering or row.left_on is not None or row.status == Status.COMPLETED:
            continue
        row.left_on = on - datetime.timedelta(days=1)
        row.save(update_fields=["left_on", "updated_at"])
        changed.append(row.pk)
    assignments_refresh(assignment_ids=changed, notify=False)
    assignments_changed(assignment_ids=changed)
    return changed


# --- Refreshing an assignment from evidence -------------------------------------------


def assignment_refresh(*, assignment_id: int) -> PlanAssignment:
    """Recompute one assignment's progress and status (see assignments_refresh)."""
    assignments_refresh(assignment_ids=[assignment_id])
    return PlanAssignment.objects.get(pk=assignment_id)


@transaction.atomic
def assignments_refresh(*, assignment_ids: Iterable[int], notify: bool = True) -> int:
    """Recompute progress, status and completed_at of the given assignments from the
    evidence, in a fixed number of queries whatever their number.

    Rules: a required course is done by a CourseCompletion or an in-person session
    attended for it, dated on or after 1 January of the plan's year (its time: the
    completion's, or 00:00 of the session day); a required competence is done when the
    person's derived level (assessments rules) reaches the level (its time: 00:00 of
    the day of the evidence that decided it). All items done: `completed`, completed_at
    = the latest item's time; some done, or enrolled in a required course:
    `in_progress`; else `not_started`. Exempt rows stay exempt. due_on is the extension
    when there is one, else the plan's deadline. Returns how many rows changed.
    """
    ids = sorted(set(assignment_ids))
    if not ids:
        return 0
    rows = list(PlanAssignment.objects.filter(pk__in=ids).select_related("plan"))
    plan_ids = {r.plan_id for r in rows}
    user_ids = {r.user_id for r in rows}
    plan_courses: dict[int, set[int]] = defaultdict(set)
    for plan_id, course_id in TrainingPlan.courses.through.objects.filter(
        trainingplan_id__in=plan_ids
    ).values_list("trainingplan_id", "coursepage_id"):
        plan_courses[plan_id].add(course_id)
    plan_levels: dict[int, dict[int, int]] = defaultdict(dict)
    for plan_id, competence_id, level in PlanCompetence.objects.filter(plan_id__in=plan_ids).values_list(
        "plan_id", "competence_id", "level"
    ):
        plan_levels[plan_id][competence_id] = level
    all_courses = set().union(*plan_courses.values()) if plan_courses else set()
    all_competences = {c for levels in plan_levels.values() for c in levels}
    # (user, course) -> list of times it was done
    done_courses: dict[tuple[int, int], list[datetime.datetime]] = defaultdict(list)
    enrolled: set[tuple[int, int]] = set()
    if all_courses:
        for uid, cid, at in CourseCompletion.objects.filter(
            learner_id__in=user_ids, course_id__in=all_courses
        ).values_list("learner_id", "course_id", "completed_at"):
            done_courses[(uid, cid)].append(at)
        for uid, cid, day in SessionAttendance.objects.filter(
            user_id__in=user_ids, session__course_id__in=all_courses
        ).values_list("user_id", "session__course_id", "session__date"):
            done_courses[(uid, cid)].append(_day_start(day))
        enrolled = set(
            Enrolment.objects.filter(
                learner_id__in=user_ids, course_id__in=all_courses, status=Enrolment.Status.ACTIVE
            ).values_list("learner_id", "course_id")
        )
    evidence: dict[tuple[int, int], list[Evidence]] = defaultdict(list)
    if all_competences:
        for record in Evidence.objects.filter(person_id__in=user_ids, competence_id__in=all_competences):
            evidence[(record.person_id, record.competence_id)].append(record)
    derived_cache: dict[tuple[int, int], tuple[int | None, datetime.datetime | None]] = {}

    def derived(uid: int, cid: int, required: int) -> datetime.datetime | None:
        key = (uid, cid)
        if key not in derived_cache:
            d = level_derive(records=evidence.get(key, []))
            when = min((r.date for r in d.decisive), default=None)
            derived_cache[key] = (d.level, _day_start(when) if when else None)
        level, when = derived_cache[key]
        return when if (level or 0) >= required else None

    changed = []
    for row in rows:
        plan = row.plan
        year_start = _day_start(datetime.date(plan.year, 1, 1))
        times: list[datetime.datetime] = []
        started = False
        for cid in plan_courses.get(plan.pk, ()):
            valid = [t for t in done_courses.get((row.user_id, cid), []) if t >= year_start]
            if valid:
                times.append(min(valid))
            started = started or (row.user_id, cid) in enrolled
        for cid, required in plan_levels.get(plan.pk, {}).items():
            when = derived(row.user_id, cid, required)
            if when is not None:
                times.append(when)
        required_n = len(plan_courses.get(plan.pk, ())) + len(plan_levels.get(plan.pk, {}))
        done_n = len(times)
        due_on = row.extended_to or plan.deadline
        if row.exempt_at is not None:
            status, completed_at = Status.EXEMPT, None
        elif required_n and done_n == required_n:
            status, completed_at = Status.COMPLETED, max(times)
        elif done_n or started:
            status, completed_at = Status.IN_PROGRESS, None
        else:
            status, completed_at = Status.NOT_STARTED, None
        new = (status, completed_at, required_n, done_n, due_on, deadline_instant(due_on))
        old = (row.status, row.completed_at, row.items_required, row.items_done, row.due_on, row.due_before)
        if new != old:
            (row.status, row.completed_at, row.items_required, row.items_done, row.due_on, row.due_before) = (
                new
            )
            changed.append(row)
    if changed:
        now = timezone.now()
        # One UPDATE per distinct set of new values (most rows share "not started, 0 of
        # n"): far cheaper than bulk_update's CASE per row on thousands of rows.
        groups: dict[tuple, list[int]] = defaultdict(list)
        for row in changed:
            groups[
                (row.status, row.completed_at, row.items_required, row.items_done, row.due_on, row.due_before)
            ].append(row.pk)
        for (status, completed_at, required_n, done_n, due_on, due_before), pks in groups.items():
            PlanAssignment.objects.filter(pk__in=pks).update(
                status=status,
                completed_at=completed_at,
                items_required=required_n,
                items_done=done_n,
                due_on=due_on,
                due_before=due_before,
                updated_at=now,
            )
        completed = [r.pk for r in changed if r.status == Status.COMPLETED]
        if completed:
            from .certificates import certificates_issue

            certificates_issue(assignment_ids=completed)
        if notify:
            assignments_changed(assignment_ids=[r.pk for r in changed])
    return len(changed)


def assignments_refresh_for_user(*, user_id: int, course_id: int | None = None) -> int:
    """Refresh the person's assignments in plans of this year or later (only those
    requiring `course_id` when given)."""
    qs = PlanAssignment.objects.filter(user_id=user_id, plan__year__gte=timezone.localdate().year - 1)
    if course_id is not None:
        qs = qs.filter(plan__courses__id=course_id)
    return assignments_refresh(assignment_ids=list(qs.values_list("pk", flat=True)))


def assignments_refresh_on_completion(*, completion: CourseCompletion) -> None:
    """Registered with courses.completion.on_course_completed (TrainingConfig.ready)."""
    assignments_refresh_for_user(user_id=completion.learner_id, course_id=completion.course_id)


# --- Exemptions and extensions ---------------------------------------------------------


def _reason(reason: str, field: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({field: _("Hãy ghi rõ lý do.")})
    return reason[:500]


@transaction.atomic
def assignment_exempt(*, assignment: PlanAssignment, reason: str, by) -> PlanAssignment:
    """Exempt a person from a plan, with a reason; recorded who and when.

    Rules: a reason is required; a completed assignment cannot be exempted; exempt rows
    leave the compliance denominator."""
    reason = _reason(reason, "reason")
    assignment = PlanAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.status == Status.COMPLETED:
        raise ValidationError(_("Người này đã hoàn thành kế hoạch; không cần miễn."))
    if assignment.status == Status.EXEMPT:
        raise ValidationError(_("Người này đã được miễn."))
    assignment.exempt_reason, assignment.exempt_by, assignment.exempt_at = reason, by, timezone.now()
    assignment.status = Status.EXEMPT
    assignment.save(update_fields=["exempt_reason", "exempt_by", "exempt_at", "status", "updated_at"])
    assignments_changed(assignment_ids=[assignment.pk])
    return assignment


@transaction.atomic
def assignment_exempt_revoke(*, assignment: PlanAssignment, by) -> PlanAssignment:
    """Undo an exemption; the row is recomputed from the evidence."""
    assignment = PlanAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.status != Status.EXEMPT:
        raise ValidationError(_("Người này không được miễn."))
    assignment.exempt_at = None
    assignment.exempt_by = by
    assignment.status = Status.NOT_STARTED
    assignment.save(update_fields=["exempt_at", "exempt_by", "status", "updated_at"])
    assignments_refresh(assignment_ids=[assignment.pk])
    assignments_changed(assignment_ids=[assignment.pk])
    return PlanAssignment.objects.get(pk=assignment.pk)


@transaction.atomic
def assignment_extend(*, assignment: PlanAssignment, until: datetime.date, reason: str, by) -> PlanAssignment:
    """Extend one person's deadline to the end of `until`, with a reason.

    Rules: a reason is required; `until` is after the plan's deadline; an extension
    may be extended again. A completion's on-time/late verdict is then judged against
    the new date."""
    reason = _reason(reason, "reason")
    assignment = PlanAssignment.objects.select_for_update().select_related("plan").get(pk=assignment.pk)
    if until <= assignment.plan.deadline:
        raise ValidationError(
            {
                "until": _("Ngày gia hạn phải sau hạn của kế hoạch (%(d)s).")
                % {"d": assignment.plan.deadline.strftime("%d/%m/%Y")}
            }
        )
    assignment.extended_to, assignment.extension_reason = until, reason
    assignment.extended_by, assignment.extended_at = by, timezone.now()
    assignment.due_on, assignment.due_before = until, deadline_instant(until)
    assignment.save(
        update_fields=[
            "extended_to",
            "extension_reason",
            "extended_by",
            "extended_at",
            "due_on",
            "due_before",
            "updated_at",
        ]
    )
    assignments_changed(assignment_ids=[assignment.pk])
    return assignment


# --- In-person sessions ----------------------------------------------------------------


@transaction.atomic
def session_record(
    *,
    agency: Agency,
    course: CoursePage,
    date: datetime.date,
    place: str,
    trainer: str,
    attendees: Iterable,
    by,
) -> InPersonSession:
    """Record a classroom session as completion evidence for its attendees.

    Rules: the date is not in the future; place and trainer are given; at least one
    attendee; every attendee was employed in the agency's subtree on that day. Each
    attendee's assignments requiring the course are refreshed at once."""
    attendees = list({u.pk: u for u in attendees}.values())
    place, trainer = " ".join((place or "").split()), " ".join((trainer or "").split())
    errors: dict[str, str] = {}
    if date > timezone.localdate():
        errors["date"] = _("Ngày học không được ở tương lai.")
    if not place:
        errors["place"] = _("Hãy nhập địa điểm.")
    if not trainer:
        errors["trainer"] = _("Hãy nhập tên giảng viên.")
    if not attendees:
        errors["attendees"] = _("Hãy chọn ít nhất một người tham dự.")
    else:
        employed = set(
            Employment.objects.active_on(date)
            .filter(user__in=attendees, agency__path__startswith=agency.path)
            .values_list("user_id", flat=True)
        )
        outside = [u.display_name for u in attendees if u.pk not in employed]
        if outside:
            errors["attendees"] = _("Không thuộc cơ quan này vào ngày học: %(n)s.") % {
                "n": ", ".join(outside)
            }
    if errors:
        raise ValidationError(errors)
    session = InPersonSession.objects.create(
        agency=agency, course=course, date=date, place=place, trainer=trainer, recorded_by=by
    )
    SessionAttendance.objects.bulk_create([SessionAttendance(session=session, user=u) for u in attendees])
    ids = PlanAssignment.objects.filter(user__in=attendees, plan__courses=course).values_list("pk", flat=True)
    assignments_refresh(assignment_ids=list(ids))
    return session


# --- Yearly recurrence -----------------------------------------------------------------


def _same_day_next_year(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


@transaction.atomic
def plans_recur(*, today: datetime.date | None = None) -> list[TrainingPlan]:
    """Copy every recurring plan of last year into this year (same requirements and
    filters, the deadline a year later) unless already copied; assign the copies."""
    today = today or timezone.localdate()
    made = []
    for plan in (
        TrainingPlan.objects.filter(recurs_yearly=True, year=today.year - 1)
        .exclude(next_plans__isnull=False)
        .select_related("agency")
    ):
        made.append(
            plan_create(
                name=plan.name,
                year=plan.year + 1,
                agency=plan.agency,
                deadline=_same_day_next_year(plan.deadline),
                courses=plan.courses.all(),
                competence_levels={
                    pc.competence: pc.level for pc in plan.competence_levels.select_related("competence")
                },
                positions=plan.positions.all(),
                categories=plan.categories,
                recurs_yearly=True,
                created_by=plan.created_by,
                previous=plan,
            )
        )
    return made
