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
