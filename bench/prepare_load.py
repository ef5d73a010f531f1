"""Prepare a loaded database for the whole-system load test (bench/locustfile.py).
Never run in CI.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_syncload_load \
        .venv/bin/python bench/prepare_load.py [--learners 400] [--team-members 40] \
        [--out /tmp/load_credentials.json]

On top of a database that already holds courses, agencies, plans and villages (the demo
data or the national-shaped set), it adds only users and what lets them in; it never
changes existing rows (indicator data included):
- `load-learner-N`: enrolled in the live courses that have a final test, each with an
  API token (lesson progress, final test) and a signed-in session (pages);
- `load-team-N`: a team member of a village that has households with residents, with a
  device token of the visit app and the village's households and residents;
- existing civil servants with required training, training managers, and national /
  province / commune officers: a session each (their pages are read-only).
Sessions are written straight to the session store (no password hashing in the test).
Writes everything to a JSON file the locustfile reads. Idempotent: re-running reuses the
users and issues fresh tokens and sessions.
"""

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.dev")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402

from community_teams.models import Household, Resident  # noqa: E402
from community_teams.services import device_register  # noqa: E402
from courses.models import CourseIndexPage, CoursePage, Enrolment, LessonPage  # noqa: E402
from courses.services import enrolment_create  # noqa: E402
from lms.accounts.middleware import SESSION_OK  # noqa: E402
from lms.accounts.models import Role, RoleAssignment, User  # noqa: E402
from lms.accounts.services import role_assign  # noqa: E402
from lms.core.services import api_token_create  # noqa: E402


def session_for(user) -> str:
    """A signed-in session for `user`, as django.contrib.auth.login would leave it."""
    store = import_string(settings.SESSION_ENGINE + ".SessionStore")()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[SESSION_OK] = True  # officers and managers: as after the second factor at login
    store.create()
    return store.session_key


def learners(count: int) -> tuple[list[dict], list[dict]]:
    courses = [c for c in CoursePage.objects.live().order_by("pk") if c.final_quiz_id]
    if not courses:
        courses = list(CoursePage.objects.live().order_by("pk")[:2])
    catalogue = []
    for course in courses:
        lessons = list(
            LessonPage.objects.live().descendant_of(course).order_by("path").values("pk", "url_path")
        )
        catalogue.append(
            {
                "id": course.pk,
                "url": course.url,
                "final_quiz_id": course.final_quiz_id,
                "lessons": [
                    {"id": lesson["pk"], "url": course.url + lesson["url_path"][len(course.url_path) :]}
                    for lesson in lessons
                ],
            }
        )
    out = []
    for i in range(count):
        user, _created = User.objects.get_or_create(
            username=f"load-learner-{i}", defaults={"email": f"load-learner-{i}@example.invalid"}
        )
        for course in courses:
            if not Enrolment.objects.filter(learner=user, course=course).exists():
                enrolment_create(learner=user, course=course)
        _token, secret = api_token_create(user=user, name="load test")
        out.append({"username": user.username, "token": secret, "session": session_for(user)})
    return out, catalogue


def team_members(count: int) -> list[dict]:
    villages = (
        Household.objects.filter(deleted=False, residents__isnull=False)
        .values("village_id")
        .annotate(n=Count("id", distinct=True))
        .order_by("-n")[:count]
    )
    out = []
    for i, row in enumerate(villages):
        user, _created = User.objects.get_or_create(username=f"load-team-{i}")
        if not RoleAssignment.objects.filter(user=user, role=Role.TEAM_MEMBER).exists():
            from lms.places.models import AdministrativeUnit

            role_assign(
                user=user, role=Role.TEAM_MEMBER, unit=AdministrativeUnit.objects.get(pk=row["village_id"])
            )
        _device, token = device_register(user=user, name="load test")
        households = {}
        for r in Resident.objects.filter(
            household__village_id=row["village_id"], household__deleted=False, deleted=False
        ).values("id", "household_id")[:3000]:
            households.setdefault(str(r["household_id"]), []).append(str(r["id"]))
        out.append({"username": user.username, "device_token": token, "households": households})
    return out


def sessions_for_role(roles: list[str], limit: int) -> list[dict]:
    today = timezone.localdate()
    rows = (
        RoleAssignment.objects.filter(role__in=roles, valid_from__lte=today, user__is_active=True)
        .exclude(valid_to__lt=today)
        .select_related("user")
        .order_by("pk")[:limit]
    )
    seen, out = set(), []
    for a in rows:
        if a.user_id in seen:
            continue
        seen.add(a.user_id)
        out.append(
            {
                "username": a.user.username,
                "role": a.role,
                "unit_id": a.unit_id,
                "agency_id": a.agency_id,
                "session": session_for(a.user),
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=400)
    parser.add_argument("--team-members", type=int, default=40)
    parser.add_argument("--civil-servants", type=int, default=200)
    parser.add_argument("--managers", type=int, default=50)
    parser.add_argument("--out", default="/tmp/load_credentials.json")
    args = parser.parse_args()
    learner_rows, courses = learners(args.learners)
    index = CourseIndexPage.objects.live().first()
    data = {
        "catalogue_url": index.url if index else "/",
        "courses": courses,
        "learners": learner_rows,
        "team_members": team_members(args.team_members),
        "civil_servants": sessions_for_role([Role.CIVIL_SERVANT], args.civil_servants),
        "training_managers": sessions_for_role([Role.TRAINING_MANAGER], args.managers),
        "officers": sessions_for_role(
            [Role.NATIONAL_OFFICER, Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER], args.managers
        ),
    }
    Path(args.out).write_text(json.dumps(data))
    print(
        f"{args.out}: {len(courses)} courses, {len(learner_rows)} learners, "
        f"{len(data['team_members'])} team members, {len(data['civil_servants'])} civil servants, "
        f"{len(data['training_managers'])} training managers, {len(data['officers'])} officers"
    )


if __name__ == "__main__":
    main()
