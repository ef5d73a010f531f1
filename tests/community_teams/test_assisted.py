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


def _with_enrolment(household, people, course, **enrolment):
    entry = {
        "resident_id": str(people[0].pk),
        "course_id": course.pk,
        "phone": "0912 345 678",
        "consent": True,
    }
    entry.update(enrolment)
    return visit_item(household, people, enrolments=[entry])


def test_visit_from_the_app_enrols_the_resident_once(member_a, household_a, course):
    household, people = household_a
    item = _with_enrolment(household, people, course)
    first = visit_batch_sync(member=member_a, device=None, items=[item]).results[0]
    assert (first.status, first.code) == ("created", 201)
    learner = User.objects.get(phone="+84912345678")
    assisted = AssistedEnrolment.objects.get()
    assert assisted.helper == member_a and assisted.resident_id == people[0].pk
    assert str(assisted.visit_id) == item["id"] and assisted.enrolment.course_id == course.pk
    assert Resident.objects.get(pk=people[0].pk).learner == learner
    users = User.objects.count()

    again = visit_batch_sync(member=member_a, device=None, items=[item]).results[0]
    assert (again.status, again.code) == ("duplicate", 200)
    assert AssistedEnrolment.objects.count() == 1 and Enrolment.objects.count() == 1
    assert User.objects.count() == users
    # The enrolment is part of the content: the same id with another phone is a conflict.
    changed = {**item, "enrolments": [{**item["enrolments"][0], "phone": "0987654321"}]}
    assert visit_batch_sync(member=member_a, device=None, items=[changed]).results[0].status == "conflict"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"phone": "12345"}, "Số điện thoại"),
        ({"consent": False}, "đồng ý"),
        ({"course_id": 999999}, "không còn mở đăng ký"),
    ],
)
def test_an_enrolment_problem_makes_the_item_invalid_and_stores_nothing(
    member_a, household_a, course, change, words
):
    household, people = household_a
    users = User.objects.count()
    good = visit_item(household, people)
    bad = _with_enrolment(household, people, course, **change)
    results = visit_batch_sync(member=member_a, device=None, items=[bad, good]).results
    assert (results[0].status, results[0].code) == ("invalid", 422)
    assert words in results[0].detail
    assert results[1].status == "created"  # the other item is unaffected
    assert {str(v) for v in SupportVisit.objects.values_list("id", flat=True)} == {good["id"]}
    assert not AssistedEnrolment.objects.exists() and not Enrolment.objects.exists()
    assert User.objects.count() == users


def test_an_enrolled_resident_must_be_present_and_keep_their_account(member_a, household_a, course):
    household, people = household_a
    absent = _with_enrolment(household, people, course)
    absent["resident_ids"] = [str(people[1].pk)]
    absent["activities"][0]["resident_id"] = str(people[1].pk)
    result = visit_batch_sync(member=member_a, device=None, items=[absent]).results[0]
    assert result.status == "invalid" and "có mặt" in result.detail
    resident_learner_enrol(by=member_a, resident=people[0], phone="0912345678", course=course, consent=True)
    other = _with_enrolment(household, people, course, phone="0987654321")
    result = visit_batch_sync(member=member_a, device=None, items=[other]).results[0]
    assert result.status == "invalid" and "tài khoản học khác" in result.detail
    assert not SupportVisit.objects.exists() and AssistedEnrolment.objects.count() == 1


def test_enrolment_travels_through_the_api(member_a, household_a, course):
    from community_teams.services import device_register
    from tests.community_teams.test_api import device_client, post_visits

    household, people = household_a
    _device, token = device_register(user=member_a, name="Máy A")
    status, body = post_visits(device_client(token), [_with_enrolment(household, people, course)])
    assert status == 200 and body["results"][0]["status"] == "created"
    assert AssistedEnrolment.objects.get().enrolment.learner.phone == "+84912345678"
