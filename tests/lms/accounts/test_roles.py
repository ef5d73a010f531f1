"""Role scoping: every permission question goes through units_visible_to / agencies_visible_to."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from lms.accounts.models import Role, RoleAssignment
from lms.accounts.selectors import (
    agencies_visible_to,
    roles_active_for,
    unit_is_visible_to,
    units_visible_to,
    user_has_role,
)
from lms.accounts.services import role_assign, role_end
from lms.places.models import AdministrativeUnit
from tests.factories import UserFactory, make_agency, make_commune, make_province, make_village

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)


@pytest.fixture
def tree():
    """Two provinces, two communes in the first, villages under each commune."""
    p1 = make_province("Thành phố Hà Nội", code="01")
    p2 = make_province("Thành phố Đà Nẵng", code="48")
    c1 = make_commune(p1, "Phường Ba Đình", code="00004")
    c2 = make_commune(p1, "Phường Hoàn Kiếm", code="00070")
    c3 = make_commune(p2, "Phường Hải Châu", code="20194")
    v1 = make_village(c1, "Tổ dân phố 1")
    v2 = make_village(c1, "Tổ dân phố 2")
    v3 = make_village(c2, "Tổ dân phố 3")
    v4 = make_village(c3, "Tổ dân phố 4")
    return {"p1": p1, "p2": p2, "c1": c1, "c2": c2, "c3": c3, "v1": v1, "v2": v2, "v3": v3, "v4": v4}


def names(qs):
    return set(qs.values_list("name", flat=True))


def test_anonymous_and_plain_learner_see_no_unit(tree, rf):
    from django.contrib.auth.models import AnonymousUser

    assert not units_visible_to(user=AnonymousUser()).exists()
    learner = UserFactory()
    role_assign(user=learner, role=Role.LEARNER, valid_from=TODAY)
    assert not units_visible_to(user=learner, on=TODAY).exists()
    assert not agencies_visible_to(user=learner, on=TODAY).exists()


def test_team_member_sees_only_own_village(tree):
    member = UserFactory()
    role_assign(user=member, role=Role.TEAM_MEMBER, unit=tree["v1"], valid_from=TODAY)
    assert names(units_visible_to(user=member, on=TODAY)) == {"Tổ dân phố 1"}
    assert not unit_is_visible_to(user=member, unit=tree["v2"], on=TODAY)
    assert not unit_is_visible_to(user=member, unit=tree["c1"], on=TODAY)


def test_commune_officer_sees_commune_and_its_villages_only(tree):
    officer = UserFactory()
    role_assign(user=officer, role=Role.COMMUNE_OFFICER, unit=tree["c1"], valid_from=TODAY)
    assert names(units_visible_to(user=officer, on=TODAY)) == {
        "Phường Ba Đình",
        "Tổ dân phố 1",
        "Tổ dân phố 2",
    }


def test_province_officer_sees_whole_province_not_the_other(tree):
    officer = UserFactory()
    role_assign(user=officer, role=Role.PROVINCE_OFFICER, unit=tree["p1"], valid_from=TODAY)
    visible = units_visible_to(user=officer, on=TODAY)
    assert tree["v3"] in visible and tree["c2"] in visible
    assert tree["p2"] not in visible and tree["v4"] not in visible
    assert visible.count() == 6  # p1, c1, c2, v1, v2, v3


def test_path_prefix_does_not_leak_to_sibling_with_longer_id(tree):
    """'/1/' must not match '/10/…': paths end with a slash for this reason."""
    officer = UserFactory()
    role_assign(user=officer, role=Role.COMMUNE_OFFICER, unit=tree["c1"], valid_from=TODAY)
    for unit in AdministrativeUnit.objects.exclude(path__startswith=tree["c1"].path):
        assert not unit_is_visible_to(user=officer, unit=unit, on=TODAY)


def test_national_officer_and_superuser_see_everything(tree):
    national = UserFactory()
    role_assign(user=national, role=Role.NATIONAL_OFFICER, valid_from=TODAY)
    assert units_visible_to(user=national, on=TODAY).count() == AdministrativeUnit.objects.count()
    admin = UserFactory(is_superuser=True)
    assert units_visible_to(user=admin, on=TODAY).count() == AdministrativeUnit.objects.count()


def test_several_roles_add_up(tree):
    person = UserFactory()
    role_assign(user=person, role=Role.TEAM_LEADER, unit=tree["v4"], valid_from=TODAY)
    role_assign(user=person, role=Role.COMMUNE_OFFICER, unit=tree["c2"], valid_from=TODAY)
    assert names(units_visible_to(user=person, on=TODAY)) == {
        "Tổ dân phố 4",
        "Phường Hoàn Kiếm",
        "Tổ dân phố 3",
    }


def test_expired_and_future_assignments_give_nothing(tree):
    officer = UserFactory()
    a = role_assign(
        user=officer,
        role=Role.COMMUNE_OFFICER,
        unit=tree["c1"],
        valid_from=datetime.date(2025, 7, 1),
        valid_to=datetime.date(2026, 6, 14),
    )
    assert not units_visible_to(user=officer, on=TODAY).exists()
    # valid_to is inclusive: the last day still counts.
    assert units_visible_to(user=officer, on=a.valid_to).exists()
    future = UserFactory()
    role_assign(
        user=future, role=Role.COMMUNE_OFFICER, unit=tree["c1"], valid_from=TODAY + datetime.timedelta(days=1)
    )
    assert not units_visible_to(user=future, on=TODAY).exists()
    assert units_visible_to(user=future, on=TODAY + datetime.timedelta(days=1)).exists()


def test_role_end_stops_scope_the_next_day(tree):
    officer = UserFactory()
    a = role_assign(user=officer, role=Role.PROVINCE_OFFICER, unit=tree["p2"], valid_from=TODAY)
    role_end(assignment=a, on=TODAY)
    assert user_has_role(user=officer, role=Role.PROVINCE_OFFICER, on=TODAY)
    assert not user_has_role(user=officer, role=Role.PROVINCE_OFFICER, on=TODAY + datetime.timedelta(days=1))
    with pytest.raises(ValidationError):
        role_end(assignment=a, on=TODAY - datetime.timedelta(days=1))


def test_scope_must_match_role_level(tree):
    user = UserFactory()
    with pytest.raises(ValidationError) as err:
        role_assign(user=user, role=Role.TEAM_MEMBER, unit=tree["c1"], valid_from=TODAY)
    assert "unit" in err.value.message_dict
    with pytest.raises(ValidationError):
        role_assign(user=user, role=Role.COMMUNE_OFFICER, valid_from=TODAY)
    with pytest.raises(ValidationError):
        role_assign(user=user, role=Role.NATIONAL_OFFICER, unit=tree["p1"], valid_from=TODAY)
    with pytest.raises(ValidationError):
        role_assign(user=user, role=Role.TRAINING_MANAGER, valid_from=TODAY)
    with pytest.raises(ValidationError):
        role_assign(user=user, role=Role.LEARNER, unit=tree["p1"], valid_from=TODAY)
    with pytest.raises(ValidationError):
        role_assign(
            user=user,
            role=Role.PROVINCE_OFFICER,
            unit=tree["p1"],
            valid_from=TODAY,
            valid_to=TODAY - datetime.timedelta(days=1),
        )
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_assigning_twice_returns_the_same_assignment(tree):
    user = UserFactory()
    a = role_assign(user=user, role=Role.TEAM_MEMBER, unit=tree["v1"], valid_from=TODAY)
    b = role_assign(user=user, role=Role.TEAM_MEMBER, unit=tree["v1"], valid_from=TODAY)
    assert a.pk == b.pk
    assert roles_active_for(user=user, on=TODAY).count() == 1


def test_training_manager_sees_agency_subtree_civil_servant_own_agency():
    dept = make_agency("Sở Nội vụ")
    office = make_agency("Phòng Công chức", parent=dept)
    other = make_agency("Sở Y tế")
    manager = UserFactory()
    role_assign(user=manager, role=Role.TRAINING_MANAGER, agency=dept, valid_from=TODAY)
    assert set(agencies_visible_to(user=manager, on=TODAY)) == {dept, office}
    servant = UserFactory()
    role_assign(
        user=servant, role=Role.CIVIL_SERVANT, agency=office, position="Chuyên viên", valid_from=TODAY
    )
    assert set(agencies_visible_to(user=servant, on=TODAY)) == {office}
    national = UserFactory()
    role_assign(user=national, role=Role.PLATFORM_ADMIN, valid_from=TODAY)
    assert set(agencies_visible_to(user=national, on=TODAY)) == {dept, office, other}
    assert not units_visible_to(user=manager, on=TODAY).exists()


def test_visibility_is_a_fixed_number_of_queries(tree, django_assert_max_num_queries):
    officer = UserFactory()
    for unit in (tree["c1"], tree["c2"], tree["c3"]):
        role_assign(user=officer, role=Role.COMMUNE_OFFICER, unit=unit, valid_from=TODAY)
    with django_assert_max_num_queries(2):
        assert len(list(units_visible_to(user=officer, on=TODAY))) == 7  # c1+v1+v2, c2+v3, c3+v4
