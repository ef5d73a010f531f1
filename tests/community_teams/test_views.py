"""Pages: scope (village A never sees or writes village B), the register, the online
visit form, devices, and commune officers' team pages with import."""

import io
import uuid

import pytest
from django.urls import reverse
from openpyxl import Workbook

from community_teams.models import Device, Household, Resident, SupportVisit, Team
from community_teams.services import device_register
from lms.accounts.models import Role, RoleAssignment
from tests.community_teams.conftest import make_household
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_member_of_village_a_can_neither_read_nor_write_village_b(client, member_a, household_a, household_b):
    other, other_people = household_b
    client.force_login(member_a)
    listing = client.get(reverse("community_teams:household_list"))
    assert listing.status_code == 200
    assert "Hộ ông Ba" in listing.content.decode() and "Hộ bà Tư" not in listing.content.decode()
    for name in ("household_detail", "household_edit", "visit_create", "assisted_enrol", "resident_create"):
        assert client.get(reverse(f"community_teams:{name}", args=[other.pk])).status_code == 404, name
    post = client.post(
        reverse("community_teams:household_edit", args=[other.pk]),
        {"label": "Chiếm", "children_under_16": 0, "consent_given": "on", "consent_purpose": "x"},
    )
    assert post.status_code == 404
    assert client.post(reverse("community_teams:household_delete", args=[other.pk])).status_code == 404
    resident_url = reverse("community_teams:resident_edit", args=[other.pk, other_people[0].pk])
    assert client.post(resident_url, {"action": "remove"}).status_code == 404
    other.refresh_from_db()
    assert other.label == "Hộ bà Tư" and not other.deleted
    assert Resident.objects.filter(household=other, deleted=False).count() == 2


def test_household_register_needs_consent_and_records_who(client, member_a, place):
    client.force_login(member_a)
    url = reverse("community_teams:household_create")
    data = {
        "village": place["village_a"].pk,
        "label": "Hộ bà Năm",
        "address_hint": "Gần đình",
        "children_under_16": 2,
        "consent_purpose": "Hỗ trợ chuyển đổi số",
    }
    response = client.post(url, data)
    assert response.status_code == 200 and not Household.objects.exists()
    assert "đồng ý" in response.content.decode()
    response = client.post(url, data | {"consent_given": "on"})
    household = Household.objects.get()
    assert response.status_code == 302
    assert household.consent_recorded_by == member_a and household.consent_recorded_at is not None


def test_residents_under_16_are_refused(client, member_a, household_a):
    household, _people = household_a
    client.force_login(member_a)
    url = reverse("community_teams:resident_create", args=[household.pk])
    from django.utils import timezone

    young = timezone.localdate().year - 10
    response = client.post(url, {"birth_year": young, "sex": "female"})
    assert response.status_code == 200 and Resident.objects.filter(household=household).count() == 2
    response = client.post(
        url, {"birth_year": 1990, "sex": "female", "status_vneid": "level2", "status_smartphone": "true"}
    )
    assert response.status_code == 302
    resident = Resident.objects.get(household=household, birth_year=1990)
    assert {(o.field, o.value) for o in resident.observations.all()} == {
        ("vneid", "level2"),
        ("smartphone", "true"),
    }


