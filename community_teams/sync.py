"""Receiving support visits from phones: `visit_batch_sync`.

One transaction and a handful of statements per batch whatever its size: households,
residents, activities, closed months and already-received ids are read once; the new
visits go in with ONE `INSERT … ON CONFLICT DO NOTHING RETURNING id` (PostgreSQL and
SQLite ≥ 3.35 both speak it), so a re-send or a concurrent send of the same batch is
decided by the primary key, never by check-then-insert; their residents, activities and
status observations follow in one bulk insert each.

Speed (docs/performance.md, "Visit sync"): on PostgreSQL every insert passes one array
per column (`INSERT … SELECT * FROM unnest(%s::uuid[], …)`), so a batch is a few dozen
parameters instead of tens of thousands of placeholders for the driver to bind, and no
model instances are built; items of the usual shape are checked by `_visit_fast` with
plain dict and type tests, and anything it does not recognise goes through the pydantic
schema (`VisitIn`), which stays the definition of a valid item and of its error messages.
"""

import datetime
import hashlib
import json
import re
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


# The fast path: the shapes the app sends, recognised with plain dict and type tests and
# giving exactly what `VisitIn` would give for them. Anything else (a missing field, a
# number sent as text, an enrolment, …) returns None and goes through `VisitIn`, which
# accepts or refuses it with its own messages.
_UUID_TEXT = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_OUTCOMES = {o.value: o for o in VisitActivity.Outcome}
_MISSING = object()


class _Location:
    __slots__ = ("lat", "lon")

    def __init__(self, lat: float, lon: float):
        self.lat, self.lon = lat, lon


class _Activity:
    __slots__ = ("code", "outcome", "reason", "resident_id")

    def __init__(self, code, outcome, reason, resident_id):
        self.code, self.outcome, self.reason, self.resident_id = code, outcome, reason, resident_id


class _Visit:
    """What `VisitIn` holds, without pydantic's per-instance machinery."""

    __slots__ = (
        "id",
        "household_id",
        "visited_on",
        "resident_ids",
        "activities",
        "note",
        "location",
        "replaces",
        "enrolments",
    )

    def __init__(self, **values):
        for name, value in values.items():
            setattr(self, name, value)


class _NotFast(Exception):
    pass


def _uuid(value) -> uuid.UUID:
    if type(value) is not str or not _UUID_TEXT.match(value):
        raise _NotFast
    return uuid.UUID(value)


def _uuid_or_none(value) -> uuid.UUID | None:
    return None if value is None or value is _MISSING else _uuid(value)


def _text(value, max_length: int, min_length: int = 0) -> str:
    if type(value) is not str or not min_length <= len(value) <= max_length:
        raise _NotFast
    return value


def _number(value, low: float, high: float) -> float:
    if type(value) not in (int, float) or not low <= value <= high:
        raise _NotFast
    return float(value)


def _visit_fast(raw) -> _Visit | None:
    """`raw` as `VisitIn.model_validate` would read it, or None if it is not of the plain
    shape (the caller then asks `VisitIn`)."""
    if type(raw) is not dict:
        return None
    get = raw.get
    try:
        if get("enrolments", _MISSING) not in (_MISSING, []):
            raise _NotFast
        day = get("visited_on")
        if type(day) is not str or not _DATE_TEXT.match(day):
            raise _NotFast
        try:
            visited_on = datetime.date.fromisoformat(day)
        except ValueError:
            raise _NotFast from None
        resident_ids = get("resident_ids", _MISSING)
        if resident_ids is _MISSING:
            resident_ids = []
        elif type(resident_ids) is not list or len(resident_ids) > 50:
            raise _NotFast
        else:
            resident_ids = [_uuid(r) for r in resident_ids]
        acts = get("activities")
        if type(acts) is not list or not 1 <= len(acts) <= 50:
            raise _NotFast
        activities = []
        for a in acts:
            if type(a) is not dict:
                raise _NotFast
            outcome = _OUTCOMES.get(a.get("outcome")) if type(a.get("outcome")) is str else None
            if outcome is None:
                raise _NotFast
            reason = a.get("reason", _MISSING)
            activities.append(
                _Activity(
                    _text(a.get("code"), 64, 1),
                    outcome,
                    "" if reason is _MISSING else _text(reason, 255),
                    _uuid_or_none(a.get("resident_id", _MISSING)),
                )
            )
        note = get("note", _MISSING)
        location = get("location", _MISSING)
        if location is _MISSING or location is None:
            location = None
        elif type(location) is not dict:
            raise _NotFast
        else:
            location = _Location(
                _number(location.get("lat"), -90, 90), _number(location.get("lon"), -180, 180)
            )
        return _Visit(
            id=_uuid(get("id")),
            household_id=_uuid(get("household_id")),
            visited_on=visited_on,
            resident_ids=resident_ids,
            activities=activities,
            note="" if note is _MISSING else _text(note, 2000),
            location=location,
            replaces=_uuid_or_none(get("replaces", _MISSING)),
            enrolments=[],
        )
    except _NotFast:
        return None


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


