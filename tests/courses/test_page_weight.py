"""Page weight on a 3G phone: each page's HTML plus the CSS it links stays under
200 KB gzip-compressed, measured on the demo content."""

import gzip
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from content.demo import demo_site_build
from courses.demo import demo_courses_create
from courses.models import CourseIndexPage, CoursePage, LessonPage
from courses.services import enrolment_create

pytestmark = pytest.mark.django_db
BUDGET_BYTES = 200 * 1024
STYLESHEET = re.compile(r'<link[^>]+rel="stylesheet"[^>]*>')
HREF = re.compile(r'href="([^"]+)"')


def _linked_css(html: str) -> list[bytes]:
    files = []
    for tag in STYLESHEET.findall(html):
        href = HREF.search(tag).group(1).split("?")[0].split("#")[0]
        assert href.startswith(settings.STATIC_URL), href
        path = finders.find(href[len(settings.STATIC_URL):])
        assert path, f"stylesheet not found by the staticfiles finders: {href}"
        files.append(Path(path).read_bytes())
    return files


def _weight(client, url: str) -> tuple[int, int]:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    css = _linked_css(html)
    assert css, f"{url} links no stylesheet"
    return len(gzip.compress(response.content)) + sum(len(gzip.compress(c)) for c in css), len(css)


def test_catalogue_course_and_lesson_pages_stay_under_200_kb_gzipped(client, learner):
    demo_site_build()
    demo_courses_create()
    index = CourseIndexPage.objects.live().get()
    course = CoursePage.objects.live().child_of(index).order_by("path").first().specific
    lessons = LessonPage.objects.live().descendant_of(course).order_by("path")
    lesson = max(lessons, key=lambda page: len(str(page.body.raw_data)))
    enrolment_create(learner=learner, course=course)
    for url, logged_in in ((index.url, False), (course.url, False), (course.url, True), (lesson.url, True)):
        if logged_in:
            client.force_login(learner)
        weight, _ = _weight(client, url)
        assert 0 < weight < BUDGET_BYTES, (url, weight)
