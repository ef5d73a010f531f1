"""Reads for community teams. Every scope question goes through lms.accounts selectors."""

import datetime
import uuid
from collections import defaultdict

from django.db.models import QuerySet
from django.utils import timezone

from lms.accounts.models import Role, RoleAssignment
from lms.accounts.selectors import roles_active_for, units_visible_to
from lms.places.models import AdministrativeUnit

from .models import (
    BOOLEAN_FIELDS,
    SKILL_FIELDS,
    Activity,
    Household,
    Resident,
    StatusField,
    StatusObservation,
    SupportVisit,
    Team,
)

TEAM_ROLES = (Role.TEAM_MEMBER, Role.TEAM_LEADER)


def member_villages(*, user, on: datetime.date | None = None) -> list[AdministrativeUnit]:
    """Villages where `user` holds a team member or leader role today: where they may
    keep the register and log visits. Parents (commune, province) come with them."""
    assignments = (
        roles_active_for(user=user, on=on)
        .filter(role__in=TEAM_ROLES, unit__isnull=False)
        .select_related("unit__parent__parent")
    )
    return list({a.unit_id: a.unit for a in assignments}.values())


def is_team_member(*, user, on: datetime.date | None = None) -> bool:
    return roles_active_for(user=user, on=on).filter(role__in=TEAM_ROLES).exists()


def households_visible_to(*, user) -> QuerySet[Household]:
    """Households of the villages the user may see (their village for a team member,
    their commune's villages for a commune officer, and so on up)."""
    return Household.objects.filter(village__in=units_visible_to(user=user), deleted=False)


def household_for_member(*, user, household_id) -> Household | None:
    """The household if `user` may keep its register (team role over its village)."""
    # The villages as a subquery: one query for scope and household together.
    villages = roles_active_for(user=user).filter(role__in=TEAM_ROLES, unit__isnull=False).values("unit_id")
    return (
        Household.objects.select_related("village__parent")
        .filter(pk=household_id, village_id__in=villages, deleted=False)
        .first()
    )


def communes_for_officer(*, user) -> QuerySet[AdministrativeUnit]:
    """Communes where `user` is a commune officer (or any commune they see from above)."""
    return units_visible_to(user=user).filter(level=AdministrativeUnit.Level.COMMUNE).current()


def teams_of_commune(*, commune: AdministrativeUnit) -> list[Team]:
    teams = list(
        Team.objects.filter(village__parent=commune)
        .select_related("village")
        .order_by("-active", "village__name")
    )
    members = defaultdict(list)
    today = timezone.localdate()
    for a in (
        RoleAssignment.objects.active_on(today)
        .filter(role__in=TEAM_ROLES, unit_id__in=[t.village_id for t in teams])
        .select_related("user")
        .order_by("role", "user__full_name")
    ):
        members[a.unit_id].append(a)
    for team in teams:
        team.assignments = members[team.village_id]
    return teams


def team_assignments(*, team: Team) -> list[RoleAssignment]:
    return list(
        RoleAssignment.objects.active_on(timezone.localdate())
        .filter(role__in=TEAM_ROLES, unit_id=team.village_id)
        .select_related("user")
        .order_by("role", "user__full_name")
    )


def _empty_status() -> dict:
    return {
        "smartphone": False,
        "vneid": None,
        "payment_account": False,
        "online_public_service": False,
        "digital_signature": False,
        "skills": dict.fromkeys(SKILL_FIELDS.values()),
    }


def statuses_for_residents(*, resident_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict]:
    """Current status of each resident: the latest observation per field (by date, then
    by when it was recorded), in one query."""
    result = {rid: _empty_status() for rid in resident_ids}
    rows = (
        StatusObservation.objects.filter(resident_id__in=resident_ids)
        .order_by("observed_on", "id")
        .values_list("resident_id", "field", "value")
    )
    for rid, field, value in rows:
        status = result[rid]
        if field in SKILL_FIELDS:
            status["skills"][SKILL_FIELDS[field]] = value
        elif field == StatusField.VNEID:
            status["vneid"] = None if value == "none" else value
        elif field in BOOLEAN_FIELDS and field != StatusField.FIBRE_BROADBAND:
            status[field] = value == "true"
    return result


def activities_active() -> list[Activity]:
    return list(Activity.objects.filter(active=True))


def courses_for_assisted_enrolment() -> list:
    """Live courses open for enrolment today, for citizens."""
    from courses.models import CoursePage
    from courses.services import enrolment_window_error

    pages = CoursePage.objects.live().public().filter(for_citizens=True).order_by("title")
    return [p for p in pages if not enrolment_window_error(course=p)]


# A little overlap so a household committed just after the cursor's moment is not missed.
CURSOR_OVERLAP = datetime.timedelta(minutes=2)


def cursor_encode(moment: datetime.datetime) -> str:
    return "t" + moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%S.%fZ")


