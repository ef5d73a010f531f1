"""Receiving support visits from phones: `visit_batch_sync`.

One transaction and a handful of statements per batch whatever its size: households,
residents, activities, closed months and already-received ids are read once; the new
visits go in with ONE `INSERT … ON CONFLICT DO NOTHING RETURNING id` (PostgreSQL and
SQLite ≥ 3.35 both speak it), so a re-send or a concurrent send of the same batch is
decided by the primary key, never by check-then-insert; their residents, activities and
status observations follow in one bulk insert each.
"""

import datetime
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lms.accounts.phone import phone_to_e164

from .hooks import visits_received
from .models import (
    Activity,
    Device,
    Household,
    MonthClosure,
    Resident,
    StatusField,
    StatusObservation,
    SupportVisit,
    VisitActivity,
    VisitResident,
)
from .selectors import member_villages

MAX_BATCH = 500


class LocationIn(BaseModel):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class ActivityIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    code: str = Field(min_length=1, max_length=64)
    outcome: VisitActivity.Outcome
    reason: str = Field(default="", max_length=255)
    resident_id: uuid.UUID | None = None


class EnrolmentIn(BaseModel):
    """A resident present at the visit enrolled in a course (assisted learning)."""

    model_config = ConfigDict(extra="ignore")
    resident_id: uuid.UUID
    course_id: int
    phone: str = Field(max_length=32)
    consent: bool = False


class VisitIn(BaseModel):
    """One visit as the phone sends it (see /work/briefs/teams_api_contract.md)."""

    model_config = ConfigDict(extra="ignore")
    id: uuid.UUID
    household_id: uuid.UUID
    visited_on: datetime.date
    resident_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    activities: list[ActivityIn] = Field(min_length=1, max_length=50)
    note: str = Field(default="", max_length=2000)
    location: LocationIn | None = None
    replaces: uuid.UUID | None = None
    enrolments: list[EnrolmentIn] = Field(default_factory=list, max_length=10)


@dataclass
class ItemResult:
    id: str
    status: str  # created | duplicate | conflict | invalid
    code: int
    detail: str = ""
    flagged: bool = False

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "status": self.status,
            "code": self.code,
            "detail": self.detail,
            "flagged": self.flagged,
        }


@dataclass
class SyncOutcome:
    results: list[ItemResult] = field(default_factory=list)

    @property
    def received(self) -> int:
        return len(self.results)

    @property
    def created(self) -> int:
        return sum(r.status == "created" for r in self.results)

    def as_dict(self) -> dict:
        return {
            "results": [r.as_dict() for r in self.results],
            "received": self.received,
            "created": self.created,
        }


def CONFLICT_MESSAGE() -> str:  # noqa: N802 - reads like the constant it stands for
    return _("Mã lượt thăm này đã được gửi với nội dung khác; hãy kiểm tra và gửi lại như một bản sửa.")