_VISIT_COLUMNS = [f.attname for f in SupportVisit._meta.concrete_fields]


class _VisitRow:
    """One visit to insert: its column values (SupportVisit's concrete fields)."""

    __slots__ = tuple(_VISIT_COLUMNS)

    def __init__(self, **values):
        for name, value in values.items():
            setattr(self, name, value)

    @property
    def pk(self) -> uuid.UUID:
        return self.id

    def values(self) -> tuple:
        return tuple(getattr(self, c) for c in _VISIT_COLUMNS)

    def as_model(self) -> SupportVisit:
        return SupportVisit(**{c: getattr(self, c) for c in _VISIT_COLUMNS})


def _insert_rows(model, columns: list[str], rows: list[tuple], *, skip_conflicts: bool = False) -> set:
    """INSERT `rows` (tuples of `columns`' values, attnames of `model`) in one statement.
    With `skip_conflicts`, rows whose primary key or a unique column already exists are
    skipped by the database and the primary keys actually inserted are returned.

    PostgreSQL: one array parameter per column, `SELECT * FROM unnest(...)` (the driver
    binds a few dozen parameters, not one per value). Elsewhere (SQLite, the Quick
    start): multi-row VALUES, in chunks within the engine's parameter limit."""
    if not rows:
        return set()
    meta = model._meta
    fields = [meta.get_field(c) for c in columns]
    qn = connection.ops.quote_name
    head = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
    tail = f" ON CONFLICT DO NOTHING RETURNING {qn(meta.pk.column)}" if skip_conflicts else ""
    inserted: set = set()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = [list(column) for column in zip(*rows, strict=True)]
            casts = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
            cursor.execute(f"{head}SELECT * FROM unnest({casts}){tail}", arrays)
            if skip_conflicts:
                inserted.update(meta.pk.to_python(r[0]) for r in cursor.fetchall())
            return inserted
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        per_statement = max(1, 30_000 // len(fields))
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params: list[Any] = []
            for values in chunk:
                params.extend(f.get_db_prep_save(v, connection) for f, v in zip(fields, values, strict=True))
            cursor.execute(f"{head}VALUES {', '.join([row] * len(chunk))}{tail}", params)
            if skip_conflicts:
                inserted.update(meta.pk.to_python(r[0]) for r in cursor.fetchall())
    return inserted


def _insert_ignoring_conflicts(visits: list[_VisitRow]) -> set[uuid.UUID]:
    """INSERT the visits in one statement; rows whose id (or `replaces`) already exists
    are skipped by the database. Returns the ids actually inserted."""
    return _insert_rows(SupportVisit, _VISIT_COLUMNS, [v.values() for v in visits], skip_conflicts=True)


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
    parsed: dict[int, VisitIn | _Visit] = {}
    for i, raw in enumerate(items):
        fast = _visit_fast(raw)
        if fast is not None:
            parsed[i] = fast
            continue
        try:
            parsed[i] = VisitIn.model_validate(raw)
        except ValidationError as exc:
            raw_id = raw.get("id") if isinstance(raw, dict) else None
            outcome.results[i] = ItemResult(str(raw_id or ""), "invalid", 422, _errors_text(exc))

    # Everything the batch refers to, read once (plain values, no model instances).
    hh_ids = {v.household_id for v in parsed.values()}
    households = dict(
        Household.objects.filter(pk__in=hh_ids, village_id__in=list(villages), deleted=False).values_list(
            "pk", "village_id"
        )
    )  # household id → village id
    residents = dict(
        Resident.objects.filter(household_id__in=list(households), deleted=False).values_list(
            "id", "household_id"
        )
    )
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
    to_insert: dict[int, _VisitRow] = {}
    children: dict[uuid.UUID, VisitIn | _Visit] = {}
    not_found = _("Không tìm thấy hộ này trong thôn của bạn.")
    duplicate = _("Đã nhận lượt thăm này trước đó.")
    not_of_household = _("Có người không thuộc hộ này.")
    lat_field, lon_field = SupportVisit._meta.get_field("lat"), SupportVisit._meta.get_field("lon")
    tomorrow = today + datetime.timedelta(days=1)
    for i, visit in parsed.items():
        vid = str(visit.id)
        digest = visit_content_hash(visit)

        # Same id seen before (in the database or earlier in this batch).
        previous = known.get(visit.id) or (
            {"content_hash": seen_in_batch[visit.id][0]} if visit.id in seen_in_batch else None
        )
        if previous is not None:
            if previous["content_hash"] == digest:
                outcome.results[i] = ItemResult(vid, "duplicate", 200, duplicate)
            else:
                outcome.results[i] = ItemResult(
                    vid,
                    "conflict",
                    409,
                    CONFLICT_MESSAGE(),
                )
            continue

        household_id = visit.household_id if visit.household_id in households else None
        problem = ""
        if household_id is None:
            problem = not_found
        elif visit.visited_on > tomorrow:
            problem = _("Ngày thăm ở tương lai.")
        elif any(residents.get(r) != household_id for r in visit.resident_ids):
            problem = not_of_household
        else:
            for act in visit.activities:
                activity = activities.get(act.code)
                if activity is None:
                    problem = _("Không có hoạt động mã “%(code)s”.") % {"code": act.code}
                elif act.resident_id is not None and residents.get(act.resident_id) != household_id:
                    problem = not_of_household
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
                visit=visit, household_id=household_id, residents=residents, facts=enrolment_facts
            )
        if problem:
            outcome.results[i] = ItemResult(vid, "invalid", 422, problem)
            continue

        village = villages[households[household_id]]
        month = _month_start(visit.visited_on)
        flag_reason = ""
        if (village.parent_id, month) in closed:
            flag_reason = _("Tháng %(month)s đã khoá sổ: lượt thăm được giữ lại và cần xem lại.") % {
                "month": date_format(month, "YEAR_MONTH_FORMAT")
            }
        location = visit.location
        to_insert[i] = _VisitRow(
            id=visit.id,
            replaces_id=visit.replaces,
            content_hash=digest,
            member_id=member.pk,
            device_id=device.pk if device else None,
            household_id=household_id,
            visited_on=visit.visited_on,
            village_id=village.pk,
            commune_id=village.parent_id,
            province_id=village.parent.parent_id,
            note=visit.note.strip(),
            lat=lat_field.to_python(round(location.lat, 2)) if location else None,
            lon=lon_field.to_python(round(location.lon, 2)) if location else None,
            flagged=bool(flag_reason),
            flag_reason=flag_reason,
            received_at=now,
        )
        seen_in_batch[visit.id] = (digest, household_id)
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
                outcome.results[i] = ItemResult(str(visit.pk), "duplicate", 200, duplicate)
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
    received = _("Đã nhận.")
    for i, visit in to_insert.items():
        if visit.pk in inserted:
            outcome.results[i] = ItemResult(
                str(visit.pk),
                "created",
                201,
                visit.flag_reason or received,
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


def _enrolment_facts(*, parsed: dict[int, VisitIn | _Visit]) -> dict:
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


def _enrolments_problem(*, visit: VisitIn, household_id: uuid.UUID, residents: dict, facts: dict) -> str:
    """Why the visit's enrolments cannot be made (the whole item is then invalid), or ""."""
    for e in visit.enrolments:
        if residents.get(e.resident_id) != household_id:
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
    to_insert: dict[int, _VisitRow],
    inserted: set[uuid.UUID],
    parsed: dict[uuid.UUID, VisitIn | _Visit],
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
                        visit=visit.as_model(),
                    )
        except (DjangoValidationError, PermissionDenied, CoursePage.DoesNotExist) as exc:
            detail = "; ".join(
                getattr(exc, "messages", None) or [_("Khoá học đã chọn không còn mở đăng ký.")]
            )
            SupportVisit.objects.filter(pk=visit.pk).delete()
            inserted.discard(visit.pk)
            outcome.results[i] = ItemResult(str(visit.pk), "invalid", 422, detail)


