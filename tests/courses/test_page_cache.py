"""Anonymous catalogue and course pages are served from cache and forgotten on publish."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.cache import page_cache_invalidate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


ROUTING_QUERIES = 5  # Wagtail site lookup and page routing, which run before Page.serve


def test_second_anonymous_request_is_served_from_cache(client, course):
    for url in (course.get_parent().url, course.url, course.get_parent().url + "?q=vneid"):
        first = client.get(url)
        assert first.status_code == 200
        page_cache_invalidate()
        with CaptureQueriesContext(connection) as uncached:
            rendered = client.get(url)
        with CaptureQueriesContext(connection) as cached:
            second = client.get(url)
        assert rendered.templates and not second.templates, url
        assert len(cached) <= min(ROUTING_QUERIES, len(uncached)), url
        head = b"csrfmiddlewaretoken"
        assert second.content.split(head)[0] == rendered.content.split(head)[0]
        assert second.status_code == 200
        assert second.content.replace(b" ", b"").count(b"csrfmiddlewaretoken") == first.content.replace(
            b" ", b"").count(b"csrfmiddlewaretoken")
        assert b"__CSRF_TOKEN__" not in second.content


def test_query_string_and_language_are_part_of_the_key(client, course):
    index_url = course.get_parent().url
    client.get(index_url)
    assert client.get(index_url + "?q=khong-co-khoa-hoc-nao-nhu-vay").content != client.get(index_url).content


def test_publishing_a_change_shows_it_to_the_next_anonymous_visitor(client, course):
    assert course.title.encode() in client.get(course.url).content
    client.get(course.get_parent().url)
    course.title = "Khoá học đã đổi tên"
    course.save_revision().publish()
    assert "Khoá học đã đổi tên" in client.get(course.url).content.decode()
    assert "Khoá học đã đổi tên" in client.get(course.get_parent().url).content.decode()


def test_logged_in_user_never_gets_the_cached_anonymous_page(client, course, learner):
    anonymous = client.get(course.url).content.decode()
    assert "Đăng nhập để đăng ký học miễn phí" in anonymous
    client.force_login(learner)
    html = client.get(course.url).content.decode()
    assert "Đăng nhập để đăng ký học miễn phí" not in html
    assert "Đăng ký học miễn phí" in html


def test_anonymous_page_rendered_for_a_logged_in_user_is_not_stored(client, course):
    client.force_login(UserFactory())
    client.get(course.url)
    client.logout()
    assert "Đăng nhập để đăng ký học miễn phí" in client.get(course.url).content.decode()


def test_cached_csrf_token_is_the_visitors_own(client, course):
    from django.test import Client

    client.get(course.url)
    other = Client(enforce_csrf_checks=True)
    html = other.get(course.url).content.decode()
    token = html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = other.post("/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_invalidate_forgets_cached_pages(client, course):
    client.get(course.url)
    assert not client.get(course.url).templates
    page_cache_invalidate()
    assert client.get(course.url).templates


# --- Invalidation: every change to the tree reaches anonymous and signed-in visitors ------


def _cards(client, index) -> str:
    return client.get(index.url).content.decode()


@pytest.fixture
def two_courses(index):
    from tests.courses.builders import course_build

    return (course_build(index=index, slug="mot", title="Khoá học Một"),
            course_build(index=index, slug="hai", title="Khoá học Hai"))


@pytest.fixture
def signed_in(learner):
    from django.test import Client

    client = Client()
    client.force_login(learner)
    return client


def _warm(clients, urls):
    for client in clients:
        for url in urls:
            client.get(url)


def test_unpublishing_a_course_removes_it_everywhere(client, signed_in, index, two_courses):
    first, second = two_courses
    _warm((client, signed_in), (index.url, first.url))
    assert "Khoá học Một" in _cards(client, index) and "Khoá học Một" in _cards(signed_in, index)
    first.unpublish()
    for visitor in (client, signed_in):
        html = _cards(visitor, index)
        assert "Khoá học Một" not in html and "Khoá học Hai" in html
        assert visitor.get(first.url).status_code == 404


def test_deleting_a_course_removes_it_everywhere(client, signed_in, index, two_courses):
    first, _second = two_courses
    url = first.url
    _warm((client, signed_in), (index.url, url))
    first.delete()
    for visitor in (client, signed_in):
        assert "Khoá học Một" not in _cards(visitor, index)
        assert visitor.get(url).status_code == 404


def test_moving_a_course_to_another_catalogue(client, signed_in, index, two_courses):
    from courses.models import CourseIndexPage
    from tests.content.builders import page_publish

    first, _second = two_courses
    other = page_publish(parent=index.get_parent(),
                         page=CourseIndexPage(title="Khoá học khác", slug="khoa-hoc-khac"))
    old_url = first.url
    _warm((client, signed_in), (index.url, other.url, old_url))
    first.move(other, pos="last-child")
    first.refresh_from_db()
    for visitor in (client, signed_in):
        assert "Khoá học Một" not in _cards(visitor, index)
        assert "Khoá học Một" in _cards(visitor, other)
        old = visitor.get(old_url)  # Wagtail leaves a permanent redirect to the new place
        assert old.status_code == 301 and old["Location"] == first.url
        assert "Khoá học Một" in visitor.get(first.url).content.decode()


def test_a_published_edit_reaches_signed_in_learners_too(signed_in, index, course, learner):
    from courses.models import LessonPage
    from courses.services import enrolment_create
    from tests.content.builders import page_publish
    from tests.courses.builders import lessons_of

    enrolment_create(learner=learner, course=course)
    module = lessons_of(course)[0].get_parent()
    plain = page_publish(parent=module, page=LessonPage(
        title="Bài đọc", slug="bai-doc", body=[{"type": "paragraph", "value": "<p>Bản cũ.</p>"}]))
    _warm((signed_in,), (index.url, course.url, plain.url))
    assert "Bản cũ." in signed_in.get(plain.url).content.decode()
    course.title, course.summary = "Tên mới của khoá", "Tóm tắt mới."
    course.save_revision().publish()
    plain = LessonPage.objects.get(pk=plain.pk)
    plain.body = [{"type": "paragraph", "value": "<p>Bản mới.</p>"}]
    plain.title = "Bài đọc (sửa)"
    plain.save_revision().publish()
    assert "Tên mới của khoá" in _cards(signed_in, index)
    html = signed_in.get(course.url).content.decode()
    assert "Tên mới của khoá" in html and "Tóm tắt mới." in html and "Bài đọc (sửa)" in html
    lesson_html = signed_in.get(plain.url).content.decode()
    assert "Bản mới." in lesson_html and "Bản cũ." not in lesson_html
