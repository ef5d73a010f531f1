"""Demo data for mandatory training (called by load_demo_data; idempotent).

A provincial tree (lms.organisations.demo: Sở Nội vụ Hà Nội, its divisions and two
ward People's Committees), positions with target profiles, 200 demo staff with varied
progress, a live plan due next month and an earlier plan whose deadline has passed (so
on time, late, overdue and exempt all show), one person moved in June, and the demo
civil servant employed with assignments.

Structure (positions, targets, plans, the demo civil servant, the move, exemptions,
extensions) goes through the services; the 200 staff and their progress are bulk
inserts (users, role assignments, employments, course completions, evidence), then one
assignments_refresh recomputes every row, so the load stays within a few seconds.
Bulk course completions do not run the completion callbacks (no course certificates).
"""

from __future__ import annotations

import datetime
import random
import time

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from assessments.models import Competence, Evidence
from courses.models import CourseCompletion, CoursePage
from lms.accounts.demo import DEMO_PASSWORD
from lms.accounts.models import Role, RoleAssignment, User
from lms.organisations.models import Agency

from . import services
from .models import VN_TZ, Employment, PlanAssignment, Position, StaffCategory, TrainingPlan

ROOT = "DEMO-HN-SNV"
STAFF_AGENCIES = [
    "DEMO-HN-SNV-VP",
    "DEMO-HN-SNV-CCVC",
    "DEMO-HN-SNV-TCBC",
    "DEMO-HN-SNV-CCHC",
    "DEMO-HN-UBND-BADINH",
    "DEMO-HN-UBND-HOANKIEM",
]
POSITIONS = [
    # code, name, {competence: level}
    ("lanh-dao", "Lãnh đạo phòng", {"1.1": 3, "2.3": 4, "4.2": 3, "5.3": 3}),
    ("chuyen-vien", "Chuyên viên", {"1.1": 3, "2.1": 3, "2.3": 3, "4.2": 3}),
    ("can-su", "Cán sự", {"1.1": 2, "2.1": 2, "4.2": 2}),
    ("nhan-vien", "Nhân viên", {"2.1": 2, "4.2": 2}),
]
FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Thanh", "Quốc", "Ngọc", "Hữu", "Thảo"]
GIVEN = [
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiếu",
    "Hoa",
    "Hùng",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Ngân",
    "Nhung",
    "Phúc",
    "Quân",
    "Quỳnh",
    "Sơn",
    "Tâm",
    "Thắng",
    "Trang",
    "Tuấn",
    "Vân",
    "Yến",
]
STAFF = 200
LIVE_COURSE = "chinh-phu-so-co-ban"
PAST_COURSE = "nhan-dien-lua-dao-truc-tuyen"


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=VN_TZ)


def _positions(root: Agency) -> dict[str, Position]:
    year = timezone.localdate().year
    result = {}
    for code, name, levels in POSITIONS:
        position = Position.objects.filter(agency=root, code=code).first() or services.position_create(
            agency=root, code=code, name=name
        )
        if not position.targets.filter(year=year - 1).exists():
            services.position_target_set(
                position=position, year=year - 1, levels={f"digcomp-2.2:{c}": lv for c, lv in levels.items()}
            )
        result[code] = position
    return result


def _staff(agencies: list[Agency], positions: dict[str, Position], start: datetime.date) -> list[User]:
    existing = {u.username: u for u in User.objects.filter(username__startswith="demo-cb-")}
    rng = random.Random(2026)
    password = make_password(DEMO_PASSWORD)
    new_users = []
    for i in range(1, STAFF + 1):
        username = f"demo-cb-{i:03d}"
        if username in existing:
            continue
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        new_users.append(
            User(username=username, email=f"cb{i:03d}@demo.kynangso.vn", full_name=name, password=password)
        )
    User.objects.bulk_create(new_users, batch_size=500)
    users = list(User.objects.filter(username__startswith="demo-cb-").order_by("username"))
    employed = set(Employment.objects.filter(user__in=users).values_list("user_id", flat=True))
    todo = [u for u in users if u.pk not in employed]
    position_codes = ["chuyen-vien"] * 6 + ["can-su"] * 2 + ["lanh-dao", "nhan-vien"]
    categories = (
        [StaffCategory.CONG_CHUC] * 6
        + [StaffCategory.VIEN_CHUC] * 2
        + [StaffCategory.CAN_BO, StaffCategory.NGUOI_LAO_DONG]
    )
    plans = []
    for user in todo:
        index = int(user.username[-3:])
        agency = agencies[index % len(agencies)]
        position = positions[position_codes[index % len(position_codes)]]
        category = StaffCategory.NGUOI_LAO_DONG if position.code == "nhan-vien" else categories[index % 9]
        plans.append((user, agency, position, category))
    roles = RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(
                user=u, role=Role.CIVIL_SERVANT, agency=a, position=p.name, valid_from=start, note="demo"
            )
            for u, a, p, _c in plans
        ],
        batch_size=500,
    )
    Employment.objects.bulk_create(
        [
            Employment(user=u, agency=a, position=p, category=c, valid_from=start, role_assignment=r)
            for (u, a, p, c), r in zip(plans, roles, strict=True)
        ],
        batch_size=500,
    )
    return users


def _plan(
    *,
    name: str,
    year: int,
    root: Agency,
    deadline: datetime.date,
    course: CoursePage,
    levels: dict,
    recurs: bool,
) -> TrainingPlan:
    plan = TrainingPlan.objects.filter(name=name, year=year, agency=root).first()
    if plan is None:
        plan = services.plan_create(
            name=name,
            year=year,
            agency=root,
            deadline=deadline,
            courses=[course],
            competence_levels=levels,
            recurs_yearly=recurs,
        )
    return plan


