"""visit_batch_sync: idempotent re-send, conflicts, partial failure, versions, closed
months, status observations, and two processes racing with the same 500 visits."""

import datetime
import threading
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError as PydanticValidationError

from community_teams.hooks import on_visits_received, on_visits_received_unregister
from community_teams.models import (
    Household,
    MonthClosure,
    StatusObservation,
    SupportVisit,
    VisitActivity,
    VisitResident,
)
from community_teams.selectors import statuses_for_residents
from community_teams.services import visit_batch_sync
from community_teams.sync import VisitIn, _visit_fast, visit_content_hash
from lms.accounts.models import RoleAssignment
from tests.community_teams.conftest import make_household, visit_item
from tests.services import require_postgresql

pytestmark = pytest.mark.django_db


def test_created_then_resend_is_duplicate_and_creates_nothing(member_a, household_a, device_a):
    household, people = household_a
    items = [visit_item(household, people), visit_item(household, people, code="open_payment_account")]
    first = visit_batch_sync(member=member_a, device=device_a[0], items=items)
    assert [r.status for r in first.results] == ["created", "created"]
    assert [r.code for r in first.results] == [201, 201]
    counts = (
        SupportVisit.objects.count(),
        VisitActivity.objects.count(),
        StatusObservation.objects.count(),
        VisitResident.objects.count(),
    )
    assert counts == (2, 2, 2, 4)

    again = visit_batch_sync(member=member_a, device=device_a[0], items=items)
    assert [r.status for r in again.results] == ["duplicate", "duplicate"]
    assert [r.code for r in again.results] == [200, 200]
    assert again.created == 0
    assert (
        SupportVisit.objects.count(),
        VisitActivity.objects.count(),
        StatusObservation.objects.count(),
        VisitResident.objects.count(),
    ) == counts


def test_callbacks_hear_which_villages_got_new_visits_and_not_of_resends(member_a, household_a):
    heard: list[list[int]] = []

    def listener(*, village_ids):
        heard.append(village_ids)

    on_visits_received(listener)
    try:
        household, people = household_a
        items = [visit_item(household, people)]
        visit_batch_sync(member=member_a, device=None, items=items)
        visit_batch_sync(member=member_a, device=None, items=items)  # a re-send: nothing new
    finally:
        on_visits_received_unregister(listener)
    assert heard == [[household.village_id]]


def test_same_id_different_content_is_conflict_and_keeps_the_first(member_a, household_a):
    household, people = household_a
    item = visit_item(household, people)
    visit_batch_sync(member=member_a, device=None, items=[item])
    changed = {**item, "note": "Đã sửa trên máy"}
    result = visit_batch_sync(member=member_a, device=None, items=[changed]).results[0]
    assert (result.status, result.code) == ("conflict", 409)
    assert SupportVisit.objects.get(pk=item["id"]).note == ""


def test_invalid_items_do_not_block_the_others(member_a, household_a, household_b):
    household, people = household_a
    other, other_people = household_b
    items = [
        visit_item(household, people),
        {"id": "not-a-uuid", "household_id": str(household.pk)},
        visit_item(other, other_people),  # village B: not this member's
        visit_item(household, people, code="no_such_activity"),
        visit_item(household, people, outcome="not_possible")
        | {
            "activities": [
                {
                    "code": "install_vneid",
                    "outcome": "not_possible",
                    "reason": "",
                    "resident_id": str(people[0].pk),
                }
            ]
        },
        visit_item(household, people, day=timezone.localdate() + datetime.timedelta(days=5)),
        visit_item(household, [other_people[0]]),
        visit_item(household, people),
    ]
    outcome = visit_batch_sync(member=member_a, device=None, items=items)
    assert [r.status for r in outcome.results] == [
        "created",
        "invalid",
        "invalid",
        "invalid",
        "invalid",
        "invalid",
        "invalid",
        "created",
    ]
    assert all(r.code == 422 and r.detail for r in outcome.results[1:7])
    assert outcome.results[1].id == "not-a-uuid"
    assert SupportVisit.objects.count() == 2
    assert not SupportVisit.objects.filter(household=other).exists()


def test_done_activity_records_status_and_bumps_household(member_a, household_a):
    household, people = household_a
    before = Household.objects.get(pk=household.pk).updated_at
    items = [
        visit_item(household, people, code="install_vneid"),
        visit_item(household, people, code="activate_vneid_level2", day=timezone.localdate()),
        visit_item(household, people, code="open_payment_account", outcome="partly"),
    ]
    visit_batch_sync(member=member_a, device=None, items=items)
    status = statuses_for_residents(resident_ids=[people[0].pk])[people[0].pk]
    assert status["vneid"] == "level2"
    assert status["payment_account"] is False  # only "done" changes a status
    obs = StatusObservation.objects.filter(resident=people[0]).order_by("observed_on").first()
    assert (obs.village_id, obs.commune_id, obs.province_id) == (
        household.village_id,
        household.village.parent_id,
        household.village.parent.parent_id,
    )
    assert Household.objects.get(pk=household.pk).updated_at > before


