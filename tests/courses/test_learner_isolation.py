"""One learner's progress never shows in another learner's pages, whatever is cached.

The catalogue, course and lesson pages reuse cached parts (the route to the page, the
anonymous page cache, catalogue cards, course details, outlines per progress state,
lesson bodies): these tests give two learners different progress in the same course
and read every page as each of them, before and after every cache is warm, in both
orders.
"""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from courses.models import LessonPage
from courses.services import enrolment_create, lesson_complete
from tests.content.builders import page_publish
from tests.courses.builders import course_build, lessons_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(index):
    course = course_build(index=index, modules=1, lessons_per_module=3)
    module = lessons_of(course)[0].get_parent()
    # A lesson without a quiz block: its body is served from the fragment cache.
    plain = page_publish(parent=module, page=LessonPage(
        title="Bài đọc thêm", slug="bai-doc-them", duration_minutes=5,
        body=[{"type": "paragraph", "value": "<p>Chỉ có chữ.</p>"}]))
    lessons = [*lessons_of(course)]
    assert lessons[-1].pk == plain.pk
    an = UserFactory(full_name="Trần Văn An")
    binh = UserFactory(full_name="Lê Thị Bình")
    for learner in (an, binh):
        enrolment_create(learner=learner, course=course)
    # An: lessons 1 and 2 of 4 (50%). Bình: lesson 3 only (25%).
    lesson_complete(learner=an, lesson=lessons[0])
    lesson_complete(learner=an, lesson=lessons[1])
    lesson_complete(learner=binh, lesson=lessons[2])
    clients = {}
    for learner in (an, binh):
        clients[learner.full_name] = Client()
        clients[learner.full_name].force_login(learner)
    urls = [index.url, course.url, lessons[0].url, lessons[2].url, plain.url]
    return {"course": course, "lessons": lessons, "clients": clients, "urls": urls}


EXPECTED = {
    # name: (percent shown, titles of the lessons shown completed)
    "Trần Văn An": ("50", {"Bài 1", "Bài 2"}),
    "Lê Thị Bình": ("25", {"Bài 3"}),
}


def _completed_titles(html: str) -> set[str]:
    items = re.findall(r'lesson-list__item--completed">(.*?)</li>', html, flags=re.S)
    return {re.sub(r"<[^>]+>", "", re.search(r"<a[^>]*>(.*?)</a>|<span>(.*?)</span>", item, re.S).group(0))
            for item in items}


def _check(name: str, url: str, html: str, setting) -> None:
    percent, completed = EXPECTED[name]
    other = next(n for n in EXPECTED if n != name)
    other_percent, _ = EXPECTED[other]
    assert name in html, url
    assert other not in html, url
    assert f"Đã học {percent}%" in html, url
    assert f"Đã học {other_percent}%" not in html, url
    if url != setting["urls"][0]:  # course and lesson pages show the outline
        assert _completed_titles(html) == completed, url
    lesson_urls = {lesson.url: lesson for lesson in setting["lessons"]}
    if url in lesson_urls:
        done_here = lesson_urls[url].title in completed
        assert ("Bạn đã học xong bài này" in html) is done_here, url


@pytest.mark.parametrize("order", [("Trần Văn An", "Lê Thị Bình"), ("Lê Thị Bình", "Trần Văn An")])
def test_progress_never_crosses_learners_cold_and_warm(setting, order):
    cache.clear()
    anonymous = Client()
    for round_ in ("cold", "warm", "warm again"):
        for url in setting["urls"]:
            if round_ == "cold":
                # The anonymous copy of each page is cached first, as in production.
                assert anonymous.get(url).status_code == 200
            for name in order:
                with CaptureQueriesContext(connection) as queries:
                    response = setting["clients"][name].get(url)
                assert response.status_code == 200, (round_, url)
                _check(name, url, response.content.decode(), setting)
                if round_ != "cold":
                    # Warm: the page was routed from the cache (courses.routing), shared
                    # by both learners, and each still saw only their own progress.
                    assert not any("wagtailcore_site" in q["sql"] for q in queries), (round_, url)


def test_progress_change_shows_at_once_despite_cached_outlines(setting):
    an = setting["clients"]["Trần Văn An"]
    course = setting["course"]
    for url in setting["urls"]:
        an.get(url)
    binh = setting["clients"]["Lê Thị Bình"]
    binh_user = binh.get(course.url).wsgi_request.user
    # Bình reaches exactly An's state: the same cached outline may serve both, and it
    # names no one; the percentages, names and buttons stay each learner's own.
    lesson_complete(learner=binh_user, lesson=setting["lessons"][0])
    lesson_complete(learner=binh_user, lesson=setting["lessons"][1])
    html = binh.get(course.url).content.decode()
    assert _completed_titles(html) == {"Bài 1", "Bài 2", "Bài 3"}
    assert "Đã học 75%" in html and "Lê Thị Bình" in html and "Trần Văn An" not in html
    assert "Đã học 75%" in binh.get(setting["urls"][0]).content.decode()
    html = an.get(course.url).content.decode()
    assert _completed_titles(html) == {"Bài 1", "Bài 2"} and "Đã học 50%" in html
