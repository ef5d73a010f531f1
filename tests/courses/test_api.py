"""The courses JSON API (mounted at /api/v1/courses)."""

import json

import pytest

from courses.models import Enrolment
from courses.services import enrolment_create
from tests.courses.builders import course_build, lessons_of
from tests.courses.urls import API_PREFIX

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.courses.urls")]


def _json(response):
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return json.loads(response.content)


def test_catalogue_is_public_and_filtered(client, index):
    course_build(index=index, slug="vneid", title="Tài khoản VNeID")
    course_build(index=index, slug="ban-hang", title="Bán hàng trên mạng", topic="online_selling")
    body = _json(client.get(f"{API_PREFIX}/?q=tai+khoan"))
    assert body["count"] == 1
    card = body["items"][0]
    assert card["title"] == "Tài khoản VNeID" and card["learner_count"] == 0 and card["my_status"] is None
    assert card["url"] == "/khoa-hoc/vneid/"
    assert _json(client.get(f"{API_PREFIX}/?topic=online_selling"))["items"][0]["slug"] == "ban-hang"


def test_bad_filter_is_a_json_422(client, index):
    response = client.get(f"{API_PREFIX}/?level=expert")
    assert response.status_code == 422
    assert _json(response)["code"] == "invalid"


def test_course_detail_with_outline(client, course, learner):
    body = _json(client.get(f"{API_PREFIX}/{course.pk}"))
    assert body["title"] == "Dùng VNeID an toàn"
    assert [lesson["status"] for lesson in body["modules"][0]["lessons"]] == ["open"] * 3
    assert body["enrolment"] is None
    assert client.get(f"{API_PREFIX}/999999").status_code == 404


def test_enrol_complete_and_my_courses(client, course, learner):
    assert client.post(f"{API_PREFIX}/{course.pk}/enrolment").status_code == 401
    client.force_login(learner)
    response = client.post(f"{API_PREFIX}/{course.pk}/enrolment")
    assert response.status_code == 201, response.content
    assert _json(response)["status"] == "active"
    duplicate = client.post(f"{API_PREFIX}/{course.pk}/enrolment")
    assert duplicate.status_code == 409
    assert "đã đăng ký" in _json(duplicate)["detail"]
    lessons = lessons_of(course)
    for i, lesson in enumerate(lessons):
        response = client.post(
            f"{API_PREFIX}/lessons/{lesson.pk}/complete", {"seconds": 90}, content_type="application/json"
        )
        assert response.status_code == 200, response.content
        assert _json(response)["course_completed"] is (i == len(lessons) - 1)
    again = _json(
        client.post(f"{API_PREFIX}/lessons/{lessons[0].pk}/complete", content_type="application/json")
    )
    assert again["seconds_spent"] == 90
    mine = _json(client.get(f"{API_PREFIX}/mine"))
    assert mine[0]["status"] == "completed" and mine[0]["percent"] == 100 and mine[0]["seconds_spent"] == 270
    detail = _json(client.get(f"{API_PREFIX}/{course.pk}"))
    assert detail["percent"] == 100 and detail["enrolment"]["status"] == "completed"


def test_complete_without_enrolment_is_403_and_unenrol(client, course, learner):
    client.force_login(learner)
    lesson = lessons_of(course)[0]
    response = client.post(f"{API_PREFIX}/lessons/{lesson.pk}/complete", content_type="application/json")
    assert response.status_code == 403
    assert "đăng ký khoá học" in _json(response)["detail"]
    bad = client.post(
        f"{API_PREFIX}/lessons/{lesson.pk}/complete", {"seconds": -5}, content_type="application/json"
    )
    assert bad.status_code == 422 and "seconds" in _json(bad)["detail"]
    enrolment_create(learner=learner, course=course)
    response = client.delete(f"{API_PREFIX}/{course.pk}/enrolment")
    assert response.status_code == 200 and _json(response)["status"] == "unenrolled"
    response = client.delete(f"{API_PREFIX}/{course.pk}/enrolment")
    assert response.status_code == 400 and "chưa đăng ký" in _json(response)["detail"]
    assert Enrolment.objects.get().status == "unenrolled"
