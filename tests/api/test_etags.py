"""Conditional reads on the whole API (lms.api.conditional_get): ETag, 304, per user."""

import pytest
from django.core.cache import cache
from django.test import Client
from wagtail.models import APIToken

from courses.services import enrolment_create, lesson_complete
from lms.places.services import unit_create
from tests.courses.builders import course_build, index_build, lessons_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def course(db):
    return course_build(index=index_build())


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_matching_if_none_match_is_a_304_without_a_body(client):
    unit_create(name="Thành phố Đà Nẵng", level="province", code="48")
    first = client.get("/api/v1/places/units", {"q": "da nang"})
    assert first.status_code == 200 and first.json()["items"]
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = client.get("/api/v1/places/units", {"q": "da nang"}, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    # A list of tags, or a weak form of ours, matches too; a stale tag does not.
    assert client.get("/api/v1/places/units", {"q": "da nang"},
                      HTTP_IF_NONE_MATCH=f'"stale", W/{etag}').status_code == 304
    stale = client.get("/api/v1/places/units", {"q": "da nang"}, HTTP_IF_NONE_MATCH='"stale"')
    assert stale.status_code == 200 and stale.json() == first.json()


def test_the_tag_changes_when_the_data_changes(client):
    unit_create(name="Thành phố Đà Nẵng", level="province", code="48")
    before = client.get("/api/v1/places/units", {"q": "da nang"})
    unit_create(name="Đà Nẵng mới", level="province", code="49")
    after = client.get("/api/v1/places/units", {"q": "da nang"}, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert len(after.json()["items"]) == 2
    assert after["ETag"] != before["ETag"]


def test_per_user_progress_changes_the_tag(course):
    learner = UserFactory()
    client = _logged_in(learner)
    enrolment_create(learner=learner, course=course)
    url = f"/api/v1/courses/{course.pk}"
    before = client.get(url)
    assert client.get(url, HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 304
    lesson_complete(learner=learner, lesson=lessons_of(course)[0])
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert [lesson["status"] for lesson in after.json()["modules"][0]["lessons"]][0] == "completed"


def test_a_tag_never_revalidates_for_another_user(course):
    """Two learners whose answers are byte for byte the same still get different tags:
    one learner's tag, replayed by the other, is a full 200 with the other's data."""
    first, second = UserFactory(), UserFactory()
    for learner in (first, second):
        enrolment_create(learner=learner, course=course)
    a, b = _logged_in(first), _logged_in(second)
    for url, same_body in (("/api/v1/courses/mine", True), ("/api/v1/courses/", True),
                           (f"/api/v1/courses/{course.pk}", False)):
        mine = a.get(url)
        theirs = b.get(url)
        assert mine.status_code == theirs.status_code == 200, url
        assert (mine.content == theirs.content) is same_body, url  # only the user differs
        assert mine["ETag"] != theirs["ETag"], url
        replayed = b.get(url, HTTP_IF_NONE_MATCH=mine["ETag"])
        assert replayed.status_code == 200 and replayed.content == theirs.content, url
        assert "private" in mine["Cache-Control"], url
        assert {"cookie", "authorization"} <= {v.strip().lower() for v in mine["Vary"].split(",")}, url
    # Nor between a learner and an anonymous visitor of a public endpoint.
    anonymous = Client().get("/api/v1/courses/")
    assert anonymous["ETag"] != a.get("/api/v1/courses/")["ETag"]
    assert "private" not in anonymous["Cache-Control"]
    assert Client().get("/api/v1/courses/", HTTP_IF_NONE_MATCH=anonymous["ETag"]).status_code == 304


def test_bearer_token_reads_are_tagged_per_user():
    alice, bob = UserFactory(full_name="Alice"), UserFactory(full_name="Alice")
    _token, alice_secret = APIToken.create_token(user=alice, name="a")
    _token, bob_secret = APIToken.create_token(user=bob, name="b")
    alice_me = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {alice_secret}")
    assert alice_me.status_code == 200
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {alice_secret}",
                        HTTP_IF_NONE_MATCH=alice_me["ETag"]).status_code == 304
    bob_me = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {bob_secret}",
                          HTTP_IF_NONE_MATCH=alice_me["ETag"])
    assert bob_me.status_code == 200 and bob_me.json()["id"] == bob.pk


def test_writes_and_errors_carry_no_tag(course):
    learner = UserFactory()
    client = _logged_in(learner)
    created = client.post(f"/api/v1/courses/{course.pk}/enrolment")
    assert created.status_code == 201
    assert not created.has_header("ETag")
    missing = client.get("/api/v1/courses/999999", HTTP_IF_NONE_MATCH="*")
    assert missing.status_code == 404 and not missing.has_header("ETag")
    refused = Client().get("/api/v1/me")
    assert refused.status_code == 401 and not refused.has_header("ETag")
