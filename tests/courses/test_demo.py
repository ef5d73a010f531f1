"""The demo loader: every JSON file becomes a course, idempotently."""

import json
from pathlib import Path

import pytest

from courses.demo import DEMO_DIR, block_convert, demo_courses_create, slug_for
from courses.models import CourseIndexPage, CoursePage, LessonPage, ModulePage
from tests.content.builders import home_build

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "demo_fixture"


def test_small_fixture_builds_the_tree_and_is_idempotent(client):
    home_build()
    counts = demo_courses_create(directory=FIXTURES)
    assert counts == {"index_created": 1, "courses_created": 1, "courses_existing": 0, "lessons_created": 2}
    course = CoursePage.objects.get(slug="khoa-thu")
    assert course.for_citizens and course.for_team_members and not course.for_civil_servants
    assert course.competence_codes == ["digcomp-2.2:1.1"]
    assert course.outcomes == ["Điều một", "Điều hai"]
    assert ModulePage.objects.child_of(course).get().slug == "chuong-mot-lam-quen"
    lesson = LessonPage.objects.get(slug="bai-1-cai-dat")
    assert [b.block_type for b in lesson.body] == ["heading", "paragraph", "callout", "steps", "quote"]
    html = client.get(lesson.url).content.decode()
    assert "Bấm Cài đặt" in html and "Học mãi" in html
    again = demo_courses_create(directory=FIXTURES)
    assert again["courses_created"] == 0 and again["courses_existing"] == 1 and again["index_created"] == 0
    assert CourseIndexPage.objects.count() == 1 and LessonPage.objects.count() == 2


def test_unknown_block_is_refused():
    with pytest.raises(ValueError, match="video"):
        block_convert({"type": "video", "value": {}})


def test_slug_for_vietnamese_titles():
    assert slug_for("Bài 1: Cài đặt VNeID") == "bai-1-cai-dat-vneid"


@pytest.mark.skipif(not list(DEMO_DIR.glob("*.json")), reason="no demo course files yet")
def test_every_real_demo_file_loads(client):
    home_build()
    counts = demo_courses_create()
    assert counts["courses_created"] == len(list(DEMO_DIR.glob("*.json")))
    for path in DEMO_DIR.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        course = CoursePage.objects.get(slug=data["slug"])
        assert client.get(course.url).status_code == 200
        assert LessonPage.objects.descendant_of(course).count() == sum(
            len(m["lessons"]) for m in data["modules"]
        )