def test_online_visit_form_submitted_twice_stores_one_visit(client, member_a, household_a):
    household, people = household_a
    client.force_login(member_a)
    url = reverse("community_teams:visit_create", args=[household.pk])
    assert client.get(url).status_code == 200
    form_id = str(uuid.uuid4())
    data = {
        "id": form_id,
        "visited_on": "2026-11-20",
        "residents": [str(people[0].pk)],
        "a_install_vneid_outcome": "done",
        "a_install_vneid_resident": str(people[0].pk),
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert SupportVisit.objects.filter(pk=form_id).count() == 1 and SupportVisit.objects.count() == 1
    detail = client.get(reverse("community_teams:household_detail", args=[household.pk])).content.decode()
    assert "Cài đặt ứng dụng VNeID" in detail
    empty = client.post(url, {"id": str(uuid.uuid4()), "visited_on": "2026-11-20"})
    assert empty.status_code == 200 and SupportVisit.objects.count() == 1


def test_household_list_query_budget(client, member_a, place, django_assert_max_num_queries):
    for i in range(30):
        make_household(by=member_a, village=place["village_a"], label=f"Hộ số {i}")
    client.force_login(member_a)
    client.get(reverse("community_teams:household_list"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("community_teams:household_list") + "?page=2")
    assert response.status_code == 200 and "Trang 2 / 2" in response.content.decode()


def test_devices_page_revokes_only_own_devices(client, member_a, member_b):
    mine, _token = device_register(user=member_a, name="Máy của tôi")
    theirs, _token = device_register(user=member_b, name="Máy của B")
    client.force_login(member_a)
    page = client.get(reverse("community_teams:device_list")).content.decode()
    assert "Máy của tôi" in page and "Máy của B" not in page
    assert client.post(reverse("community_teams:device_list"), {"device": theirs.pk}).status_code == 404
    assert client.post(reverse("community_teams:device_list"), {"device": mine.pk}).status_code == 302
    assert Device.objects.get(pk=mine.pk).revoked_at is not None
    assert Device.objects.get(pk=theirs.pk).revoked_at is None


def test_officer_sets_up_a_team_adds_and_removes_members(client, officer, place):
    leader = UserFactory(username="leader", phone="+84912345678")
    client.force_login(officer)
    response = client.post(
        reverse("community_teams:team_create", args=[place["commune"].pk]),
        {
            "village": place["village_a"].pk,
            "name": "Tổ CNS thôn A",
            "decision_number": "12/QĐ-UBND",
            "decision_date": "2025-08-15",
        },
    )
    team = Team.objects.get()
    assert response.status_code == 302 and team.decision_number == "12/QĐ-UBND"
    url = reverse("community_teams:team_detail", args=[team.pk])
    client.post(url, {"action": "add", "who": "0912 345 678", "leader": "on"})
    assignment = RoleAssignment.objects.get(user=leader, role=Role.TEAM_LEADER, unit=place["village_a"])
    assert (
        "Tổ CNS thôn A"
        in client.get(reverse("community_teams:team_list", args=[place["commune"].pk])).content.decode()
    )
    client.post(url, {"action": "remove", "assignment": assignment.pk})
    assignment.refresh_from_db()
    assert assignment.valid_to is not None
    # A second active team for the same village is refused.
    response = client.post(
        reverse("community_teams:team_create", args=[place["commune"].pk]),
        {"village": place["village_a"].pk, "name": "Tổ thứ hai"},
    )
    assert response.status_code == 200 and Team.objects.count() == 1


def test_team_pages_are_for_commune_officers_only(client, member_a, place):
    client.force_login(member_a)
    assert client.get(reverse("community_teams:team_list", args=[place["commune"].pk])).status_code == 403
    other_officer = UserFactory(username="elsewhere")
    from lms.accounts.services import role_assign
    from tests.factories import make_commune, make_province

    role_assign(user=other_officer, role=Role.COMMUNE_OFFICER, unit=make_commune(make_province("Tỉnh Khác")))
    client.force_login(other_officer)
    assert client.get(reverse("community_teams:team_list", args=[place["commune"].pk])).status_code == 403


def _csv(rows: list[str]) -> io.BytesIO:
    f = io.BytesIO("\n".join(rows).encode("utf-8-sig"))
    f.name = "to.csv"
    return f


def test_team_import_previews_reports_rows_and_is_all_or_nothing(client, officer, place):
    UserFactory(username="l1", phone="+84912345678")
    UserFactory(username="m1", email="m1@example.test")
    client.force_login(officer)
    url = reverse("community_teams:team_import", args=[place["commune"].pk])
    header = "village,team_name,decision_number,decision_date,leader,members"
    bad = client.post(
        url,
        {
            "file": _csv(
                [
                    header,
                    "thon a,Tổ A,1/QĐ,15/08/2025,0912345678,m1@example.test",
                    "Thôn Không Có,Tổ X,,,,",
                    "Thôn B,Tổ B,,31/02/2025,0999999999,",
                ]
            )
        },
    )
    page = bad.content.decode()
    assert bad.status_code == 200 and "Không có thôn" in page and "Không tìm thấy tài khoản" in page
    assert "Xác nhận nhập" not in page and not Team.objects.exists()

    good = client.post(
        url, {"file": _csv([header, "thon a,Tổ A,1/QĐ,15/08/2025,0912345678,m1@example.test"])}
    )
    assert "Xác nhận nhập" in good.content.decode() and not Team.objects.exists()
    confirm = client.post(url, {"confirm": "1", "payload": good.context["payload"], "filename": "to.csv"})
    assert confirm.status_code == 302
    team = Team.objects.get()
    assert team.village == place["village_a"] and str(team.decision_date) == "2025-08-15"
    assert set(RoleAssignment.objects.filter(unit=place["village_a"]).values_list("role", flat=True)) == {
        "team_leader",
        "team_member",
    }


def test_team_import_reads_xlsx(client, officer, place):
    UserFactory(username="l1", phone="+84912345678")
    wb = Workbook()
    ws = wb.active
    ws.append(["village", "team_name", "decision_number", "decision_date", "leader", "members"])
    import datetime

    ws.append(["Thôn B", "Tổ B", "2/QĐ", datetime.datetime(2025, 9, 1), "+84912345678", None])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "to.xlsx"
    client.force_login(officer)
    url = reverse("community_teams:team_import", args=[place["commune"].pk])
    preview = client.post(url, {"file": buf})
    assert preview.context["report"].ok, [r.message for r in preview.context["report"].rows]
    client.post(url, {"confirm": "1", "payload": preview.context["payload"], "filename": "to.xlsx"})
    assert Team.objects.get().decision_date == datetime.date(2025, 9, 1)


def test_pages_in_english_with_the_language_switch(client, settings, member_a, household_a):
    client.force_login(member_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("community_teams:household_list")).content.decode()
    assert "Household register" in page and "Sổ hộ gia đình" not in page


def test_team_export_round_trips_through_import(client, officer, place):
    from openpyxl import load_workbook

    from community_teams.imports import team_import
    from community_teams.services import team_create, team_member_add

    leader = UserFactory(username="l1", phone="+84912345678")
    member = UserFactory(username="m1", email="m1@example.test")
    team = team_create(by=officer, village=place["village_a"], name="Tổ A", decision_number="1/QĐ")
    team_member_add(by=officer, team=team, user=leader, leader=True)
    team_member_add(by=officer, team=team, user=member)
    client.force_login(officer)
    response = client.get(reverse("community_teams:team_export", args=[place["commune"].pk]))
    assert response.status_code == 200
    rows = [list(r) for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]
    assert (
        rows[1][:3] == ["Thôn A", "Tổ A", "1/QĐ"]
        and rows[1][4] == "+84912345678"
        and rows[1][5] == "m1@example.test"
    )
    # The same file re-imported: the village already has a team, so the row is refused.
    report = team_import(
        by=officer, commune=place["commune"], table=[[c or "" for c in r] for r in rows], confirm=False
    )
    assert not report.ok and "đã có tổ" in report.rows[0].message


def test_household_detail_query_budget(client, member_a, household_a, django_assert_max_num_queries):
    from community_teams.services import visit_batch_sync
    from tests.community_teams.conftest import visit_item

    household, people = household_a
    visit_batch_sync(member=member_a, device=None, items=[visit_item(household, people) for _ in range(12)])
    client.force_login(member_a)
    url = reverse("community_teams:household_detail", args=[household.pk])
    client.get(url)
    # Reads stay within 8 queries; the page also writes one audit-log row (who viewed this
    # household's personal data, issue 9), which is a write, not part of the read budget.
    with django_assert_max_num_queries(9) as captured:
        response = client.get(url)
    sqls = [q["sql"].lstrip() for q in captured.captured_queries]
    writes = [sql for sql in sqls if not sql.upper().startswith("SELECT")]
    assert len(writes) == 1 and writes[0].startswith('INSERT INTO "audit_auditevent"')
    assert len(sqls) - len(writes) <= 8
    assert response.status_code == 200 and response.content.decode().count("Cài đặt ứng dụng VNeID") == 10
