"""The learner dashboard lists the learner's certificates, within the query budget."""

import pytest
from django.urls import reverse

from tests.courses.certificates.conftest import complete_course
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_dashboard_lists_own_certificates_with_links(
    client, course, learner, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        certificate = complete_course(learner=learner, course=course)
        other = complete_course(learner=UserFactory(), course=course)
    assert certificate is not None and other is not None
    client.force_login(learner)
    url = reverse("courses:dashboard")
    client.get(url)
    with django_assert_max_num_queries(8):
        html = client.get(url).content.decode()
    assert "Chứng nhận của tôi" in html
    assert reverse("certificates:verify", args=[certificate.code]) in html
    assert reverse("certificates:verify", args=[other.code]) not in html
    assert reverse("certificates:mine") in html


def test_no_certificate_section_without_certificates(client, learner):
    client.force_login(learner)
    html = client.get(reverse("courses:dashboard")).content.decode()
    assert "Chứng nhận của tôi" not in html


def test_civil_servants_are_pointed_to_their_required_training(
    client, learner, django_assert_max_num_queries
):
    from django.utils import timezone

    from lms.accounts.models import Role
    from lms.accounts.services import role_assign
    from lms.organisations.services import agency_create

    url = reverse("courses:dashboard")
    client.force_login(learner)
    assert reverse("training:mine") not in client.get(url).content.decode()

    agency = agency_create(code="T-DASH", name="Sở Nội vụ thử")
    role_assign(user=learner, role=Role.CIVIL_SERVANT, agency=agency, valid_from=timezone.localdate())
    client.get(url)
    with django_assert_max_num_queries(8):
        html = client.get(url).content.decode()
    assert reverse("training:mine") in html
