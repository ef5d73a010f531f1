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
