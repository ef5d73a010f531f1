import datetime

import pytest
from django.core.exceptions import ValidationError
from wagtail_factories import ImageFactory

from content.models import NEWS_PER_PAGE, NewsArticlePage, NewsIndexPage
from tests.content.builders import home_build, page_publish, paragraph

pytestmark = pytest.mark.django_db


@pytest.fixture
def news_index():
    home = home_build()
    news = page_publish(parent=home, page=NewsIndexPage(title="Tin tức", slug="tin-tuc"))
    start = datetime.date(2025, 1, 1)
    # Created oldest-last so that tree order is not date order.
    for n in range(NEWS_PER_PAGE + 2):
        page_publish(parent=news, page=NewsArticlePage(
            title=f"Bài số {n:02d}", slug=f"bai-{n}", date=start + datetime.timedelta(days=30 - n),
            intro=f"Tóm tắt {n}", body=[paragraph("Nội dung")],
        ))
    draft = NewsArticlePage(title="Bản nháp", slug="ban-nhap", intro="x", body=[], live=False)
    news.add_child(instance=draft)
    return news


def _titles(response) -> list[str]:
    return [a.title for a in response.context["articles"]]


def test_first_page_is_newest_first(client, news_index):
    response = client.get(news_index.url)
    assert response.status_code == 200
    titles = _titles(response)
    assert len(titles) == NEWS_PER_PAGE
    assert titles[:3] == ["Bài số 00", "Bài số 01", "Bài số 02"]
    assert "Bản nháp" not in response.content.decode()
    assert "?page=2" in response.content.decode()


def test_second_page_has_the_rest(client, news_index):
    response = client.get(news_index.url, {"page": 2})
    assert _titles(response) == ["Bài số 10", "Bài số 11"]


@pytest.mark.parametrize(
    "bad,expected_first", [("abc", "Bài số 00"), ("999", "Bài số 10"), ("-1", "Bài số 10")]
)
def test_nonsense_page_numbers_do_not_fail(client, news_index, bad, expected_first):
    response = client.get(news_index.url, {"page": bad})
    assert response.status_code == 200
    assert _titles(response)[0] == expected_first


def test_home_shows_three_latest_news(client, news_index):
    response = client.get("/")
    assert [a.title for a in response.context["latest_news"]] == ["Bài số 00", "Bài số 01", "Bài số 02"]


def test_article_image_needs_a_description(news_index):
    article = NewsArticlePage.objects.get(slug="bai-1")
    article.image = ImageFactory(description="")
    with pytest.raises(ValidationError):
        article.full_clean()
    article.image_alt = "Lớp học ở nhà văn hoá"
    article.full_clean()
