"""The offline form's API: device sign-in, device auth (unknown, revoked, expired),
download with a cursor, batch upload, and scope."""

import datetime
import json
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from community_teams.models import Device, SupportVisit
from community_teams.services import household_update
from tests.community_teams.conftest import make_household, visit_item
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def device_client(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Device {token}")


def post_visits(client: Client, visits) -> tuple[int, dict]:
    response = client.post(
        "/api/v1/visits/sync", data=json.dumps({"visits": visits}), content_type="application/json"
    )
    return response.status_code, response.json()


def test_device_registration_needs_a_team_role_and_stores_only_a_digest(member_a, place):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member_a)
    client.get("/api/v1/csrf")
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        "/api/v1/teams/devices",
        data={"name": "Máy Oppo"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["villages"] == [
        {"id": place["village_a"].pk, "name": "Thôn A", "commune": place["commune"].name}
    ]
    device = Device.objects.get(pk=body["device_id"])
    assert body["token"] not in device.token_digest and len(device.token_digest) == 64

    outsider = Client()
    outsider.force_login(UserFactory(username="outsider"))
    response = outsider.post("/api/v1/teams/devices", data={"name": "x"}, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "not_team_member"


def test_unknown_revoked_and_expired_devices_get_their_codes(member_a, device_a):
    device, token = device_a
    assert device_client(token).get("/api/v1/teams/sync-data").status_code == 200
    response = device_client("nonsense").get("/api/v1/teams/sync-data")
    assert (response.status_code, response.json()["code"]) == (401, "device_unknown")

    Device.objects.filter(pk=device.pk).update(last_sync_at=timezone.now() - datetime.timedelta(days=31))
    response = device_client(token).get("/api/v1/teams/sync-data")
    assert (response.status_code, response.json()["code"]) == (401, "device_expired")

    Device.objects.filter(pk=device.pk).update(last_sync_at=timezone.now() - datetime.timedelta(days=29))
    assert device_client(token).get("/api/v1/teams/sync-data").status_code == 200
    response = device_client(token).delete(f"/api/v1/teams/devices/{device.pk}")
    assert response.status_code == 204
    response = device_client(token).get("/api/v1/teams/sync-data")
    assert (response.status_code, response.json()["code"]) == (401, "device_revoked")
    status, body = post_visits(device_client(token), [])
    assert (status, body["code"]) == (401, "device_revoked")


def test_sync_data_full_then_changes_since_cursor(member_a, household_a, household_b, device_a):
    household, people = household_a
    client = device_client(device_a[1])
    full = client.get("/api/v1/teams/sync-data").json()
    assert full["full"] is True
    assert [h["id"] for h in full["households"]] == [str(household.pk)]  # never village B's
    assert {r["id"] for r in full["households"][0]["residents"]} == {str(p.pk) for p in people}
    assert full["households"][0]["residents"][0]["status"]["vneid"] is None
    assert any(a["code"] == "install_vneid" and a["needs_resident"] for a in full["activities"])

    # Nothing changed: with the cursor moved past the overlap, nothing comes back.
    from community_teams.selectors import cursor_encode

    later = cursor_encode(timezone.now() + datetime.timedelta(minutes=5))
    assert client.get(f"/api/v1/teams/sync-data?since={later}").json()["households"] == []
    changed = client.get(f"/api/v1/teams/sync-data?since={full['cursor']}").json()
    assert changed["full"] is False
    household_update(
        by=member_a,
        household=household,
        label="Hộ ông Ba (đã sửa)",
        address_hint="",
        children_under_16=0,
        fibre_broadband=True,
        consent_given=True,
        consent_purpose="Hỗ trợ chuyển đổi số",
    )
    changed = client.get(f"/api/v1/teams/sync-data?since={full['cursor']}").json()
    assert [h["label"] for h in changed["households"]] == ["Hộ ông Ba (đã sửa)"]
    assert client.get("/api/v1/teams/sync-data?since=garbage").status_code == 422


def test_visits_sync_over_http_reports_each_item(member_a, household_a, household_b, device_a):
    household, people = household_a
    other, other_people = household_b
    client = device_client(device_a[1])
    good = visit_item(household, people)
    status, body = post_visits(client, [good, visit_item(other, other_people)])
    assert status == 200
    assert [(r["status"], r["code"]) for r in body["results"]] == [("created", 201), ("invalid", 422)]
    assert (body["received"], body["created"]) == (2, 1)
    status, body = post_visits(client, [good])
    assert body["results"][0]["status"] == "duplicate" and body["created"] == 0
    assert SupportVisit.objects.count() == 1
    assert Device.objects.get(pk=device_a[0].pk).last_sync_at is not None


def test_whole_batch_problems_are_422_json(device_a, household_a):
    client = device_client(device_a[1])
    response = client.post("/api/v1/visits/sync", data="{not json", content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (422, "parse_error")
    status, body = post_visits(client, {"a": 1})
    assert (status, body["code"]) == (422, "invalid")
    status, body = post_visits(client, [{"id": str(uuid.uuid4())}] * 501)
    assert (status, body["code"]) == (422, "too_many")


def test_session_upload_needs_csrf(member_a, household_a):
    household, people = household_a
    client = Client(enforce_csrf_checks=True)
    client.force_login(member_a)
    status, _body = post_visits(client, [visit_item(household, people)])
    assert status == 403
    assert SupportVisit.objects.count() == 0


def test_member_of_village_a_cannot_touch_village_b_through_the_api(member_a, household_b, device_a):
    other, other_people = household_b
    client = device_client(device_a[1])
    data = client.get("/api/v1/teams/sync-data").json()
    assert str(other.pk) not in json.dumps(data)
    status, body = post_visits(client, [visit_item(other, other_people)])
    assert body["results"][0]["status"] == "invalid"
    assert not SupportVisit.objects.exists()


def test_deleted_household_comes_down_as_deleted_without_personal_data(member_a, household_a, device_a):
    from community_teams.services import household_delete

    household, _people = household_a
    client = device_client(device_a[1])
    cursor = client.get("/api/v1/teams/sync-data").json()["cursor"]
    household_delete(by=member_a, household=household)
    changed = client.get(f"/api/v1/teams/sync-data?since={cursor}").json()["households"]
    assert [(h["id"], h["deleted"], h["label"], h["residents"]) for h in changed] == [
        (str(household.pk), True, "", [])
    ]
    assert client.get("/api/v1/teams/sync-data").json()["households"] == []


def test_openapi_documents_the_operations(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/v1/visits/sync", "/api/v1/teams/sync-data", "/api/v1/teams/devices"} <= set(paths)


def test_a_correction_from_the_app_replaces_the_sent_version(member_a, household_a, device_a):
    household, people = household_a
    client = device_client(device_a[1])
    original = visit_item(household, people, note="Bản đầu")
    assert post_visits(client, [original])[1]["results"][0]["status"] == "created"
    fixed = visit_item(household, people, note="Đã sửa: bà vắng nhà", replaces=original["id"])
    status, body = post_visits(client, [fixed])
    assert status == 200 and body["results"][0]["status"] == "created"
    stored = SupportVisit.objects.get(pk=fixed["id"])
    assert str(stored.replaces_id) == original["id"] and stored.note == "Đã sửa: bà vắng nhà"
    # The phone sends the correction again (no answer came back): nothing new.
    assert post_visits(client, [fixed])[1]["results"][0]["status"] == "duplicate"
    # A second correction of the same (already replaced) version is a conflict.
    other = visit_item(household, people, note="Sửa lần nữa", replaces=original["id"])
    result = post_visits(client, [other])[1]["results"][0]
    assert (result["status"], result["code"]) == ("conflict", 409)
    # Correcting the correction is fine; a correction of a version never received is invalid.
    again = visit_item(household, people, note="Sửa lần nữa", replaces=fixed["id"])
    assert post_visits(client, [again])[1]["results"][0]["status"] == "created"
    ghost = visit_item(household, people, replaces=str(uuid.uuid4()))
    assert post_visits(client, [ghost])[1]["results"][0]["code"] == 422
    assert SupportVisit.objects.count() == 3


def test_register_download_is_audited_once_per_request(member_a, household_a, device_a, place):
    """Issue 9: every access to personal data is logged. A download carrying households
    writes one audit row (who, which villages, how many, from which device, why), not one
    per household; a change-only download with nothing live writes none."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lms.audit.models import AuditAction, AuditEvent

    household, people = household_a
    make_household(by=member_a, village=place["village_a"], label="Hộ thứ hai")
    device, token = device_a
    client = device_client(token)
    with CaptureQueriesContext(connection) as captured:
        full = client.get("/api/v1/teams/sync-data")
    assert full.status_code == 200 and len(full.json()["households"]) == 2
    inserts = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().startswith("INSERT")]
    assert len(inserts) == 1 and '"audit_auditevent"' in inserts[0]
    event = AuditEvent.objects.filter(action__startswith="pd_").get()
    assert (event.action, event.actor_id) == (AuditAction.PERSONAL_DATA_EXPORT, member_a.pk)
    assert (event.target_type, event.target_id) == ("places.administrativeunit", str(place["village_a"].pk))
    assert event.purpose.startswith("Hỗ trợ hộ gia đình")
    assert event.path == "/api/v1/teams/sync-data"
    assert event.detail == {
        "method": "GET", "villages": [place["village_a"].pk], "households": 2,
        "residents": len(people) + 2, "full": True, "device": str(device.pk),
    }

    # Nothing changed since the cursor: no personal data left, nothing recorded.
    from community_teams.selectors import cursor_encode

    later = cursor_encode(timezone.now() + datetime.timedelta(minutes=5))
    assert client.get(f"/api/v1/teams/sync-data?since={later}").json()["households"] == []
    assert AuditEvent.objects.filter(action__startswith="pd_").count() == 1
    # Refused: nothing recorded either.
    outsider = Client()
    outsider.force_login(UserFactory(username="outsider"))
    assert outsider.get("/api/v1/teams/sync-data").status_code == 403
    assert AuditEvent.objects.filter(action__startswith="pd_").count() == 1
    # The session (the web form's download) is recorded too, without a device.
    web = Client()
    web.force_login(member_a)
    assert web.get("/api/v1/teams/sync-data").status_code == 200
    latest = AuditEvent.objects.filter(action__startswith="pd_").order_by("-id").first()
    assert latest.detail["device"] is None
