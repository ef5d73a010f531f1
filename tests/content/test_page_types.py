from django.urls import reverse
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from content.models import HelpIndexPage, HelpPage, HomePage, NewsArticlePage, NewsIndexPage, StandardPage
from tests.content.builders import tree_build
from tests.factories import UserFactory


class PageTypeRulesTests(WagtailPageTestCase):
    def test_home_page_only_under_the_tree_root(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertCanNotCreateAt(HomePage, HomePage)
        self.assertCanNotCreateAt(StandardPage, HomePage)

    def test_home_page_children(self):
        # Left open for other apps' index pages; content's own leaves are kept out.
        for child in (StandardPage, NewsIndexPage, HelpIndexPage):
            self.assertCanCreateAt(HomePage, child)
        for child in (NewsArticlePage, HelpPage, HomePage):
            self.assertCanNotCreateAt(HomePage, child)

    def test_standard_page(self):
        self.assertAllowedParentPageTypes(StandardPage, {HomePage, StandardPage})
        self.assertAllowedSubpageTypes(StandardPage, {StandardPage})

    def test_news(self):
        self.assertAllowedParentPageTypes(NewsIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(NewsIndexPage, {NewsArticlePage})
        self.assertAllowedParentPageTypes(NewsArticlePage, {NewsIndexPage})
        self.assertAllowedSubpageTypes(NewsArticlePage, set())

    def test_help(self):
        self.assertAllowedParentPageTypes(HelpIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(HelpIndexPage, {HelpPage})
        self.assertAllowedParentPageTypes(HelpPage, {HelpIndexPage})
        self.assertAllowedSubpageTypes(HelpPage, set())

    def test_only_one_home_page(self):
        tree_build()
        self.assertFalse(HomePage.can_create_at(Page.get_first_root_node()))


class PageRenderTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tree = tree_build()

    def test_every_page_type_renders(self):
        for page in self.tree.values():
            with self.subTest(page=type(page).__name__):
                self.assertPageIsRenderable(page)

    def test_index_pages_are_editable_in_the_admin(self):
        # The helper reads the form from the HTML; a StreamField's form is built by
        # JavaScript, so pages with a body are checked through the views below instead.
        for key in ("news", "help_index"):
            with self.subTest(page=key):
                self.assertPageIsEditable(self.tree[key])

    def test_admin_edit_and_add_views_open_for_every_page_type(self):
        admin = UserFactory(username="bientap", is_staff=True, is_superuser=True)
        self.client.force_login(admin, "django.contrib.auth.backends.ModelBackend")
        for page in self.tree.values():
            with self.subTest(page=type(page).__name__):
                response = self.client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
                self.assertEqual(response.status_code, 200)
                parent = page.get_parent()
                add_url = reverse("wagtailadmin_pages:add", args=[
                    page._meta.app_label, page._meta.model_name, parent.pk])
                status = self.client.get(add_url).status_code
                if type(page).can_create_at(parent):
                    self.assertEqual(status, 200)
                else:  # the single home page: the admin refuses a second one
                    self.assertIsInstance(page, HomePage)
                    self.assertIn(status, (302, 403))

    def test_every_block_renders(self):
        html = self.client.get(self.tree["standard"].url).content.decode()
        expected = [
            '<h2 class="block-heading">Phần một</h2>',
            '<h3 class="block-heading">Mục nhỏ</h3>',
            "<b>quan trọng</b>",
            'alt="Ảnh màn hình đăng nhập"',
            "<figcaption>Màn hình đăng nhập</figcaption>",
            "callout--tip", "callout--warning", "callout--phone", "Chú ý",
            "Bước 1", "Bước 2", 'alt="Nút cài đặt"',
            'preload="none"', "Lời thoại video tải lên",
            '<iframe title="Video VNeID"', "Lời thoại video nhúng",
            "Cẩm nang kỹ năng số",
            "<blockquote><p>Học suốt đời</p></blockquote>", "— Bác Hồ",
        ]
        for fragment in expected:
            self.assertIn(fragment, html)
        self.assertNotIn("autoplay", html)

    def test_page_has_one_h1_and_the_skip_link(self):
        for page in self.tree.values():
            html = self.client.get(page.url).content.decode()
            with self.subTest(page=type(page).__name__):
                self.assertEqual(html.count("<h1"), 1)
                self.assertIn('href="#main"', html)