def visit_content_hash(visit: VisitIn) -> str:
    """SHA-256 of the visit's content in a canonical form: what tells a re-send (same
    hash) from a conflicting reuse of the id (different hash)."""
    canonical = {
        "household_id": str(visit.household_id),
        "visited_on": visit.visited_on.isoformat(),
        "resident_ids": sorted(str(r) for r in visit.resident_ids),
        "activities": [
            [a.code, a.outcome.value, a.reason.strip(), str(a.resident_id) if a.resident_id else None]
            for a in visit.activities
        ],
        "note": visit.note.strip(),
        "location": [round(visit.location.lat, 5), round(visit.location.lon, 5)] if visit.location else None,
        "replaces": str(visit.replaces) if visit.replaces else None,
    }
    if visit.enrolments:
        # Only when present, so the hash of a visit without enrolments is unchanged.
        canonical["enrolments"] = sorted(
            [str(e.resident_id), e.course_id, e.phone.strip(), e.consent] for e in visit.enrolments
        )
    text = json.dumps(canonical, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _errors_text(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        parts.append(f"{loc}: {err['msg']}" if loc else err["msg"])
    return _("Dữ liệu lượt thăm không hợp lệ: %(errors)s") % {"errors": "; ".join(parts)}


def _insert_ignoring_conflicts(visits: list[SupportVisit]) -> set[uuid.UUID]:
    """INSERT the visits in one statement; rows whose id (or `replaces`) already exists
    are skipped by the database. Returns the ids actually inserted."""
    if not visits:
        return set()
    meta = SupportVisit._meta
    fields = meta.concrete_fields
    qn = connection.ops.quote_name
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params: list[Any] = []
    for visit in visits:
        params.extend(f.get_db_prep_save(getattr(visit, f.attname), connection) for f in fields)
    pk = meta.pk
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
        f"VALUES {', '.join([row] * len(visits))} ON CONFLICT DO NOTHING RETURNING {qn(pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {pk.to_python(r[0]) for r in cursor.fetchall()}


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


@transaction.atomic
def visit_batch_sync(
    *, member, device: Device | None, items: list[Any], today: datetime.date | None = None
) -> SyncOutcome:
    """Receive a batch of visits (at most 500) from `member`'s phone.

    Rules: the member holds a team role over at least one village now (checked once;
    PermissionDenied otherwise); each item is answered on its own, in order:
    - invalid (422): bad shape, a household outside the member's villages (or unknown,
      same answer), residents not of that household, an unknown activity, an activity
      that needs a resident without one, "not possible" without a reason, a date in the
      future, an edit replacing a version of another household or one never received;
    - duplicate (200): the id was received before with the same content: nothing created;
    - conflict (409): the id was received with different content, or the version it
      replaces was already replaced by another edit;
    - created (201): stored with its residents present and activities; a "done"
      activity writes the status it changes as an observation (append-only); a visit
      dated in a month its commune has closed is kept and flagged for review.
    The device's last sync time is updated, and callbacks registered with
    `hooks.on_visits_received` are told which villages got new visits.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    villages = {v.pk: v for v in member_villages(user=member, on=today)}
    if not villages:
        raise PermissionDenied(_("Bạn không còn là thành viên tổ công nghệ số của thôn nào."))
    if len(items) > MAX_BATCH:
        raise ValueError(f"at most {MAX_BATCH} visits per batch")

    outcome = SyncOutcome(results=[None] * len(items))  # type: ignore[list-item]
    parsed: dict[int, VisitIn] = {}
    for i, raw in enumerate(items):
        try:
            parsed[i] = VisitIn.model_validate(raw)
        except ValidationError as exc:
            raw_id = raw.get("id") if isinstance(raw, dict) else None
            outcome.results[i] = ItemResult(str(raw_id or ""), "invalid", 422, _errors_text(exc))

    # Everything the batch refers to, read once.
    hh_ids = {v.household_id for v in parsed.values()}
    households = {
        h.pk: h for h in Household.objects.filter(pk__in=hh_ids, village_id__in=list(villages), deleted=False)
    }
    residents = {
        r["id"]: r["household_id"]
        for r in Resident.objects.filter(household_id__in=list(households), deleted=False).values(
            "id", "household_id"
        )
    }
    activities = {a.code: a for a in Activity.objects.filter(active=True)}
    ids = {v.id for v in parsed.values()}
    replaced_ids = {v.replaces for v in parsed.values() if v.replaces}
    known = {
        row["id"]: row
        for row in SupportVisit.objects.filter(
            Q(pk__in=ids | replaced_ids) | Q(replaces_id__in=replaced_ids)
        ).values("id", "content_hash", "household_id", "replaces_id")
    }
    already_replaced = {row["replaces_id"] for row in known.values() if row["replaces_id"]}
    communes = {v.parent_id for v in villages.values()}
    months = {_month_start(v.visited_on) for v in parsed.values()}
    closed = set(
        MonthClosure.objects.filter(commune_id__in=communes, month__in=months).values_list(
            "commune_id", "month"
        )
    )

    enrolment_facts = _enrolment_facts(parsed=parsed)

    seen_in_batch: dict[uuid.UUID, tuple[str, uuid.UUID]] = {}  # id → (hash, household)
    to_insert: dict[int, SupportVisit] = {}
    children: dict[uuid.UUID, VisitIn] = {}
    not_found = _("Không tìm thấy hộ này trong thôn của bạn.")
    for i, visit in parsed.items():
        vid = str(visit.id)
        digest = visit_content_hash(visit)

        # Same id seen before (in the database or earlier in this batch).
        previous = known.get(visit.id) or (
            {"content_hash": seen_in_batch[visit.id][0]} if visit.id in seen_in_batch else None
        )
        if previous is not None:
            if previous["content_hash"] == digest:
                outcome.results[i] = ItemResult(vid, "duplicate", 200, _("Đã nhận lượt thăm này trước đó."))
            else:
                outcome.results[i] = ItemResult(
                    vid,
                    "conflict",
                    409,
                    CONFLICT_MESSAGE(),
                )
            continue

        household = households.get(visit.household_id)
        problem = ""
        if household is None:
            problem = not_found
        elif visit.visited_on > today + datetime.timedelta(days=1):
            problem = _("Ngày thăm ở tương lai.")
        elif any(residents.get(r) != household.pk for r in visit.resident_ids):
            problem = _("Có người không thuộc hộ này.")
        else:
            for act in visit.activities:
                activity = activities.get(act.code)
                if activity is None:
                    problem = _("Không có hoạt động mã “%(code)s”.") % {"code": act.code}
                elif act.resident_id is not None and residents.get(act.resident_id) != household.pk:
                    problem = _("Có người không thuộc hộ này.")
                elif activity.needs_resident and act.resident_id is None:
                    problem = _("Hoạt động “%(name)s” cần chọn người được hỗ trợ.") % {
                        "name": activity.name_vi
                    }
                elif act.outcome == VisitActivity.Outcome.NOT_POSSIBLE and not act.reason.strip():
                    problem = _("Hãy ghi lý do khi hoạt động không làm được.")
                if problem:
                    break
        if not problem and visit.replaces:
            target = known.get(visit.replaces)
            target_hh = (
                target["household_id"] if target else seen_in_batch.get(visit.replaces, (None, None))[1]
            )
            if target_hh is None:
                problem = _("Bản lượt thăm cần sửa chưa được gửi lên máy chủ.")
            elif target_hh != visit.household_id:
                problem = _("Bản sửa phải cùng hộ với bản được sửa.")
            elif visit.replaces in already_replaced:
                outcome.results[i] = ItemResult(
                    vid,
                    "conflict",
                    409,
                    _("Bản lượt thăm này đã được sửa bởi một bản khác; hãy tải lại rồi sửa."),
                )
                continue
        if not problem and visit.enrolments:
            problem = _enrolments_problem(
                visit=visit, household=household, residents=residents, facts=enrolment_facts
            )
        if problem:
            outcome.results[i] = ItemResult(vid, "invalid", 422, problem)
            continue

        village = villages[household.village_id]
        month = _month_start(visit.visited_on)
        flag_reason = ""
        if (village.parent_id, month) in closed:
            flag_reason = _("Tháng %(month)s đã khoá sổ: lượt thăm được giữ lại và cần xem lại.") % {
                "month": date_format(month, "YEAR_MONTH_FORMAT")
            }
        to_insert[i] = SupportVisit(
            id=visit.id,
            replaces_id=visit.replaces,
            content_hash=digest,
            member_id=member.pk,
            device_id=device.pk if device else None,
            household_id=household.pk,
            visited_on=visit.visited_on,
            village_id=village.pk,
            commune_id=village.parent_id,
            province_id=village.parent.parent_id,
            note=visit.note.strip(),
            lat=round(visit.location.lat, 2) if visit.location else None,
            lon=round(visit.location.lon, 2) if visit.location else None,
            flagged=bool(flag_reason),
            flag_reason=flag_reason,
            received_at=now,
        )
        seen_in_batch[visit.id] = (digest, household.pk)
        if visit.replaces:
            already_replaced.add(visit.replaces)
        children[visit.id] = visit

    inserted = _insert_ignoring_conflicts(list(to_insert.values()))
    lost = [i for i, v in to_insert.items() if v.pk not in inserted]
    if lost:
        # Another request inserted these ids (or edited the same versions) between our read
        # and our insert: the database decided, now tell duplicate from conflict.
        rows = {
            r["id"]: r["content_hash"]
            for r in SupportVisit.objects.filter(pk__in=[to_insert[i].pk for i in lost]).values(
                "id", "content_hash"
            )
        }
        for i in lost:
            visit = to_insert[i]
            if rows.get(visit.pk) == visit.content_hash:
                outcome.results[i] = ItemResult(
                    str(visit.pk), "duplicate", 200, _("Đã nhận lượt thăm này trước đó.")
                )
            else:
                outcome.results[i] = ItemResult(
                    str(visit.pk),
                    "conflict",
                    409,
                    CONFLICT_MESSAGE(),
                )
        _drop_orphans(to_insert, inserted, outcome)

    _enrolments_perform(
        to_insert=to_insert, inserted=inserted, parsed=children, member=member, outcome=outcome
    )
    for i, visit in to_insert.items():
        if visit.pk in inserted:
            outcome.results[i] = ItemResult(
                str(visit.pk),
                "created",
                201,
                visit.flag_reason or _("Đã nhận."),
                flagged=visit.flagged,
            )
    _children_write(
        visits=[v for v in to_insert.values() if v.pk in inserted],
        parsed=children,
        activities=activities,
        member=member,
    )
    if device is not None:
        Device.objects.filter(pk=device.pk).update(last_sync_at=now)
    visits_received(village_ids={v.village_id for v in to_insert.values() if v.pk in inserted})
    return outcome


def _enrolment_facts(*, parsed: dict[int, VisitIn]) -> dict:
    """What checking the batch's enrolments needs, read once (nothing when none)."""
    from lms.accounts.models import User

    from .selectors import courses_for_assisted_enrolment

    wanted = [e for v in parsed.values() for e in v.enrolments]
    if not wanted:
        return {}
    phones = {}
    for e in wanted:
        try:
            phones[e.phone] = phone_to_e164(e.phone)
        except DjangoValidationError:
            continue
    users = {
        u["phone"]: u
        for u in User.objects.filter(phone__in=set(phones.values())).values("id", "phone", "is_active")
    }
    linked = dict(
        Resident.objects.filter(
            Q(pk__in={e.resident_id for e in wanted}) | Q(learner_id__in=[u["id"] for u in users.values()])
        ).values_list("id", "learner_id")
    )
    return {
        "courses": {c.pk for c in courses_for_assisted_enrolment()},
        "phones": phones,
        "users": users,
        "learner_of": {r: lid for r, lid in linked.items()},
        "resident_of": {lid: r for r, lid in linked.items() if lid},
    }


def _enrolments_problem(*, visit: VisitIn, household: Household, residents: dict, facts: dict) -> str:
    """Why the visit's enrolments cannot be made (the whole item is then invalid), or ""."""
    for e in visit.enrolments:
        if residents.get(e.resident_id) != household.pk:
            return _("Người được đăng ký học không thuộc hộ này.")
        if e.resident_id not in visit.resident_ids:
            return _("Người được đăng ký học phải có mặt trong lượt thăm.")
        if not e.consent:
            return _("Cần sự đồng ý của người học trước khi đăng ký khoá học.")
        e164 = facts["phones"].get(e.phone)
        if e164 is None:
            return _("Số điện thoại “%(phone)s” không phải số di động Việt Nam hợp lệ.") % {"phone": e.phone}
        if e.course_id not in facts["courses"]:
            return _("Khoá học đã chọn không còn mở đăng ký.")
        user = facts["users"].get(e164)
        if user is not None and not user["is_active"]:
            return _("Tài khoản của số điện thoại này đang bị khoá.")
        current = facts["learner_of"].get(e.resident_id)
        if current and (user is None or current != user["id"]):
            return _("Người này đã gắn với một tài khoản học khác.")
        if user is not None and facts["resident_of"].get(user["id"], e.resident_id) != e.resident_id:
            return _("Tài khoản của số này đã gắn với một người khác trong sổ hộ.")
    return ""


def _enrolments_perform(
    *,
    to_insert: dict[int, SupportVisit],
    inserted: set[uuid.UUID],
    parsed: dict[uuid.UUID, VisitIn],
    member,
    outcome: SyncOutcome,
) -> None:
    """Enrol the residents of the created visits (checked before the insert). Should one
    still fail (a race), the visit is taken back out and reported invalid: never half stored."""
    from courses.models import CoursePage

    from .services import resident_learner_enrol

    for i, visit in to_insert.items():
        data = parsed.get(visit.pk)
        if visit.pk not in inserted or data is None or not data.enrolments:
            continue
        try:
            with transaction.atomic():
                for e in data.enrolments:
                    resident = Resident.objects.select_related("household__village__parent").get(
                        pk=e.resident_id
                    )
                    course = CoursePage.objects.get(pk=e.course_id)
                    resident_learner_enrol(
                        by=member,
                        resident=resident,
                        phone=e.phone,
                        course=course,
                        consent=e.consent,
                        visit=visit,
                    )
        except (DjangoValidationError, PermissionDenied, CoursePage.DoesNotExist) as exc:
            detail = "; ".join(
                getattr(exc, "messages", None) or [_("Khoá học đã chọn không còn mở đăng ký.")]
            )
            SupportVisit.objects.filter(pk=visit.pk).delete()
            inserted.discard(visit.pk)
            outcome.results[i] = ItemResult(str(visit.pk), "invalid", 422, detail)


def _drop_orphans(to_insert: dict[int, SupportVisit], inserted: set[uuid.UUID], outcome: SyncOutcome) -> None:
    """An inserted edit whose replaced version (from this batch) lost a race would fail
    its foreign key at commit: take it back out and report a conflict."""
    while True:
        existing = set(
            SupportVisit.objects.filter(
                pk__in=[v.replaces_id for v in to_insert.values() if v.pk in inserted and v.replaces_id]
            ).values_list("pk", flat=True)
        )
        orphans = [
            i
            for i, v in to_insert.items()
            if v.pk in inserted and v.replaces_id and v.replaces_id not in existing
        ]
        if not orphans:
            return
        SupportVisit.objects.filter(pk__in=[to_insert[i].pk for i in orphans]).delete()
        for i in orphans:
            inserted.discard(to_insert[i].pk)
            outcome.results[i] = ItemResult(
                str(to_insert[i].pk),
                "conflict",
                409,
                _("Bản lượt thăm cần sửa không được nhận; hãy gửi lại."),
            )


def _children_write(
    *, visits: list[SupportVisit], parsed: dict[uuid.UUID, VisitIn], activities: dict, member
) -> None:
    presences, acts, observations = [], [], []
    fibre_households = set()
    for visit in visits:
        data = parsed[visit.pk]
        units = {
            "village_id": visit.village_id,
            "commune_id": visit.commune_id,
            "province_id": visit.province_id,
        }
        presences.extend(
            VisitResident(visit_id=visit.pk, resident_id=r) for r in dict.fromkeys(data.resident_ids)
        )
        for act in data.activities:
            activity = activities[act.code]
            acts.append(
                VisitActivity(
                    visit_id=visit.pk,
                    activity=activity,
                    outcome=act.outcome,
                    reason=act.reason.strip()[:255],
                    resident_id=act.resident_id,
                    visited_on=visit.visited_on,
                    **units,
                )
            )
            if act.outcome != VisitActivity.Outcome.DONE or not activity.status_field:
                continue
            if activity.status_field == StatusField.FIBRE_BROADBAND:
                fibre_households.add(visit.household_id)
                resident_id = None
            else:
                resident_id = act.resident_id
                if resident_id is None:
                    continue
            observations.append(
                StatusObservation(
                    resident_id=resident_id,
                    household_id=visit.household_id,
                    field=activity.status_field,
                    value=activity.status_value,
                    observed_on=visit.visited_on,
                    source=StatusObservation.Source.VISIT,
                    visit_id=visit.pk,
                    recorded_by_id=member.pk,
                    **units,
                )
            )
    VisitResident.objects.bulk_create(presences)
    VisitActivity.objects.bulk_create(acts)
    StatusObservation.objects.bulk_create(observations)
    now = timezone.now()
    touched = {o.household_id for o in observations}
    if fibre_households:
        Household.objects.filter(pk__in=fibre_households).update(fibre_broadband=True, updated_at=now)
    if touched - fibre_households:
        # The offline register downloads households changed since its last sync.
        Household.objects.filter(pk__in=touched - fibre_households).update(updated_at=now)