def test_visit_in_closed_month_is_kept_and_flagged(member_a, household_a, place):
    household, people = household_a
    last_month = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    MonthClosure.objects.create(commune=place["commune"], month=last_month.replace(day=1))
    result = visit_batch_sync(
        member=member_a, device=None, items=[visit_item(household, people, day=last_month)]
    )
    assert result.results[0].status == "created" and result.results[0].flagged
    visit = SupportVisit.objects.get()
    assert visit.flagged and visit.flag_reason


def test_edit_is_a_new_version_and_a_version_is_replaced_once(member_a, household_a):
    household, people = household_a
    original = visit_item(household, people)
    edit_1 = visit_item(household, people, code="open_payment_account", replaces=original["id"])
    edit_2 = visit_item(household, people, code="scam_awareness", replaces=original["id"])
    # The original and its edit can travel in the same batch (queued offline).
    out = visit_batch_sync(member=member_a, device=None, items=[original, edit_1])
    assert [r.status for r in out.results] == ["created", "created"]
    out = visit_batch_sync(member=member_a, device=None, items=[edit_2])
    assert out.results[0].status == "conflict"
    assert SupportVisit.objects.get(pk=edit_1["id"]).replaces_id == uuid.UUID(original["id"])
    assert SupportVisit.objects.count() == 2
    unknown = visit_item(household, people, replaces=str(uuid.uuid4()))
    assert visit_batch_sync(member=member_a, device=None, items=[unknown]).results[0].status == "invalid"


def test_member_whose_role_ended_is_refused(member_a, household_a):
    household, people = household_a
    assignment = RoleAssignment.objects.get(user=member_a)
    # The role ended yesterday (it started ten days ago).
    RoleAssignment.objects.filter(pk=assignment.pk).update(
        valid_from=timezone.localdate() - datetime.timedelta(days=10),
        valid_to=timezone.localdate() - datetime.timedelta(days=1),
    )
    with pytest.raises(PermissionDenied):
        visit_batch_sync(member=member_a, device=None, items=[visit_item(household, people)])
    assert not SupportVisit.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_processes_sending_the_same_500_visits_leave_exactly_500(place, member_a):
    require_postgresql()
    household, people = make_household(by=member_a, village=place["village_a"])
    items = [visit_item(household, people) for _ in range(500)]
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def send():
        try:
            barrier.wait(timeout=10)
            outcomes.append(visit_batch_sync(member=member_a, device=None, items=items))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert connection.vendor == "postgresql"
    assert SupportVisit.objects.count() == 500
    assert VisitActivity.objects.count() == 500
    assert StatusObservation.objects.count() == 500
    statuses = sorted(o.created for o in outcomes)
    assert statuses == [0, 500]
    loser = next(o for o in outcomes if o.created == 0)
    assert {r.status for r in loser.results} == {"duplicate"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_edits_of_one_version_one_wins(place, member_a):
    require_postgresql()
    household, people = make_household(by=member_a, village=place["village_a"])
    original = visit_item(household, people)
    visit_batch_sync(member=member_a, device=None, items=[original])
    edits = [
        [visit_item(household, people, code=code, replaces=original["id"])]
        for code in ("open_payment_account", "scam_awareness")
    ]
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def send(items):
        try:
            barrier.wait(timeout=10)
            outcomes.append(visit_batch_sync(member=member_a, device=None, items=items))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(e,)) for e in edits]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert sorted(o.results[0].status for o in outcomes) == ["conflict", "created"], [
        o.results[0].detail for o in outcomes
    ]
    assert SupportVisit.objects.filter(replaces_id=original["id"]).count() == 1


# The fast check of the usual item shape (`_visit_fast`) must read an item exactly as the
# schema (`VisitIn`) does, or hand it over: a stored content hash decides whether a
# re-send is a duplicate, so a different reading would turn re-sends into conflicts.

