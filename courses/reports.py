"""Staff reports on a course: enrolments, completions, time spent and drop-off by lesson,
with CSV and XLSX exports.

Every figure comes from aggregate queries (COUNT, SUM, GROUP BY): the report costs the
same handful of queries for ten learners or a hundred thousand. The only Python loops
run over lessons and over groups of (lesson, lesson) pairs, never over learners.
"""

import csv
import io
from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext as _

from courses.models import CourseCompletion, CoursePage, Enrolment, LessonProgress
from courses.selectors import course_structure_get
from lms.accounts.models import Role
from lms.accounts.selectors import roles_active_for
from lms.core.spreadsheets import export_row

REPORT_ROLES = (Role.PLATFORM_ADMIN, Role.CONTENT_EDITOR)


def user_can_manage_courses(*, user) -> bool:
    """Staff reports and bulk enrolment: Django staff, superusers, platform administrators
    and content editors (role assignments in force today). At most one query."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return roles_active_for(user=user).filter(role__in=REPORT_ROLES).exists()


@dataclass
class LessonRow:
    position: int  # 1-based, in course order
    lesson_id: int
    title: str
    module_title: str
    required: bool
    reached: int  # learners who got at least this far
    completed: int  # learners who completed this lesson
    stopped: int  # learners (not finished) whose furthest point is this lesson

    @property
    def stopped_percent(self) -> int:
        """Share of the learners who reached this lesson and stopped here."""
        return round(100 * self.stopped / self.reached) if self.reached else 0


@dataclass
class CourseReport:
    course_id: int
    title: str
    learners: int  # distinct learners with an enrolment, ever (unenrolled included)
    current: int  # active or completed enrolments
    active: int
    unenrolled: int  # learners who left and did not come back
    completions: int
    not_started: int  # active learners who have not opened or completed a lesson
    seconds_total: int
    lessons: list[LessonRow] = field(default_factory=list)

    @property
    def completion_rate(self) -> int:
        """Completions as a percentage of the learners ever enrolled."""
        return round(100 * self.completions / self.learners) if self.learners else 0

    @property
    def average_seconds(self) -> int:
        """Time spent on lessons per learner with a current enrolment."""
        return round(self.seconds_total / self.current) if self.current else 0

    @property
    def average_minutes(self) -> int:
        return round(self.average_seconds / 60)

    @property
    def max_reached(self) -> int:
        return max((row.reached for row in self.lessons), default=0)


def course_report_build(*, course: CoursePage) -> CourseReport:
    """The report for one course in six queries (seven when the course structure is not
    cached), whatever the number of enrolments.

    Definitions:
    - learners: distinct learners with any enrolment in the course;
    - current / active: learners whose enrolment is active or completed / active;
    - unenrolled: learners whose only enrolments were cancelled;
    - completions: learners who met the completion rule (permanent records);
    - average time: seconds credited on this course's lessons, per current learner;
    - drop-off: for each active (unfinished) learner, the furthest live lesson, in course
      order, that they completed or last opened. "Reached" counts the learners who got
      that far or further (completed learners reached every lesson); "stopped" counts
      those whose furthest point is that lesson. Active learners with no furthest lesson
      have not started.
    """
    structure = course_structure_get(course_path=course.path)
    lessons = structure.lessons if structure is not None else []
    position = {info.id: info.position for info in lessons}

    totals = Enrolment.objects.filter(course=course).aggregate(
        learners=Count("learner", distinct=True),
        current=Count("learner", distinct=True, filter=Q(status__in=Enrolment.CURRENT)),
        active=Count("learner", distinct=True, filter=Q(status=Enrolment.Status.ACTIVE)),
        completed=Count("learner", distinct=True, filter=Q(status=Enrolment.Status.COMPLETED)),
    )
    unenrolled = (
        Enrolment.objects.filter(course=course, status=Enrolment.Status.UNENROLLED)
        .exclude(learner__in=Enrolment.objects.filter(course=course, status__in=Enrolment.CURRENT)
                 .values("learner"))
        .aggregate(n=Count("learner", distinct=True))["n"]
    )
    completions = CourseCompletion.objects.filter(course=course).count()
    progress = LessonProgress.objects.filter(course=course)
    seconds_total = progress.filter(
        learner__in=Enrolment.objects.filter(course=course, status__in=Enrolment.CURRENT).values("learner")
    ).aggregate(s=Sum("seconds_spent"))["s"] or 0
    completed_by_lesson = dict(
        progress.filter(completed_at__isnull=False)
        .values("lesson_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("lesson_id", "n")
    )

    # For each active learner: the furthest completed live lesson (lesson paths sort in
    # course order) and the last lesson opened; then grouped by that pair, so the rows
    # returned are bounded by lessons², never by learners.
    furthest_done = (
        LessonProgress.objects.filter(
            learner=OuterRef("learner"), course=course, completed_at__isnull=False, lesson__live=True
        )
        .order_by("-lesson__path")
        .values("lesson_id")[:1]
    )
    groups = (
        Enrolment.objects.filter(course=course, status=Enrolment.Status.ACTIVE)
        .annotate(done_id=Subquery(furthest_done), last_id=F("last_lesson_id"))
        .values("done_id", "last_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    stopped_at = [0] * len(lessons)
    not_started = 0
    for group in groups:
        candidates = [position[i] for i in (group["done_id"], group["last_id"]) if i in position]
        if candidates:
            stopped_at[max(candidates)] += group["n"]
        else:
            not_started += group["n"]

    rows = []
    still_going = totals["completed"]  # completed learners reached every lesson
    reached = [0] * len(lessons)
    for i in range(len(lessons) - 1, -1, -1):
        still_going += stopped_at[i]
        reached[i] = still_going
    module_titles = {module.id: module.title for module in (structure.modules if structure else ())}
    for info in lessons:
        rows.append(
            LessonRow(
                position=info.position + 1,
                lesson_id=info.id,
                title=info.title,
                module_title=module_titles.get(info.module_id, ""),
                required=info.required,
                reached=reached[info.position],
                completed=completed_by_lesson.get(info.id, 0),
                stopped=stopped_at[info.position],
            )
        )
    return CourseReport(
        course_id=course.pk,
        title=course.title,
        learners=totals["learners"],
        current=totals["current"],
        active=totals["active"],
        unenrolled=unenrolled,
        completions=completions,
        not_started=not_started,
        seconds_total=seconds_total,
        lessons=rows,
    )


# --- Exports --------------------------------------------------------------------------------


def report_table(*, report: CourseReport) -> list[list]:
    """The report as rows of cells (summary, blank line, one row per lesson), shared by
    the CSV and XLSX exports. Cells are already made safe."""
    summary = [
        [_("Khoá học"), report.title],
        [_("Người học đã đăng ký"), report.learners],
        [_("Đang học"), report.active],
        [_("Đã huỷ đăng ký"), report.unenrolled],
        [_("Hoàn thành"), report.completions],
        [_("Tỉ lệ hoàn thành (%)"), report.completion_rate],
        [_("Thời gian học trung bình (phút)"), report.average_minutes],
        [_("Chưa bắt đầu"), report.not_started],
        [],
        [_("STT"), _("Chương"), _("Bài học"), _("Bắt buộc"), _("Số người học đến bài này"),
         _("Số người hoàn thành bài"), _("Số người dừng ở bài này"), _("Tỉ lệ dừng (%)")],
    ]
    for row in report.lessons:
        summary.append([row.position, row.module_title, row.title, _("Có") if row.required else _("Không"),
                        row.reached, row.completed, row.stopped, row.stopped_percent])
    return [export_row(line) for line in summary]


def report_csv(*, report: CourseReport) -> bytes:
    """UTF-8 with a byte-order mark, so Excel shows Vietnamese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(report_table(report=report))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def report_xlsx(*, report: CourseReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Báo cáo")[:31]
    for line in report_table(report=report):
        sheet.append(line)
    for cell in sheet[10]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 24
    sheet.column_dimensions["C"].width = 34
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
