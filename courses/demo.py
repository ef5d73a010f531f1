"""Demo courses, from the JSON files in courses/demo_content/.

`demo_courses_create()` is idempotent: the catalogue page ("khoa-hoc", under the site's
home page) and each course are found by slug and only missing ones are built, so an
editor's later changes to a course are kept. The JSON schema is fixed (see the files);
its simple block shapes are mapped here onto the real lesson blocks (content.blocks).
"""

import json
from pathlib import Path

from django.db import transaction
from django.utils.html import escape
from django.utils.text import slugify
from wagtail.models import Page

from content.models import HomePage
from courses.models import CourseIndexPage, CoursePage, LessonPage, ModulePage
from lms.core.text import fold

DEMO_DIR = Path(__file__).resolve().parent / "demo_content"
INDEX_SLUG = "khoa-hoc"
AUDIENCE_FLAGS = {
    "citizen": "for_citizens",
    "civil_servant": "for_civil_servants",
    "team_member": "for_team_members",
}


def slug_for(title: str) -> str:
    """An ASCII slug from a Vietnamese title ("Bài 1: Cài đặt" → "bai-1-cai-dat")."""
    return slugify(fold(title))[:80].strip("-") or "muc"


def block_convert(block: dict) -> dict:
    """One block of the demo JSON as a LessonStreamBlock value."""
    kind, value = block.get("type"), block.get("value")
    if kind == "heading":
        return {"type": "heading", "value": {"text": value, "level": "h2"}}
    if kind == "paragraph":
        return {"type": "paragraph", "value": value}
    if kind == "callout":
        return {
            "type": "callout",
            "value": {
                "kind": value.get("kind", "tip"),
                "title": value.get("title", ""),
                "text": value["text"],
            },
        }
    if kind == "steps":
        steps = [
            {
                "text": (f"<p><b>{escape(step['title'])}</b></p>" if step.get("title") else "")
                + step["text"],
                "screenshot": None,
                "screenshot_alt": "",
            }
            for step in value
        ]
        return {"type": "steps", "value": {"title": "", "steps": steps}}
    if kind == "quote":
        text, attribution = (
            (value, "") if isinstance(value, str) else (value.get("text", ""), value.get("attribution", ""))
        )
        return {"type": "quote", "value": {"text": text, "attribution": attribution}}
    raise ValueError(f"Unknown demo block type {kind!r}")


def _publish(parent: Page, page: Page) -> Page:
    page.live = False
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _unique_slug(title: str, used: set[str]) -> str:
    base = slug = slug_for(title)
    n = 2
    while slug in used:
        slug, n = f"{base}-{n}", n + 1
    used.add(slug)
    return slug


def catalogue_get_or_create() -> tuple[CourseIndexPage, bool]:
    """The catalogue page under the site's home page (the first HomePage)."""
    existing = CourseIndexPage.objects.first()
    if existing is not None:
        return existing, False
    home = HomePage.objects.first()
    if home is None:
        raise RuntimeError("No home page: build the site first (content.demo.demo_site_build).")
    index = CourseIndexPage(
        title="Khoá học",
        slug=INDEX_SLUG,
        show_in_menus=True,
        intro="Khoá học kỹ năng số miễn phí: học trên điện thoại, lúc nào cũng được.",
    )
    return _publish(home, index), True


def course_build(*, index: CourseIndexPage, data: dict) -> CoursePage:
    """Build one course with its modules and lessons from a demo JSON document."""
    flags = {flag: key in data.get("audience", []) for key, flag in AUDIENCE_FLAGS.items()}
    course = _publish(
        index,
        CoursePage(
            title=data["title"],
            slug=data["slug"],
            summary=data["summary"],
            what_you_will_learn="\n".join(data.get("what_you_will_learn", [])),
            level=data["level"],
            topic=data["topic"],
            competences="\n".join(data.get("competences", [])),
            duration_minutes=data["duration_minutes"],
            prerequisites=data.get("prerequisites", ""),
            certificate_awarded=bool(data.get("certificate", True)),
            **flags,
        ),
    )
    module_slugs: set[str] = set()
    for module_data in data["modules"]:
        module = _publish(
            course,
            ModulePage(
                title=module_data["title"],
                summary=module_data.get("summary", ""),
                slug=_unique_slug(module_data["title"], module_slugs),
            ),
        )
        lesson_slugs: set[str] = set()
        for lesson_data in module_data["lessons"]:
            _publish(
                module,
                LessonPage(
                    title=lesson_data["title"],
                    slug=_unique_slug(lesson_data["title"], lesson_slugs),
                    duration_minutes=lesson_data.get("duration_minutes", 10),
                    required=lesson_data.get("required", True),
                    body=[block_convert(b) for b in lesson_data.get("body", [])],
                ),
            )
    return course