def _drop_orphans(to_insert: dict[int, _VisitRow], inserted: set[uuid.UUID], outcome: SyncOutcome) -> None:
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


_PRESENCE_COLUMNS = ["visit_id", "resident_id"]
_ACTIVITY_COLUMNS = [
    "visit_id",
    "activity_id",
    "outcome",
    "reason",
    "resident_id",
    "visited_on",
    "village_id",
    "commune_id",
    "province_id",
]
_OBSERVATION_COLUMNS = [
    "resident_id",
    "household_id",
    "field",
    "value",
    "observed_on",
    "source",
    "visit_id",
    "recorded_by_id",
    "village_id",
    "commune_id",
    "province_id",
    "created_at",
]


def _children_write(
    *, visits: list[_VisitRow], parsed: dict[uuid.UUID, VisitIn | _Visit], activities: dict, member
) -> None:
    """Residents present, activities and the status observations of "done" activities of
    the created visits: one INSERT per table, rows as tuples (no model instances)."""
    presences, acts, observations = [], [], []
    fibre_households, touched = set(), set()
    now = timezone.now()
    done, from_visit = VisitActivity.Outcome.DONE, StatusObservation.Source.VISIT
    for visit in visits:
        data = parsed[visit.pk]
        vid, day, hh = visit.pk, visit.visited_on, visit.household_id
        units = (visit.village_id, visit.commune_id, visit.province_id)
        presences.extend((vid, r) for r in dict.fromkeys(data.resident_ids))
        for act in data.activities:
            activity = activities[act.code]
            acts.append(
                (vid, activity.pk, act.outcome.value, act.reason.strip()[:255], act.resident_id, day, *units)
            )
            if act.outcome != done or not activity.status_field:
                continue
            if activity.status_field == StatusField.FIBRE_BROADBAND:
                fibre_households.add(hh)
                resident_id = None
            else:
                resident_id = act.resident_id
                if resident_id is None:
                    continue
            touched.add(hh)
            observations.append(
                (
                    resident_id,
                    hh,
                    str(activity.status_field),
                    activity.status_value,
                    day,
                    from_visit.value,
                    vid,
                    member.pk,
                    *units,
                    now,
                )
            )
    _insert_rows(VisitResident, _PRESENCE_COLUMNS, presences)
    _insert_rows(VisitActivity, _ACTIVITY_COLUMNS, acts)
    _insert_rows(StatusObservation, _OBSERVATION_COLUMNS, observations)
    if fibre_households:
        Household.objects.filter(pk__in=fibre_households).update(fibre_broadband=True, updated_at=now)
    if touched - fibre_households:
        # The offline register downloads households changed since its last sync.
        Household.objects.filter(pk__in=touched - fibre_households).update(updated_at=now)
