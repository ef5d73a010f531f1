"""Course trees for the tests, built the way editors build them: add, then publish."""

from courses.models import CourseIndexPage, CoursePage, LessonPage, ModulePage
from tests.content.builders import home_build, page_publish


def index_build(home=None) -> CourseIndexPage:
    home = home or home_build()
    return page_publish(parent=home, page=CourseIndexPage(title="Khoá học", slug="khoa-hoc"))


def lesson_body(text: str = "Nội dung bài học.") -> list[dict]:
    return [
        {"type": "heading", "value": {"text": "Mở đầu", "level": "h2"}},
        {"type": "paragraph", "value": f"<p>{text}</p>"},
        {"type": "quiz", "value": {"quiz_id": 7, "title": "Kiểm tra nhanh"}},
    ]


def course_build(
    *,
    index: CourseIndexPage,
    title: str = "Dùng VNeID an toàn",
    slug: str = "dung-vneid",
    modules: int = 1,
    lessons_per_module: int = 3,
    optional: set[int] | None = None,
    **fields,
) -> CoursePage:
    """A course with `modules` modules of `lessons_per_module` lessons each; lesson
    numbers (0-based, course order) in `optional` are not required."""
    defaults = {
        "summary": "Tóm tắt khoá học.",
        "topic": "vneid",
        "duration_minutes": 45,
        "what_you_will_learn": "Cài VNeID\nĐăng nhập dịch vụ công",
    }
    defaults.update(fields)
    course = page_publish(parent=index, page=CoursePage(title=title, slug=slug, **defaults))
    n = 0
    for m in range(modules):
        module = page_publish(parent=course, page=ModulePage(title=f"Chương {m + 1}", slug=f"chuong-{m + 1}"))
        for _ in range(lessons_per_module):
            page_publish(
                parent=module,
                page=LessonPage(
                    title=f"Bài {n + 1}",
                    slug=f"bai-{n + 1}",
                    duration_minutes=5,
                    required=n not in (optional or set()),
                    body=lesson_body(f"Bài số {n + 1}."),
                ),
            )
            n += 1
    return course


def lessons_of(course: CoursePage) -> list[LessonPage]:
    return list(LessonPage.objects.descendant_of(course).order_by("path"))
