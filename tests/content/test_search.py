import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from wagtail.models import PageViewRestriction

from content.models import HelpIndexPage, HelpPage, NewsArticlePage, NewsIndexPage, StandardPage
from content.search import snippet_around
from content.selectors import pages_search, search_query_fold
from tests.content.builders import home_build, page_publish, paragraph

pytestmark = pytest.mark.django_db

SEARCH_URL = "/tim-kiem/"


def _article(news, slug: str, title: str, text: str) -> NewsArticlePage:
    return page_publish(parent=news, page=NewsArticlePage(
        title=title, slug=slug, date=datetime.date(2025, 10, 1), intro="Tin địa phương",
        body=[paragraph(text)],
    ))


@pytest.fixture
def site_pages():
    home = home_build()
    news = page_publish(parent=home, page=NewsIndexPage(title="Tin tức", slug="tin-tuc"))
    help_index = page_publish(parent=home, page=HelpIndexPage(title="Trợ giúp", slug="tro-giup"))
    pages = {
        "da_nang": _article(news, "da-nang", "Tổ công nghệ số ở Đà Nẵng", "Ra mắt ở mọi tổ dân phố."),
        "hoa_new": _article(news, "thanh-hoa-1", "Học VNeID", "Người cao tuổi ở Thanh Hóa học cài VNeID."),
        "hoa_old": _article(news, "thanh-hoa-2", "Chợ phiên", "Chợ phiên vùng cao Thanh Hoá dùng mã QR."),
        "help": page_publish(parent=help_index, page=HelpPage(
            title="Phòng tránh lừa đảo", slug="lua-dao", topic=HelpPage.Topic.SAFETY,
            body=[{"type": "callout", "value": {"kind": "warning", "title": "Cảnh giác",
                                                "text": "<p>Không đọc mã OTP cho ai.</p>"}}],
        )),
    }
    return {"home": home, "news": news, **pages}


def _titles(query: str) -> set[str]:
    _, hits = pages_search(query=query)
    return {hit.title for hit in hits}


def test_query_is_folded_and_stripped_of_syntax():
    assert search_query_fold(query="  ĐÀ   NẴNG ") == "da nang"
    assert search_query_fold(query='"thanh" OR hoá*') == "thanh or hoa"


def test_unaccented_query_finds_accented_page(site_pages):
    assert _titles("da nang") == {"Tổ công nghệ số ở Đà Nẵng"}


def test_both_spellings_of_thanh_hoa(site_pages):
    assert _titles("thanh hoa") == {"Học VNeID", "Chợ phiên"}
    assert _titles("Thanh Hóa") == {"Học VNeID", "Chợ phiên"}
    assert _titles("Thanh Hoá") == {"Học VNeID", "Chợ phiên"}


def test_upper_case_accented_query(site_pages):
    assert _titles("ĐÀ NẴNG") == {"Tổ công nghệ số ở Đà Nẵng"}


def test_every_word_must_match(site_pages):
    assert _titles("thanh hoa cho phien") == {"Chợ phiên"}


def test_text_inside_blocks_is_searchable(site_pages):
    assert _titles("ma otp") == {"Phòng tránh lừa đảo"}


def test_only_live_pages(site_pages):
    site_pages["da_nang"].unpublish()
    assert _titles("da nang") == set()
    draft = NewsArticlePage(title="Bản nháp Đà Nẵng", slug="nhap", intro="x", body=[], live=False)
    site_pages["news"].add_child(instance=draft)
    assert _titles("da nang") == set()


def test_only_public_pages(site_pages):
    secret = page_publish(parent=site_pages["home"], page=StandardPage(
        title="Nội bộ Đà Nẵng", slug="noi-bo", body=[paragraph("Chỉ cán bộ")]))
    restriction = PageViewRestriction.objects.create(page=secret, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(Group.objects.create(name="Cán bộ"))
    assert _titles("da nang") == {"Tổ công nghệ số ở Đà Nẵng"}


def test_publishing_an_edit_updates_the_index(site_pages):
    page = site_pages["da_nang"]
    page.title = "Tổ công nghệ số ở Hội An"
    page.body = [paragraph("Phố cổ Hội An.")]
    page.save_revision().publish()
    assert _titles("da nang") == set()
    assert _titles("hoi an") == {"Tổ công nghệ số ở Hội An"}


def test_draft_edit_does_not_change_what_is_found(site_pages):
    page = site_pages["da_nang"]
    page.title = "Bản nháp ở Huế"
    page.save_revision()
    assert _titles("hue") == set()
    assert _titles("da nang") == {"Tổ công nghệ số ở Đà Nẵng"}


def test_update_index_rebuilds_the_folded_index(site_pages):
    call_command("update_index", verbosity=0)
    assert _titles("da nang") == {"Tổ công nghệ số ở Đà Nẵng"}
    assert _titles("thanh hoa") == {"Học VNeID", "Chợ phiên"}


def test_snippet_keeps_accents_and_shows_the_match():
    text = "Mở đầu dài dòng. " * 20 + "Người dân Đà Nẵng học kỹ năng số." + " Đoạn kết." * 20
    snippet = snippet_around(text, "da nang", width=80)
    assert "Đà Nẵng" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet) < 100


def test_search_page_lists_results_with_type_and_snippet(client, site_pages):
    response = client.get(SEARCH_URL, {"q": "thanh hoa"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Có 2 kết quả" in html
    assert "Chợ phiên" in html and "Học VNeID" in html
    assert "Bài tin tức" in html
    assert "Thanh Hoá dùng mã QR" in html
    assert site_pages["hoa_old"].url in html


def test_search_page_empty_state(client, site_pages):
    response = client.get(SEARCH_URL)
    assert response.status_code == 200
    assert "Nhập một từ khoá" in response.content.decode()
    assert response.context["hits"] == []


def test_search_page_no_results_says_what_to_do(client, site_pages):
    response = client.get(SEARCH_URL, {"q": "không có từ này xyz"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Không tìm thấy kết quả nào" in html
    assert 'href="/tro-giup/"' in html


@pytest.mark.parametrize("query", ['"', "*", "AND OR NOT", "(", "'; DROP TABLE", "đ" * 50, "🙂"])
def test_odd_queries_do_not_fail(client, site_pages, query):
    response = client.get(SEARCH_URL, {"q": query})
    assert response.status_code == 200


def test_too_long_query_is_refused_clearly(client, site_pages):
    response = client.get(SEARCH_URL, {"q": "a" * 201})
    assert response.status_code == 400
    assert "Từ khoá quá dài" in response.content.decode()


def test_search_results_are_paginated(client, site_pages):
    for n in range(12):
        _article(site_pages["news"], f"nang-{n}", f"Đà Nẵng tin {n}", "Đà Nẵng")
    first = client.get(SEARCH_URL, {"q": "da nang"})
    assert first.context["results_page"].paginator.count == 13
    assert len(first.context["hits"]) == 10
    assert "q=da%20nang&amp;page=2" in first.content.decode()
    second = client.get(SEARCH_URL, {"q": "da nang", "page": 2})
    assert len(second.context["hits"]) == 3
    assert client.get(SEARCH_URL, {"q": "da nang", "page": "x"}).status_code == 200