def demo_courses_create(*, directory: Path | None = None) -> dict:
    """Build every course described in `directory` (default courses/demo_content/*.json)
    that does not exist yet. Returns counts of what was created and what existed."""
    directory = directory or DEMO_DIR
    counts = {"index_created": 0, "courses_created": 0, "courses_existing": 0, "lessons_created": 0}
    with transaction.atomic():
        index, created = catalogue_get_or_create()
        counts["index_created"] = int(created)
        existing = set(CoursePage.objects.child_of(index).values_list("slug", flat=True))
        for path in sorted(directory.glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            if data["slug"] in existing:
                counts["courses_existing"] += 1
                continue
            course = course_build(index=index, data=data)
            existing.add(course.slug)
            counts["courses_created"] += 1
            counts["lessons_created"] += LessonPage.objects.descendant_of(course).count()
    return counts


# --- Final tests and lesson quizzes for the demo courses ------------------------------------

# Category names are those of assessments/quizzes/demo_content/*.json.
PUBLIC_SERVICES = "Dịch vụ công trực tuyến"
SHOPPING = "Mua bán trực tuyến"
PAYMENT = "Thanh toán không dùng tiền mặt"
SAFETY = "An toàn trên mạng"
LOCAL = "Nền tảng số địa phương"

# Course slug → (pass mark %, [(category, questions drawn)]).
FINAL_TESTS: dict[str, tuple[int, list[tuple[str, int]]]] = {
    "dich-vu-cong-truc-tuyen": (70, [(PUBLIC_SERVICES, 10)]),
    "vneid-dinh-danh-dien-tu": (70, [(PUBLIC_SERVICES, 8), (LOCAL, 2)]),
    "thanh-toan-khong-dung-tien-mat": (70, [(PAYMENT, 10)]),
    "nhan-dien-lua-dao-truc-tuyen": (70, [(SAFETY, 10)]),
    "su-dung-dien-thoai-thong-minh-an-toan": (70, [(SAFETY, 8), (PAYMENT, 2)]),
    "ban-hang-truc-tuyen": (75, [(SHOPPING, 8), (PAYMENT, 2)]),
    "huong-dan-ho-gia-dinh": (75, [(LOCAL, 5), (PUBLIC_SERVICES, 3), (SAFETY, 2)]),
    "chinh-phu-so-co-ban": (80, [(PUBLIC_SERVICES, 6), (LOCAL, 4)]),
}
FINAL_TEST_ATTEMPTS = 3

# Course slug → (quiz title, category, texts of its fixed questions): a short quiz
# block appended to the course's last lesson.
LESSON_QUIZZES: dict[str, tuple[str, str, list[str]]] = {
    "nhan-dien-lua-dao-truc-tuyen": (
        "Kiểm tra nhanh: nhận diện lừa đảo",
        SAFETY,
        [
            "Tin nhắn nào có dấu hiệu lừa đảo? (Chọn tất cả đáp án đúng)",
            "Bạn nhận cuộc gọi video, hình và giọng giống hệt con mình, hỏi vay tiền gấp. Nên làm gì?",
            "Công an không làm việc qua điện thoại để yêu cầu người dân chuyển tiền vào tài khoản "
            "“phục vụ điều tra”.",
        ],
    ),
    "thanh-toan-khong-dung-tien-mat": (
        "Kiểm tra nhanh: chuyển tiền an toàn",
        PAYMENT,
        [
            "Mã OTP mà ngân hàng gửi đến điện thoại của bạn dùng để làm gì?",
            "Trước khi xác nhận chuyển khoản, nên đối chiếu tên chủ tài khoản hiện trên ứng dụng "
            "với tên người bạn định chuyển.",
            "Bạn lỡ chuyển nhầm tiền vào một tài khoản khác. Nên làm gì?",
        ],
    ),
    "dich-vu-cong-truc-tuyen": (
        "Kiểm tra nhanh: nộp hồ sơ trực tuyến",
        PUBLIC_SERVICES,
        [
            "Địa chỉ trang web của Cổng Dịch vụ công quốc gia là gì?",
            "Sắp xếp các bước nộp một hồ sơ trên Cổng Dịch vụ công quốc gia theo đúng thứ tự.",
            "Nộp hồ sơ xong, hệ thống cấp cho bạn một mã để tra cứu tiến độ xử lý. Mã đó gọi là gì?",
        ],
    ),
}
LESSON_QUIZ_PASS_MARK = 60


def _final_test_title(course: CoursePage) -> str:
    return f"Bài kiểm tra cuối khoá: {course.title}"[:255]


def _quiz_get_or_create(*, title: str, **definition) -> tuple:
    from assessments.quizzes.models import Quiz
    from assessments.quizzes.services import quiz_create

    existing = Quiz.objects.filter(title=title).order_by("id").first()
    if existing is not None:
        return existing, False
    return quiz_create(title=title, **definition), True


def demo_course_quizzes_attach() -> dict:
    """Give each demo course (found by slug) a final test and a few courses a short quiz
    in their last lesson. Idempotent: quizzes are found by title; a course that already
    has a final quiz (an editor's choice, or a previous run) keeps it; a lesson that
    already shows the quiz is left alone. Loads the demo question bank first if needed
    (assessments.quizzes.demo.demo_quizzes_create, itself idempotent). Changes to pages
    are published as new revisions, as an editor would."""
    from assessments.quizzes.demo import demo_category_get, demo_quizzes_create
    from assessments.quizzes.models import Question

    counts = {
        "final_tests_created": 0,
        "final_tests_attached": 0,
        "lesson_quizzes_created": 0,
        "lesson_quizzes_placed": 0,
        "courses_missing": 0,
    }
    with transaction.atomic():
        demo_quizzes_create()
        courses = {c.slug: c for c in CoursePage.objects.filter(slug__in=list(FINAL_TESTS))}
        for slug, (pass_mark, rules) in FINAL_TESTS.items():
            course = courses.get(slug)
            if course is None:
                counts["courses_missing"] += 1
                continue
            quiz, created = _quiz_get_or_create(
                title=_final_test_title(course),
                description="Bài kiểm tra cuối khoá: đạt điểm này cùng với học xong các bài bắt buộc "
                "là hoàn thành khoá học. Mỗi lần làm có bộ câu hỏi khác nhau.",
                draw_rules=[
                    {"category": demo_category_get(name=name), "count": count, "level_min": 1, "level_max": 4}
                    for name, count in rules
                ],
                pass_mark_percent=pass_mark,
                max_attempts=FINAL_TEST_ATTEMPTS,
                shuffle_questions=True,
            )
            counts["final_tests_created"] += int(created)
            if course.final_quiz_id is None:
                course.final_quiz = quiz
                course.save_revision().publish()
                counts["final_tests_attached"] += 1
        for slug, (title, category_name, texts) in LESSON_QUIZZES.items():
            course = courses.get(slug)
            if course is None:
                continue
            category = demo_category_get(name=category_name)
            found = Question.objects.filter(category=category, text__in=texts, is_active=True)
            by_text = {q.text: q for q in found}
            quiz, created = _quiz_get_or_create(
                title=title,
                description="Ba câu hỏi để tự kiểm tra sau bài học; làm bao nhiêu lần cũng được.",
                questions=[by_text[text] for text in texts],
                pass_mark_percent=LESSON_QUIZ_PASS_MARK,
            )
            counts["lesson_quizzes_created"] += int(created)
            last = LessonPage.objects.descendant_of(course).order_by("-path").first()
            if last is None:
                continue
            if any(b.block_type == "quiz" and b.value.get("quiz_id") == quiz.pk for b in last.body):
                continue
            quiz_block = last.body.stream_block.child_blocks["quiz"]
            last.body.append(("quiz", quiz_block.to_python({"quiz_id": quiz.pk, "title": ""})))
            last.save_revision().publish()
            counts["lesson_quizzes_placed"] += 1
    return counts
