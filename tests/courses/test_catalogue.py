"""The catalogue page: filters, accent-insensitive search, cards, empty states."""

import re

import pytest

from courses.services import enrolment_create, lesson_complete
from tests.courses.builders import course_build, lessons_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def courses(index):
    return {
        "vneid": course_build(
            index=index,
            slug="vneid",
            title="Tài khoản định danh điện tử VNeID",
            topic="vneid",
            duration_minutes=45,
            competences="digcomp-2.2:2.1",
        ),
        "pay": course_build(
            index=index,
            slug="thanh-toan",
            title="Thanh toán không dùng tiền mặt",
            topic="cashless_payment",
            level="intermediate",
            duration_minutes=120,
            for_citizens=True,
            for_team_members=True,
            competences="digcomp-2.2:4.2",
        ),
        "gov": course_build(
            index=index,
            slug="chinh-quyen-so",
            title="Chính quyền số cho công chức",
            topic="digital_government",
            level="advanced",
            duration_minutes=240,
            for_citizens=False,
            for_civil_servants=True,
            competences="digcomp-2.2:5.1",
        ),
    }


def _titles(client, url):
    response = client.get(url)
    assert response.status_code == 200
    titles = " | ".join(
        re.findall(r'class="card__title"><a href="[^"]+">([^<]+)</a>', response.content.decode())
    )
    return {
        key
        for key, title in [("vneid", "VNeID"), ("pay", "Thanh toán"), ("gov", "Chính quyền số")]
        if title in titles
    }


@pytest.mark.parametrize(
    "query,expected",
    [
        ("", {"vneid", "pay", "gov"}),
        ("?q=thanh+toan", {"pay"}),
        ("?q=THANH TOÁN tien mat", {"pay"}),
        ("?q=dinh danh", {"vneid"}),
        ("?q=cong+chuc", {"gov"}),
        ("?topic=vneid", {"vneid"}),
        ("?audience=team_member", {"pay"}),
        ("?audience=civil_servant", {"gov"}),
        ("?level=advanced", {"gov"}),
        ("?area=4", {"pay"}),
        ("?length=short", {"vneid"}),
        ("?length=medium", {"pay"}),
        ("?length=long", {"gov"}),
        ("?audience=citizen&length=medium&q=thanh", {"pay"}),
    ],
)
def test_filters_and_folded_search(client, index, courses, query, expected):
    assert _titles(client, index.url + query) == expected


def test_no_result_state_says_what_to_do(client, index, courses):
    html = client.get(index.url + "?q=khong+co+gi").content.decode()
    assert "Không có khoá học nào khớp" in html and "Xem tất cả khoá học" in html


def test_empty_catalogue_state(client, index):
    assert "Chưa có khoá học nào được xuất bản." in client.get(index.url).content.decode()


def test_invalid_filter_is_a_400_with_a_message(client, index, courses):
    response = client.get(index.url + "?level=chuyen-gia")
    assert response.status_code == 400
    assert "Lựa chọn không hợp lệ" in response.content.decode()


def test_cards_show_length_level_learners_and_own_progress(client, index, courses):
    learner = UserFactory()
    for user in (learner, UserFactory(), UserFactory()):
        enrolment_create(learner=user, course=courses["pay"])
    lesson_complete(learner=learner, lesson=lessons_of(courses["pay"])[0])
    client.force_login(learner)
    html = client.get(index.url).content.decode()
    card = html.split(">Thanh toán không dùng tiền mặt</a>")[1].split('class="card course-card"')[0]
    assert "120 phút" in card and "Trung bình" in card
    assert "Người học:</span> 3" in card
    assert "Đã học 33%" in card


def test_pagination_keeps_filters(client, index):
    for n in range(14):
        course_build(index=index, slug=f"k{n}", title=f"Khoá VNeID {n}", modules=1, lessons_per_module=1)
    html = client.get(index.url + "?q=vneid").content.decode()
    assert "14 khoá học" in html and "q=vneid&amp;page=2" in html
    assert "Trang 2 / 2" in client.get(index.url + "?q=vneid&page=2").content.decode()
