"""The commune officer's read view of the household registers: counts per village, the
household list of their communes only, paginated, within the query budget."""

import pytest
from django.urls import reverse
from django.utils import timezone

from community_teams.services import household_delete, visit_batch_sync
from lms.accounts.models import Role
from lms.accounts.services import role_assign
from tests.community_teams.conftest import make_household, visit_item
from tests.factories import UserFactory, make_commune, make_village

pytestmark = pytest.mark.django_db


def url(commune, **query):
    base = reverse("community_teams:commune_register", args=[commune.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_counts_per_village_and_list_only_current_households(
    client, officer, place, member_a, household_a, household_b
):
    household, people = household_a
    visit_batch_sync(
        member=member_a, device=None, items=[visit_item(household, people, day=timezone.localdate())]
    )
    gone, _people = make_household(by=member_a, village=place["village_a"], label="Hộ đã chuyển đi")
    household_delete(by=member_a, household=gone)
    client.force_login(officer)
    response = client.get(url(place["commune"]))
    assert response.status_code == 200
    rows = {v.name: (v.n_households, v.n_residents, v.n_visited) for v in response.context["villages"]}
    assert rows == {"Thôn A": (1, 2, 1), "Thôn B": (1, 2, 0)}
    assert response.context["totals"] == {"households": 2, "residents": 4, "visited": 1}
    page = response.content.decode()
    assert "Hộ ông Ba" in page and "Hộ bà Tư" in page and "Hộ đã chuyển đi" not in page
    only_b = client.get(url(place["commune"], thon=place["village_b"].pk)).content.decode()
    assert "Hộ bà Tư" in only_b and "Hộ ông Ba" not in only_b


def test_outside_scope_is_not_found(client, place, member_a, household_a):
    elsewhere = make_commune(place["province"], "Xã Khác")
    make_village(elsewhere, "Thôn Xa")
    other_officer = UserFactory(username="officer-elsewhere")
    role_assign(user=other_officer, role=Role.COMMUNE_OFFICER, unit=elsewhere)
    client.force_login(other_officer)
    assert client.get(url(place["commune"])).status_code == 404
    assert client.get(url(elsewhere)).status_code == 200
    assert "Hộ ông Ba" not in client.get(url(elsewhere)).content.decode()
    client.force_login(member_a)  # a team member sees their village, not the commune's register
    assert client.get(url(place["commune"])).status_code == 404
    province_officer = UserFactory(username="province-officer")
    role_assign(user=province_officer, role=Role.PROVINCE_OFFICER, unit=place["province"])
    client.force_login(province_officer)
    assert "Hộ ông Ba" in client.get(url(place["commune"])).content.decode()
    client.logout()
    assert client.get(url(place["commune"])).status_code == 302


def test_paginated_within_the_query_budget(client, officer, place, member_a, django_assert_max_num_queries):
    for n in range(30):
        make_household(
            by=member_a, village=place["village_a"], label=f"Hộ số {n:02d}", residents=((1970, "male"),)
        )
    client.force_login(officer)
    with django_assert_max_num_queries(8):
        first = client.get(url(place["commune"]))
    assert first.context["page"].paginator.num_pages == 2
    assert len(first.context["page"].object_list) == 25
    with django_assert_max_num_queries(8):
        second = client.get(url(place["commune"], page=2))
    assert [h.label for h in second.context["page"].object_list] == [f"Hộ số {n:02d}" for n in range(25, 30)]
    assert "Trang 2 / 2" in second.content.decode()