@transaction.atomic
def demo_training_create() -> dict:
    """Build (or find) the demo; returns counts to print."""
    started = time.monotonic()
    today = timezone.localdate()
    root = Agency.objects.get(code=ROOT)
    agencies = list(Agency.objects.filter(code__in=STAFF_AGENCIES).order_by("code"))
    positions = _positions(root)
    start = datetime.date(today.year, 1, 1)
    users = _staff(agencies, positions, start)
    courses = {c.slug: c for c in CoursePage.objects.filter(slug__in=[LIVE_COURSE, PAST_COURSE])}
    if len(courses) < 2:
        return {"staff": len(users), "plans": 0}

    # The civil servant demo login: employed in the Văn phòng as a Chuyên viên.
    civil = User.objects.filter(username="demo-congchuc").first()
    if civil is not None and not Employment.objects.filter(user=civil).exists():
        services.employment_start(
            user=civil,
            agency=Agency.objects.get(code="DEMO-HN-SNV-VP"),
            position=positions["chuyen-vien"],
            category=StaffCategory.CONG_CHUC,
            valid_from=start,
        )

    # A plan whose deadline has passed (on time, late, overdue, exempt all show) and the
    # live plan, due next month.
    past_deadline = today - datetime.timedelta(days=20)
    past = _plan(
        name="Nhận diện lừa đảo trực tuyến (đợt 1)",
        year=past_deadline.year,
        root=root,
        deadline=past_deadline,
        course=courses[PAST_COURSE],
        levels={},
        recurs=False,
    )
    live_deadline = today + datetime.timedelta(days=30)
    live = _plan(
        name=f"Bồi dưỡng kỹ năng số năm {live_deadline.year}",
        year=live_deadline.year,
        root=root,
        deadline=live_deadline,
        course=courses[LIVE_COURSE],
        levels={"digcomp-2.2:4.2": 3},
        recurs=True,
    )

    if not CourseCompletion.objects.filter(learner__username__startswith="demo-cb-").exists():
        _progress(users=users, past=past, live=live, courses=courses, today=today)
    return {
        "staff": len(users),
        "plans": 2,
        "assignments": PlanAssignment.objects.filter(plan__in=[past, live]).count(),
        "completed": PlanAssignment.objects.filter(plan__in=[past, live], status="completed").count(),
        "seconds": round(time.monotonic() - started, 1),
    }


def _progress(*, users: list[User], past: TrainingPlan, live: TrainingPlan, courses: dict, today) -> None:
    rng = random.Random(7)
    year_start = datetime.date(past.year, 1, 1)
    completions, evidence = [], []
    competence = Competence.objects.get(framework__code="digcomp-2.2", code="4.2")
    for user in users:
        roll = rng.random()
        # Past plan: 55% on time, 15% late, the rest not done (overdue) or exempt below.
        if roll < 0.55:
            day = past.deadline - datetime.timedelta(days=rng.randint(0, 40))
            when = _at(max(day, year_start), rng.randint(8, 22))
            completions.append(
                CourseCompletion(
                    learner=user, course=courses[PAST_COURSE], completed_at=min(when, timezone.now())
                )
            )
        elif roll < 0.70:
            day = past.deadline + datetime.timedelta(days=rng.randint(1, 15))
            completions.append(
                CourseCompletion(
                    learner=user, course=courses[PAST_COURSE], completed_at=min(_at(day), timezone.now())
                )
            )
        # Live plan: 30% have finished the course, some reached level 3 in 4.2.
        if rng.random() < 0.3:
            day = today - datetime.timedelta(days=rng.randint(0, 25))
            completions.append(
                CourseCompletion(
                    learner=user, course=courses[LIVE_COURSE], completed_at=min(_at(day), timezone.now())
                )
            )
        level = rng.choice([None, 1, 2, 2, 3, 3, 4])
        if level is not None:
            evidence.append(
                Evidence(
                    person=user,
                    competence=competence,
                    level=level,
                    method=Evidence.Method.QUIZ if level > 2 else Evidence.Method.SELF_ASSESSED,
                    date=today - datetime.timedelta(days=rng.randint(1, 60)),
                    source_type="demo",
                    source_label="Dữ liệu mẫu",
                )
            )
    CourseCompletion.objects.bulk_create(completions, batch_size=500, ignore_conflicts=True)
    Evidence.objects.bulk_create(evidence, batch_size=500)
    ids = list(PlanAssignment.objects.filter(plan__in=[past, live]).values_list("pk", flat=True))
    services.assignments_refresh(assignment_ids=ids)
    # A few exemptions and extensions, with reasons, through the services.
    not_done = list(
        PlanAssignment.objects.filter(plan=past, user__username__startswith="demo-cb-")
        .exclude(status="completed")
        .order_by("pk")
    )
    for row in not_done[:4]:
        services.assignment_exempt(assignment=row, reason="Nghỉ thai sản", by=None)
    for row in not_done[4:7]:
        services.assignment_extend(
            assignment=row, until=today + datetime.timedelta(days=10), reason="Đi công tác dài ngày", by=None
        )
    # One person moved from the Văn phòng to a ward in June: counted once, in the ward now.
    mover = next(
        (
            u
            for u in users
            if Employment.objects.filter(
                user=u, agency__code="DEMO-HN-SNV-VP", valid_to__isnull=True
            ).exists()
        ),
        None,
    )
    june = datetime.date(today.year, 6, 15)
    if mover is not None and today > june:
        services.employment_move(user=mover, agency=Agency.objects.get(code="DEMO-HN-UBND-BADINH"), on=june)
