"""Course pages and certificates name competences by title with their code and level
("1.1 Duyệt, tìm kiếm và lọc dữ liệu… (digcomp-2.2:1.1), mức 2"), without costing the
course page a query once warm; an edited title shows on the next page."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.labels import competence_label
from assessments.loading import frameworks_load
from assessments.models import Competence
from courses.services import enrolment_create
from tests.courses.builders import course_build

pytestmark = pytest.mark.django_db

TITLE_11 = "Duyệt, tìm kiếm và lọc dữ liệu, thông tin và nội dung số"


@pytest.fixture(autouse=True)
def loaded():
    cache.clear()
    frameworks_load()


def _queries(client, url) -> int:
    assert client.get(url).status_code == 200  # warm: site, structure, names
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_labels():
    label = competence_label(code="digcomp-2.2:1.1", title="Duyệt", level=2)
    assert label == "1.1 Duyệt (digcomp-2.2:1.1), mức 2"
    assert competence_label(code="khac-1:9.9", title="", level=2) == "khac-1:9.9, mức 2"
    assert competence_label(code="digcomp-2.2:1.1", title="Duyệt", level="Cơ bản") == (
        "1.1 Duyệt (digcomp-2.2:1.1) — Cơ bản"
    )


def test_course_page_shows_titles_with_codes_and_the_level(client, index):
    course = course_build(index=index, slug="tim-kiem", level="beginner",
                          competences="digcomp-2.2:1.1\ntt02-2025:4.2\nkhac-1:9.9")
    html = client.get(course.url).content.decode()
    assert f"1.1 {TITLE_11} (digcomp-2.2:1.1), mức 2" in html
    assert "4.2 Bảo vệ dữ liệu cá nhân và quyền riêng tư (tt02-2025:4.2), mức 2" in html
    assert "khac-1:9.9, mức 2" in html  # an unknown code stays a code, never guessed


def test_an_advanced_course_shows_level_6_and_english_titles(client, index, settings):
    course = course_build(index=index, slug="nang-cao", level="advanced", competences="digcomp-2.2:1.1")
    html = client.get(course.url).content.decode()
    assert f"1.1 {TITLE_11} (digcomp-2.2:1.1), mức 6" in html
    client.post("/i18n/setlang/", {"language": "en", "next": course.url})
    html = client.get(course.url).content.decode()
    english = "Browsing, searching and filtering data, information and digital content"
    assert f"1.1 {english} (digcomp-2.2:1.1), level 6" in html


@pytest.mark.parametrize("signed_in", [False, True])
def test_competence_titles_cost_the_course_page_no_query(client, index, learner, signed_in):
    plain = course_build(index=index, slug="khong-nang-luc", competences="")
    named = course_build(index=index, slug="co-nang-luc",
                         competences="digcomp-2.2:1.1\ndigcomp-2.2:1.2\ndigcomp-2.2:4.2\ntt02-2025:6.1")
    if signed_in:
        for course in (plain, named):
            enrolment_create(learner=learner, course=course)
        client.force_login(learner)
    assert _queries(client, named.url) == _queries(client, plain.url)


def test_an_edited_title_shows_on_the_next_page(client, index, learner):
    course = course_build(index=index, slug="sua-ten", competences="digcomp-2.2:1.1")
    client.force_login(learner)  # signed-in pages are never served from the page cache
    assert TITLE_11 in client.get(course.url).content.decode()
    competence = Competence.objects.get(framework__code="digcomp-2.2", code="1.1")
    competence.title_vi = "Tìm kiếm thông tin"
    competence.save()
    assert "1.1 Tìm kiếm thông tin (digcomp-2.2:1.1), mức 2" in client.get(course.url).content.decode()


def test_certificate_page_shows_titles_with_codes(client, index, learner):
    from tests.courses.certificates.conftest import complete_course

    course = course_build(index=index, slug="an-toan", level="intermediate", competences="digcomp-2.2:4.2")
    certificate = complete_course(learner=learner, course=course)
    html = client.get(f"/chung-chi/{certificate.code}/").content.decode()
    assert "4.2 Bảo vệ dữ liệu cá nhân và quyền riêng tư (digcomp-2.2:4.2), mức 4" in html
