import pytest

from courses.certificates.models import Certificate
from courses.services import enrolment_create, lesson_complete
from lms.accounts.sms import outbox as sms_outbox
from tests.courses.builders import lessons_of
from tests.factories import UserFactory


def complete_course(*, learner, course) -> Certificate | None:
    """Enrol and complete every lesson through the courses services; the certificate
    the completion hook issued (None when the course awards none)."""
    enrolment_create(learner=learner, course=course)
    for lesson in lessons_of(course):
        lesson_complete(learner=learner, lesson=lesson)
    return Certificate.objects.filter(learner=learner, course=course).order_by("-id").first()


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    sms_outbox.clear()
    yield
    sms_outbox.clear()


@pytest.fixture
def staff_user(db):
    return UserFactory(username="quan-tri", full_name="Trần Văn Quản", is_superuser=True, is_staff=True)


@pytest.fixture
def certificate(course, learner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = complete_course(learner=learner, course=course)
    result.refresh_from_db()
    return result
