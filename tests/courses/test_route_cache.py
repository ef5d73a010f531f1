"""Catalogue, course, module and lesson pages are routed from the cache (courses.routing):
the routing queries are skipped once a page was served, and the cached route never
outlives a change to the tree, the sites or the view restrictions, nor crosses hosts."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction, Site

from content.models import HomePage
from courses.services import enrolment_create
from tests.content.builders import page_publish
from tests.courses.builders import lessons_of

pytestmark = pytest.mark.django_db


def _queries(client, url, **extra):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **extra)
    return response, [q["sql"] for q in captured]


def _urls(course):
    lesson = lessons_of(course)[0]
    return [course.get_parent().url, course.url, lesson.get_parent().url, lesson.url]


@pytest.fixture
def signed_in(learner, course):
    enrolment_create(learner=learner, course=course)
    client = Client()
    client.force_login(learner)
    return client


def test_a_served_page_is_routed_without_the_routing_queries(signed_in, course, settings):
    for url in _urls(course):
        assert signed_in.get(url).status_code == 200
        warm, warm_sql = _queries(signed_in, url)
        settings.COURSES_ROUTE_CACHE = False
        cold, cold_sql = _queries(signed_in, url)
        settings.COURSES_ROUTE_CACHE = True
        assert warm.status_code == cold.status_code == 200
        assert not any("wagtailcore_site" in sql for sql in warm_sql), url
        assert any("wagtailcore_site" in sql for sql in cold_sql), url
        assert len(warm_sql) <= len(cold_sql) - 4, (url, len(warm_sql), len(cold_sql))
        assert warm.content.split(b"csrfmiddlewaretoken")[0] == cold.content.split(b"csrfmiddlewaretoken")[0]


def test_the_cached_route_holds_no_visitor(signed_in, course, learner, monkeypatch):
    from courses import routing

    stored = []

    class Recording:
        def __getattr__(self, name):
            return getattr(cache, name)

        def set(self, key, value, timeout):
            stored.append((key, value))
            return cache.set(key, value, timeout)

    monkeypatch.setattr(routing, "cache", Recording())
    for url in _urls(course):
        signed_in.get(url)
    assert len(stored) == 4
    for key, (site, page) in stored:
        # generation, host, port and path: nothing about the visitor
        assert re.fullmatch(r"courses:route:\d+:testserver:80:[\w/-]+", key), key
        assert isinstance(site, Site) and page.live
        assert learner.full_name not in repr(vars(page))


def test_a_slug_change_and_an_unpublish_reach_the_cached_route(client, signed_in, course):
    index = course.get_parent()
    old_url = course.url
    lesson_url = lessons_of(course)[0].url
    for visitor in (client, signed_in):
        for url in (index.url, old_url, lesson_url, old_url):
            assert visitor.get(url).status_code == 200
    course.slug = "dung-vneid-moi"
    course.save_revision().publish()
    course.refresh_from_db()
    for visitor in (client, signed_in):
        assert visitor.get(course.url).status_code == 200
        assert visitor.get(old_url).status_code in (301, 404)  # never the old route
    lesson = lessons_of(course)[0]
    assert signed_in.get(lesson.url).status_code == 200
    lesson.unpublish()
    for visitor in (client, signed_in):
        assert visitor.get(lesson.url).status_code == 404


def test_a_view_restriction_added_later_is_enforced(client, signed_in, course):
    for visitor in (client, signed_in):
        for url in _urls(course):
            assert visitor.get(url).status_code == 200
    restriction = PageViewRestriction.objects.create(page=course, restriction_type=PageViewRestriction.LOGIN)
    for url in _urls(course)[1:]:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
        assert signed_in.get(url).status_code == 200
    restriction.delete()
    assert client.get(course.url).status_code == 200


def test_another_host_never_gets_this_sites_route(client, course):
    other_home = page_publish(parent=course.get_parent().get_parent().get_parent(),
                              page=HomePage(title="Trang khác", slug="trang-khac", hero_title="Khác"))
    Site.objects.create(hostname="khac.example", port=80, root_page=other_home, is_default_site=False)
    for url in _urls(course):
        assert client.get(url).status_code == 200
        assert client.get(url).status_code == 200
        assert client.get(url, HTTP_HOST="khac.example").status_code == 404, url


def test_moving_the_site_root_reaches_the_cached_route(client, course):
    urls = _urls(course)
    for url in urls:
        assert client.get(url).status_code == 200
    site = Site.objects.get(is_default_site=True)
    home = site.root_page
    site.root_page = home.get_parent()
    site.save()
    # The same pages now sit one level lower: /trang-chu-test/khoa-hoc/…
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.get(f"/{home.slug}{url}").status_code == 200, url