def cursor_decode(cursor: str) -> datetime.datetime | None:
    if not cursor or not cursor.startswith("t"):
        return None
    try:
        return datetime.datetime.strptime(cursor[1:], "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=datetime.UTC)
    except ValueError:
        return None


def sync_data_for_member(*, user, since: datetime.datetime | None, language: str = "vi") -> dict:
    """What the offline form downloads: the member's villages, their households (all of
    them, or those changed since `since`, deleted ones marked), residents and their
    current status, the activity catalogue and the courses open for enrolment."""
    now = timezone.now()
    villages = member_villages(user=user)
    households = Household.objects.filter(village_id__in=[v.pk for v in villages]).order_by("label", "id")
    if since is None:
        households = households.filter(deleted=False)
    else:
        households = households.filter(updated_at__gte=since - CURSOR_OVERLAP)
    households = list(households)
    residents = defaultdict(list)
    rows = list(
        Resident.objects.filter(household_id__in=[h.pk for h in households], deleted=False).order_by(
            "birth_year", "id"
        )
    )
    statuses = statuses_for_residents(resident_ids=[r.pk for r in rows])
    for r in rows:
        residents[r.household_id].append(
            {"id": str(r.pk), "birth_year": r.birth_year, "sex": r.sex, "status": statuses[r.pk]}
        )
    return {
        "cursor": cursor_encode(now),
        "server_time": now.isoformat(),
        "full": since is None,
        "villages": [{"id": v.pk, "name": v.name, "commune": v.parent.name} for v in villages],
        "households": [
            {
                "id": str(h.pk),
                "village_id": h.village_id,
                "label": h.label,
                "address_hint": h.address_hint,
                "children_under_16": h.children_under_16,
                "fibre_broadband": h.fibre_broadband,
                "deleted": h.deleted,
                "residents": [] if h.deleted else residents[h.pk],
                "updated_at": h.updated_at.isoformat(),
            }
            for h in households
        ],
        "activities": [
            {"code": a.code, "name": a.display_name(language), "needs_resident": a.needs_resident}
            for a in activities_active()
        ],
        "courses": [{"id": c.pk, "title": c.title} for c in courses_for_assisted_enrolment()],
    }


def visits_of_household(*, household: Household) -> list[SupportVisit]:
    """A household's visits, newest first, with their activities (two queries)."""
    return list(
        SupportVisit.objects.filter(household=household)
        .select_related("member")
        .prefetch_related("activities__activity")
        .order_by("-visited_on", "-received_at")
    )


def households_of_villages(*, villages: list[AdministrativeUnit]) -> QuerySet[Household]:
    return Household.objects.filter(village_id__in=[v.pk for v in villages], deleted=False)


def status_form_initial(*, status: dict) -> dict[str, str]:
    """A resident's current status as the register form's initial values."""
    initial = {}
    for field in StatusField:
        if field == StatusField.FIBRE_BROADBAND:
            continue
        if field in SKILL_FIELDS:
            value = status["skills"][SKILL_FIELDS[field]]
        elif field == StatusField.VNEID:
            value = status["vneid"]
        else:
            value = "true" if status[field.value] else ""
        initial[f"status_{field.value}"] = value or ""
    return initial


def teams_export_rows(*, commune: AdministrativeUnit) -> list[list[str]]:
    """The commune's active teams in the import file's columns (header first), so an
    exported file can be edited and imported into another commune's set-up."""
    rows = [["village", "team_name", "decision_number", "decision_date", "leader", "members"]]
    for team in teams_of_commune(commune=commune):
        if not team.active:
            continue
        leaders = [a.user for a in team.assignments if a.role == Role.TEAM_LEADER]
        members = [a.user for a in team.assignments if a.role == Role.TEAM_MEMBER]

        def contact(user) -> str:
            return user.phone or user.email or ""

        rows.append(
            [
                team.village.name,
                team.name,
                team.decision_number,
                team.decision_date.strftime("%d/%m/%Y") if team.decision_date else "",
                contact(leaders[0]) if leaders else "",
                ";".join(contact(u) for u in members),
            ]
        )
    return rows


def commune_for_officer(*, user, commune_id: int) -> AdministrativeUnit | None:
    """The commune if `user` sees it as an officer (commune officer, or above), else None:
    only officer roles reach the commune level in `units_visible_to`."""
    return communes_for_officer(user=user).filter(pk=commune_id).select_related("parent").first()


def commune_register_villages(*, commune: AdministrativeUnit, month_start: datetime.date) -> list:
    """The commune's villages, each with `n_households`, `n_residents` (current, not
    deleted) and `n_visited` (households visited since `month_start`), in one query."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    def counted(queryset, key: str, expression):
        return Coalesce(
            Subquery(
                queryset.filter(**{key: OuterRef("pk")})
                .order_by()
                .values(key)
                .annotate(n=expression)
                .values("n")[:1],
                output_field=IntegerField(),
            ),
            Value(0),
        )

    return list(
        AdministrativeUnit.objects.filter(parent=commune, level=AdministrativeUnit.Level.VILLAGE)
        .annotate(
            n_households=counted(Household.objects.filter(deleted=False), "village_id", Count("id")),
            n_residents=counted(
                Resident.objects.filter(deleted=False, household__deleted=False),
                "household__village_id",
                Count("id"),
            ),
            n_visited=counted(
                SupportVisit.objects.filter(visited_on__gte=month_start, household__deleted=False),
                "village_id",
                Count("household_id", distinct=True),
            ),
        )
        .order_by("name")
    )


def households_of_commune(
    *, commune: AdministrativeUnit, month_start: datetime.date, village_id: int | None = None
) -> QuerySet[Household]:
    """The commune's current households (optionally one village's), with their residents
    counted and whether they were visited since `month_start`."""
    from django.db.models import Count, Exists, OuterRef, Q

    households = Household.objects.filter(village__parent=commune, deleted=False)
    if village_id is not None:
        households = households.filter(village_id=village_id)
    return (
        households.annotate(
            n_residents=Count("residents", filter=Q(residents__deleted=False)),
            visited=Exists(
                SupportVisit.objects.filter(household=OuterRef("pk"), visited_on__gte=month_start)
            ),
        )
        .select_related("village")
        .order_by("village__name", "label", "id")
    )
