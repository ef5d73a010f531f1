"""Page types, rendering, the learner pages, their actions and their query budgets."""

import pytest
from django.urls import reverse
from wagtail.test.utils import WagtailPageTestCase

from content.models import HomePage
from courses.models import CourseIndexPage, CoursePage, Enrolment, LessonPage, LessonProgress, ModulePage
from courses.services import enrolment_create, lesson_complete
from tests.courses.builders import course_build, index_build, lessons_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
MAX_QUERIES = 8


class PageTypeRulesTests(WagtailPageTestCase):
    def test_parents_and_children(self):
        self.assertAllowedParentPageTypes(CourseIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(CourseIndexPage, {CoursePage})
        self.assertAllowedParentPageTypes(CoursePage, {CourseIndexPage})
        self.assertAllowedSubpageTypes(CoursePage, {ModulePage})
        self.assertAllowedParentPageTypes(ModulePage, {CoursePage})
        self.assertAllowedSubpageTypes(ModulePage, {LessonPage})
        self.assertAllowedParentPageTypes(LessonPage, {ModulePage})
        self.assertAllowedSubpageTypes(LessonPage, set())

    def test_every_page_type_renders(self):
        index = index_build()
        course = course_build(index=index)
        lesson = lessons_of(course)[0]
        for page in (index, course, lesson.get_parent().specific, lesson):
            with self.subTest(page=type(page).__name__):
                self.assertPageIsRenderable(page)


def _warm(client, url):
    """Caches (site roots, header, course structure) are filled by a first request."""
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("lessons_per_module", [1, 20])
def test_learner_pages_stay_within_the_query_budget(
    client, index, learner, lessons_per_module, django_assert_max_num_queries
):
    """3 lessons and 60 lessons cost the same: ≤ 8 queries per page."""
    course = course_build(index=index, modules=3, lessons_per_module=lessons_per_module)
    others = [UserFactory() for _ in range(3)]
    for user in [learner, *others]:
        enrolment_create(learner=user, course=course)
    lessons = lessons_of(course)
    assert len(lessons) == 3 * lessons_per_module
    lesson_complete(learner=learner, lesson=lessons[0])
    client.force_login(learner)
    urls = [
        index.url,
        f"{index.url}?q=vneid&level=beginner",
        course.url,
        lessons[-1].get_parent().url,
        lessons[1].url,
        lessons[-1].url,
        reverse("courses:dashboard"),
    ]
    for url in urls:
        _warm(client, url)
        with django_assert_max_num_queries(MAX_QUERIES):
            assert client.get(url).status_code == 200


def test_anonymous_pages_stay_within_the_budget(client, course, django_assert_max_num_queries):
    lesson = lessons_of(course)[0]
    for url in (course.get_parent().url, course.url, lesson.url):
        _warm(client, url)
        with django_assert_max_num_queries(MAX_QUERIES - 1):
            assert client.get(url).status_code == 200


def test_course_page_shows_the_syllabus_and_facts(client, index):
    course = course_build(
        index=index,
        modules=2,
        lessons_per_module=2,
        certificate_awarded=False,
        prerequisites="Biết bật điện thoại.",
        competences="digcomp-2.2:1.1\ndigcomp-2.2:4.2",
    )
    html = client.get(course.url).content.decode()
    for text in (
        "Chương 1",
        "Chương 2",
        "Bài 4",
        "5 phút",
        "Biết bật điện thoại.",
        "Không cấp chứng nhận",
        "digcomp-2.2:4.2",
        "Cài VNeID",
        "Đăng nhập để đăng ký học miễn phí",
    ):
        assert text in html, text
    assert f"next={course.url}" in html


def test_anonymous_enrol_goes_to_login_and_back(client, course):
    response = client.post(reverse("courses:enrol", args=[course.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert response["Location"].endswith("next=" + course.url)


def test_enrol_button_then_mark_done_without_javascript(client, course, learner):
    client.force_login(learner)
    html = client.get(course.url).content.decode()
    assert "Đăng ký học miễn phí" in html
    response = client.post(reverse("courses:enrol", args=[course.pk]))
    first, second, third = lessons_of(course)
    assert response["Location"] == first.url
    page = client.get(first.url).content.decode()
    assert "Đánh dấu đã học xong" in page and "Kiểm tra nhanh" in page
    assert "Bài kiểm tra sẽ xuất hiện ở đây." in page
    response = client.post(reverse("courses:lesson_done", args=[first.pk]))
    assert response["Location"] == second.url
    assert LessonProgress.objects.filter(learner=learner, lesson=first, completed_at__isnull=False).exists()
    assert "Đã học 33%" in client.get(second.url).content.decode()
    client.post(reverse("courses:lesson_done", args=[second.pk]))
    response = client.post(reverse("courses:lesson_done", args=[third.pk]), follow=True)
    assert "Chúc mừng! Bạn đã hoàn thành khoá học." in response.content.decode()
    assert Enrolment.objects.get(learner=learner).status == "completed"


def test_duplicate_enrol_post_shows_a_message(client, course, learner):
    client.force_login(learner)
    client.post(reverse("courses:enrol", args=[course.pk]))
    response = client.post(reverse("courses:enrol", args=[course.pk]), follow=True)
    assert "Bạn đã đăng ký khoá học này rồi." in response.content.decode()
    assert Enrolment.objects.count() == 1


def test_unenrol_post(client, course, learner):
    enrolment_create(learner=learner, course=course)
    client.force_login(learner)
    response = client.post(reverse("courses:unenrol", args=[course.pk]), follow=True)
    assert "Bạn đã huỷ đăng ký" in response.content.decode()
    assert Enrolment.objects.get().status == "unenrolled"


def test_actions_refuse_get(client, course):
    assert client.get(reverse("courses:enrol", args=[course.pk])).status_code == 405


def test_locked_lesson_answers_403_with_the_way_forward(client, index, learner):
    course = course_build(index=index, slug="lan-luot", lock_lessons_in_order=True)
    enrolment_create(learner=learner, course=course)
    first, second, _third = lessons_of(course)
    client.force_login(learner)
    response = client.get(second.url)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Bài học này chưa mở." in html and first.url in html
    response = client.post(reverse("courses:lesson_done", args=[second.pk]), follow=True)
    assert "Hãy học xong các bài bắt buộc trước bài này." in response.content.decode()
    lesson_complete(learner=learner, lesson=first)
    assert client.get(second.url).status_code == 200


def test_low_data_mode_drops_video_and_images(client, index):
    from wagtail_factories import DocumentFactory

    course = course_build(index=index)
    lesson = lessons_of(course)[0]
    video = DocumentFactory(title="Video")
    lesson.body = [
        *lesson.body.raw_data,
        {
            "type": "video",
            "value": {
                "title": "Video hướng dẫn",
                "embed": None,
                "file": video.pk,
                "transcript": "<p>Lời</p>",
            },
        },
    ]
    lesson.save_revision().publish()
    assert "<video" in client.get(lesson.url).content.decode()
    response = client.post(reverse("courses:low_data"), {"on": "1", "next": lesson.url})
    assert response["Location"] == lesson.url
    html = client.get(lesson.url).content.decode()
    assert "<video" not in html and "Đã ẩn 1 video" in html
    client.post(reverse("courses:low_data"), {"on": "0", "next": "https://evil.example/"})
    assert "<video" in client.get(lesson.url).content.decode()


def test_visit_sets_continue_where_i_left_off_on_the_dashboard(client, course, learner):
    enrolment_create(learner=learner, course=course)
    lesson = lessons_of(course)[1]
    client.force_login(learner)
    client.get(lesson.url)
    html = client.get(reverse("courses:dashboard")).content.decode()
    assert "Tiếp tục chỗ bạn đã dừng" in html
    assert f'href="{lesson.url}"' in html


def test_dashboard_lists_in_progress_and_completed_with_time(client, index, learner):
    doing = course_build(index=index, slug="dang-hoc", title="Khoá đang học")
    done = course_build(index=index, slug="da-xong", title="Khoá đã xong", modules=1, lessons_per_module=1)
    enrolment_create(learner=learner, course=doing)
    enrolment_create(learner=learner, course=done)
    lesson_complete(learner=learner, lesson=lessons_of(doing)[0], seconds=600)
    lesson_complete(learner=learner, lesson=lessons_of(done)[0], seconds=300)
    client.force_login(learner)
    html = client.get(reverse("courses:dashboard")).content.decode()
    in_progress, completed = html.split("Đã hoàn thành</h2>")
    assert "Khoá đang học" in in_progress and "Xong 1/3 bài" in in_progress
    assert "Khoá đã xong" in completed
    assert "<strong>15</strong> phút đã học" in html


def test_dashboard_empty_state_and_login(client, index, learner):
    assert client.get(reverse("courses:dashboard")).status_code == 302
    client.force_login(learner)
    html = client.get(reverse("courses:dashboard")).content.decode()
    assert "Bạn chưa đăng ký khoá học nào." in html and index.url in html


def test_english_catalogue_is_complete():
    from django.utils import translation

    with translation.override("en"):
        assert translation.gettext("Đánh dấu đã học xong") == "Mark as done"
        assert translation.ngettext("%(n)s bài", "%(n)s bài", 2) % {"n": 2} == "2 lessons"
