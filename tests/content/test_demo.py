import pytest
from wagtail.models import Page, Site

from content.demo import demo_site_build
from content.models import HelpPage, HomePage, NewsArticlePage, SiteSettings
from content.selectors import pages_search

pytestmark = pytest.mark.django_db


def test_demo_site_build_is_idempotent():
    first = demo_site_build()
    assert first["created"] >= 10
    assert first["existing"] == 0
    total = Page.objects.count()

    second = demo_site_build()
    assert second == {"created": 0, "existing": first["created"]}
    assert Page.objects.count() == total


def test_demo_site_tree(client):
    demo_site_build()
    home = HomePage.objects.get()
    site = Site.objects.get(is_default_site=True)
    assert site.root_page_id == home.pk
    # Wagtail's welcome page is gone: the tree root has one child, our home page.
    assert [p.specific_class for p in Page.get_first_root_node().get_children()] == [HomePage]
    assert NewsArticlePage.objects.live().count() >= 3
    assert HelpPage.objects.live().count() >= 3
    assert SiteSettings.for_site(site).contact_phone
    assert client.get("/").status_code == 200
    assert client.get("/tin-tuc/").status_code == 200
    assert client.get("/tro-giup/cai-dat-vneid/").status_code == 200


def test_demo_content_is_searchable_without_accents():
    demo_site_build()
    _, hits = pages_search(query="da nang")
    assert any("Đà Nẵng" in hit.title for hit in hits)
    _, hits = pages_search(query="thanh hoa")
    titles = " ".join(hit.title for hit in hits)
    assert "Thanh Hóa" in titles and "Thanh Hoá" in titles
