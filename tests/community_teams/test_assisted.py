"""Assisted learning: a resident gets a learner account by phone during a visit, is
enrolled, the helper is credited, and the later completion updates their status.
Also: anonymising a household in place."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from community_teams.models import AssistedEnrolment, Household, Resident, StatusObservation, SupportVisit
from community_teams.selectors import statuses_for_residents
from community_teams.services import household_anonymise, resident_learner_enrol, visit_batch_sync
from courses.models import Enrolment
from courses.services import lesson_complete
from lms.accounts.models import User
from tests.community_teams.conftest import visit_item
from tests.courses.builders import course_build, index_build, lessons_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(db):
    cache.clear()
    return course_build(
        index=index_build(),
        title="An toàn trên mạng",
        slug="an-toan",
        topic="online_safety",
        lessons_per_module=2,
    )


def test_enrol_creates_account_by_phone_links_and_credits(member_a, household_a, course):
    _household, people = household_a
    assisted = resident_learner_enrol(
        by=member_a, resident=people[0], phone="0912 345 678", course=course, consent=True
    )
    learner = User.objects.get(phone="+84912345678")
    assert not learner.has_usable_password()
    assert Resident.objects.get(pk=people[0].pk).learner == learner
    assert assisted.helper == member_a and assisted.enrolment.learner == learner
    assert assisted.skill == "skill_online_safety"
    # Again (a retried form): same enrolment, one credit.
    again = resident_learner_enrol(
        by=member_a, resident=people[0], phone="+84912345678", course=course, consent=True
    )
    assert again.pk == assisted.pk and Enrolment.objects.filter(learner=learner).count() == 1
    with pytest.raises(ValidationError):
        resident_learner_enrol(
            by=member_a, resident=people[1], phone="0912345678", course=course, consent=True
        )
    with pytest.raises(ValidationError):
        resident_learner_enrol(
            by=member_a, resident=people[1], phone="0987654321", course=course, consent=False
        )


def test_member_of_another_village_cannot_enrol(member_b, household_a, course):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        resident_learner_enrol(
            by=member_b, resident=household_a[1][0], phone="0912345678", course=course, consent=True
        )
    assert not AssistedEnrolment.objects.exists()


def test_completion_updates_the_residents_status(member_a, household_a, course):
    household, people = household_a
    resident_learner_enrol(by=member_a, resident=people[0], phone="0912345678", course=course, consent=True)
    learner = User.objects.get(phone="+84912345678")
    before = Household.objects.get(pk=household.pk).updated_at
    assert (
        statuses_for_residents(resident_ids=[people[0].pk])[people[0].pk]["skills"]["online_safety"] is None
    )
    for lesson in lessons_of(course):
        lesson_complete(learner=learner, lesson=lesson)
    status = statuses_for_residents(resident_ids=[people[0].pk])[people[0].pk]
    assert status["skills"]["online_safety"] == "alone"
    obs = StatusObservation.objects.get(resident=people[0])
    assert obs.source == "course" and obs.village_id == household.village_id
    assert Household.objects.get(pk=household.pk).updated_at > before


def test_assisted_enrol_page(client, member_a, household_a, course):
    household, people = household_a
    client.force_login(member_a)
    url = reverse("community_teams:assisted_enrol", args=[household.pk])
    assert "An toàn trên mạng" in client.get(url).content.decode()
    refused = client.post(url, {"resident": str(people[0].pk), "phone": "0912345678", "course": course.pk})
    assert refused.status_code == 200 and not AssistedEnrolment.objects.exists()
    done = client.post(
        url, {"resident": str(people[0].pk), "phone": "0912345678", "course": course.pk, "consent": "on"}
    )
    assert done.status_code == 302 and AssistedEnrolment.objects.get().helper == member_a


def test_anonymise_blanks_personal_fields_and_keeps_facts(member_a, household_a, course):
    household, people = household_a
    resident_learner_enrol(by=member_a, resident=people[0], phone="0912345678", course=course, consent=True)
    visit_batch_sync(
        member=member_a, device=None, items=[visit_item(household, people, note="Bà Tư, số nhà 5")]
    )
    household_anonymise(household=Household.objects.get(pk=household.pk))
    household.refresh_from_db()
    assert (household.label, household.address_hint) == ("", "") and household.anonymised_at
    assert Resident.objects.get(pk=people[0].pk).learner is None
    assert SupportVisit.objects.get().note == ""
    assert StatusObservation.objects.filter(household=household).count() == 1