_uuids = st.uuids().map(str)
_plain_activity = st.fixed_dictionaries(
    {
        "code": st.text(min_size=1, max_size=64),
        "outcome": st.sampled_from(["done", "partly", "not_possible"]),
    },
    optional={"reason": st.text(max_size=255), "resident_id": st.none() | _uuids},
)
_plain_item = st.fixed_dictionaries(
    {
        "id": _uuids,
        "household_id": _uuids,
        "visited_on": st.dates(min_value=datetime.date(2000, 1, 1)).map(datetime.date.isoformat),
        "activities": st.lists(_plain_activity, min_size=1, max_size=4),
    },
    optional={
        "resident_ids": st.lists(_uuids, max_size=4),
        "note": st.text(max_size=50),
        "location": st.none()
        | st.fixed_dictionaries(
            {
                "lat": st.floats(-90, 90) | st.integers(-90, 90),
                "lon": st.floats(-180, 180) | st.integers(-180, 180),
            }
        ),
        "replaces": st.none() | _uuids,
        "enrolments": st.just([]),
        "extra": st.integers(),
    },
)
# Anything JSON can carry, in any field: the fast path must hand over what it does not know.
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3),
    max_leaves=8,
)


@pytest.fixture
def catalogue(db):
    """The activity catalogue (a data migration); a transactional test earlier in the run
    may have flushed it."""
    from community_teams.catalogue import activity_catalogue_sync
    from community_teams.models import Activity

    activity_catalogue_sync(model=Activity)


def _reading(visit):
    return (
        visit.id,
        visit.household_id,
        visit.visited_on,
        list(visit.resident_ids),
        [(a.code, a.outcome, a.reason, a.resident_id) for a in visit.activities],
        visit.note,
        (visit.location.lat, visit.location.lon) if visit.location else None,
        visit.replaces,
        list(visit.enrolments),
        visit_content_hash(visit),
    )


def _schema_reading(raw):
    try:
        return _reading(VisitIn.model_validate(raw))
    except PydanticValidationError:
        return "invalid"


@settings(max_examples=100, deadline=None)
@given(_plain_item)
def test_fast_check_reads_plain_items_as_the_schema_does(raw):
    fast = _visit_fast(raw)
    assert fast is not None
    assert _reading(fast) == _schema_reading(raw)


@settings(max_examples=100, deadline=None)
@given(
    _plain_item,
    st.sampled_from(["id", "visited_on", "activities", "location", "note", "resident_ids"]),
    _json,
)
def test_fast_check_hands_over_or_agrees_on_any_field_value(raw, key, value):
    raw = {**raw, key: value}
    fast = _visit_fast(raw)
    if fast is not None:
        assert _reading(fast) == _schema_reading(raw)


def test_fast_check_hands_over_what_it_does_not_recognise(catalogue, member_a, household_a):
    household, people = household_a
    base = visit_item(household, people)
    handed_over = [
        {**base, "id": base["id"].upper().replace("-", "")},  # the schema accepts it; rare
        {**base, "visited_on": base["visited_on"] + "T00:00:00"},
        {**base, "id": str(uuid.uuid4()), "location": {"lat": "21.03", "lon": 105.8}},
        {**base, "enrolments": [{"resident_id": str(people[0].pk), "course_id": 1, "phone": "0912"}]},
        {**base, "note": None},
        [base],
    ]
    for raw in handed_over:
        assert _visit_fast(raw) is None, raw
    # What the schema accepts among them is stored like any other item.
    result = visit_batch_sync(member=member_a, device=None, items=[handed_over[0], handed_over[2]])
    assert [r.status for r in result.results] == ["created", "created"]
    assert SupportVisit.objects.get(pk=handed_over[2]["id"]).lat == Decimal("21.03")


def test_a_visit_stored_before_is_still_a_duplicate_when_resent(catalogue, member_a, household_a):
    """Hashes stored by the schema reading (as before the fast path) match the fast path's."""
    household, people = household_a
    item = visit_item(household, people, location={"lat": 21.0285, "lon": 105.8542}, note=" Ghi chú ")
    first = visit_batch_sync(member=member_a, device=None, items=[item]).results[0]
    assert first.status == "created"
    stored = SupportVisit.objects.get(pk=item["id"])
    assert stored.content_hash == visit_content_hash(VisitIn.model_validate(item))
    assert (stored.lat, stored.lon, stored.note) == (Decimal("21.03"), Decimal("105.85"), "Ghi chú")
    assert visit_batch_sync(member=member_a, device=None, items=[item]).results[0].status == "duplicate"


def test_a_batch_costs_the_same_statements_whatever_its_size(catalogue, member_a, household_a):
    household, people = household_a
    visit_batch_sync(member=member_a, device=None, items=[visit_item(household, people)])  # warm caches
    one = [visit_item(household, people)]
    many = [visit_item(household, people, code=c) for c in ("install_vneid", "open_payment_account") * 25]
    with CaptureQueriesContext(connection) as small:
        visit_batch_sync(member=member_a, device=None, items=one)
    with CaptureQueriesContext(connection) as large:
        visit_batch_sync(member=member_a, device=None, items=many)
    assert len(large.captured_queries) == len(small.captured_queries)
    assert VisitActivity.objects.count() == 52 and VisitResident.objects.count() == 104
