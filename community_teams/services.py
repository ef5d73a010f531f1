"""Writes for community teams: teams and their members, the household register,
devices of the offline form. Receiving visits is in `community_teams.sync`
(`visit_batch_sync`, re-exported here)."""

import datetime
import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.accounts.models import Role, RoleAssignment, User
from lms.accounts.phone import phone_to_e164
from lms.accounts.selectors import unit_is_visible_to, user_has_role
from lms.accounts.services import role_assign, role_end, user_phone_set, username_generate
from lms.places.models import AdministrativeUnit

from .models import (
    STATUS_VALUES,
    AssistedEnrolment,
    Device,
    Household,
    Resident,
    StatusField,
    StatusObservation,
    SupportVisit,
    Team,
)
from .selectors import is_team_member, member_villages
from .sync import visit_batch_sync  # noqa: F401  (one place to import writes from)

DEVICE_MAX_IDLE = datetime.timedelta(days=30)
MIN_RESIDENT_AGE = 16


# --- Devices of the offline form ------------------------------------------------------


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def device_register(*, user, name: str) -> tuple[Device, str]:
    """Sign a phone in to the offline form. Rules: only a current team member or leader;
    the token is returned once and only its SHA-256 digest is stored."""
    if not is_team_member(user=user):
        raise PermissionDenied(_("Chỉ thành viên tổ công nghệ số cộng đồng mới dùng được ứng dụng này."))
    name = " ".join((name or "").split())[:120] or _("Điện thoại")
    token = secrets.token_urlsafe(32)
    device = Device.objects.create(user=user, name=name, token_digest=token_digest(token))
    return device, token


class DeviceRefused(Exception):
    """A device token that does not open the API; `code` says why."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def device_authenticate(*, token: str, now: datetime.datetime | None = None) -> Device:
    """The device holding `token`. Refused (DeviceRefused) when unknown, revoked, or
    without a successful sync for 30 days (counted from its sign-in if it never synced)."""
    now = now or timezone.now()
    device = Device.objects.select_related("user").filter(token_digest=token_digest(token)).first()
    if device is None or not device.user.is_active:
        raise DeviceRefused(
            "device_unknown", _("Thiết bị chưa đăng nhập hoặc mã không đúng. Hãy đăng nhập lại.")
        )
    if device.revoked_at is not None:
        raise DeviceRefused(
            "device_revoked", _("Thiết bị này đã bị thu hồi quyền truy cập. Hãy đăng nhập lại.")
        )
    if (device.last_sync_at or device.created_at) < now - DEVICE_MAX_IDLE:
        raise DeviceRefused(
            "device_expired",
            _("Thiết bị đã hơn 30 ngày không đồng bộ nên dữ liệu đã hết hạn. Hãy đăng nhập lại."),
        )
    return device


def device_synced(*, device: Device) -> None:
    Device.objects.filter(pk=device.pk).update(last_sync_at=timezone.now())


@transaction.atomic
def device_revoke(*, device: Device, by) -> Device:
    """Revoke a device: its token stops working at once. Rules: only its owner (or a
    platform administrator) may; revoking twice keeps the first time."""
    if device.user_id != by.pk and not by.is_superuser:
        raise PermissionDenied(_("Bạn chỉ thu hồi được thiết bị của mình."))
    if device.revoked_at is None:
        device.revoked_at = timezone.now()
        device.save(update_fields=["revoked_at"])
    return device


# --- Teams ------------------------------------------------------------------------------


def require_commune_officer(*, user, commune: AdministrativeUnit) -> None:
    """Teams are managed by commune officers of the commune (or officers above it)."""
    if not unit_is_visible_to(user=user, unit=commune) or not (
        user.is_superuser
        or user_has_role(user=user, role=Role.COMMUNE_OFFICER)
        or user_has_role(user=user, role=Role.PROVINCE_OFFICER)
        or user_has_role(user=user, role=Role.NATIONAL_OFFICER)
    ):
        raise PermissionDenied(_("Chỉ cán bộ xã (hoặc cấp trên) của xã này mới quản lý được tổ."))


def _clean_team_fields(*, village, name: str, decision_number: str, decision_date) -> dict:
    errors = {}
    if village is None or village.level != AdministrativeUnit.Level.VILLAGE:
        errors["village"] = _("Hãy chọn một thôn, tổ dân phố.")
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = _("Hãy nhập tên tổ.")
    if decision_date and decision_date > timezone.localdate():
        errors["decision_date"] = _("Ngày quyết định không được ở tương lai.")
    if errors:
        raise ValidationError(errors)
    return {
        "name": name[:255],
        "decision_number": (decision_number or "").strip()[:64],
        "decision_date": decision_date,
    }


@transaction.atomic
def team_create(
    *,
    by,
    village: AdministrativeUnit,
    name: str,
    decision_number: str = "",
    decision_date: datetime.date | None = None,
) -> Team:
    """Set up a village's team. Rules: by a commune officer (or above) of the village's
    commune; one active team per village (a constraint backs it)."""
    values = _clean_team_fields(
        village=village, name=name, decision_number=decision_number, decision_date=decision_date
    )
    require_commune_officer(user=by, commune=village.parent)
    if Team.objects.filter(village=village, active=True).exists():
        raise ValidationError({"village": _("Thôn này đã có tổ công nghệ số đang hoạt động.")})
    return Team.objects.create(village=village, created_by=by, **values)


@transaction.atomic
def team_update(
    *,
    by,
    team: Team,
    name: str,
    decision_number: str,
    decision_date: datetime.date | None,
    active: bool = True,
) -> Team:
    values = _clean_team_fields(
        village=team.village, name=name, decision_number=decision_number, decision_date=decision_date
    )
    require_commune_officer(user=by, commune=team.village.parent)
    if (
        active
        and not team.active
        and Team.objects.filter(village=team.village, active=True).exclude(pk=team.pk).exists()
    ):
        raise ValidationError({"active": _("Thôn này đã có tổ công nghệ số đang hoạt động.")})
    for key, value in values.items():
        setattr(team, key, value)
    team.active = active
    team.save()
    return team


@transaction.atomic
def team_member_add(*, by, team: Team, user, leader: bool = False) -> RoleAssignment:
    """Make `user` a member (or the leader) of the team: a scoped role over its village."""
    require_commune_officer(user=by, commune=team.village.parent)
    if not team.active:
        raise ValidationError(_("Tổ này đã ngừng hoạt động."))
    role = Role.TEAM_LEADER if leader else Role.TEAM_MEMBER
    return role_assign(user=user, role=role, unit=team.village, granted_by=by, note=f"team:{team.pk}")


@transaction.atomic
def team_member_remove(*, by, team: Team, assignment: RoleAssignment) -> RoleAssignment:
    """End a member's role over the team's village (kept as history, ends today)."""
    require_commune_officer(user=by, commune=team.village.parent)
    if assignment.unit_id != team.village_id or assignment.role not in (Role.TEAM_MEMBER, Role.TEAM_LEADER):
        raise ValidationError(_("Người này không thuộc tổ."))
    today = timezone.localdate()
    return role_end(assignment=assignment, on=max(today, assignment.valid_from))


# --- Household register ---------------------------------------------------------------


def _require_member_of(*, user, village: AdministrativeUnit) -> None:
    if village.pk not in {v.pk for v in member_villages(user=user)}:
        raise PermissionDenied(_("Bạn chỉ ghi sổ hộ của thôn mình."))


def _clean_household(
    *, label: str, address_hint: str, children_under_16: int, consent_given: bool, consent_purpose: str
) -> dict:
    errors = {}
    label = " ".join((label or "").split())
    if not label:
        errors["label"] = _("Hãy nhập tên gọi của hộ (ví dụ: Hộ ông Ba, xóm Đông).")
    if children_under_16 is None or children_under_16 < 0 or children_under_16 > 30:
        errors["children_under_16"] = _("Số trẻ em dưới 16 tuổi phải từ 0 đến 30.")
    if not consent_given:
        errors["consent_given"] = _("Chỉ ghi sổ khi hộ đã đồng ý cung cấp thông tin.")
    if consent_given and not (consent_purpose or "").strip():
        errors["consent_purpose"] = _("Hãy ghi mục đích mà hộ đã đồng ý.")
    if errors:
        raise ValidationError(errors)
    return {
        "label": label[:120],
        "address_hint": " ".join((address_hint or "").split())[:255],
        "children_under_16": children_under_16,
    }


@transaction.atomic
def household_create(
    *,
    by,
    village: AdministrativeUnit,
    label: str,
    address_hint: str = "",
    children_under_16: int = 0,
    fibre_broadband: bool = False,
    consent_given: bool,
    consent_purpose: str,
    household_id=None,
) -> Household:
    """Add a household to a village's register. Rules: by a team member or leader of the
    village; only with the household's consent and its purpose, recorded with who and when."""
    _require_member_of(user=by, village=village)
    values = _clean_household(
        label=label,
        address_hint=address_hint,
        children_under_16=children_under_16,
        consent_given=consent_given,
        consent_purpose=consent_purpose,
    )
    extra = {"id": household_id} if household_id else {}
    household = Household.objects.create(
        village=village,
        fibre_broadband=fibre_broadband,
        consent_given=True,
        consent_purpose=consent_purpose.strip()[:255],
        consent_recorded_by=by,
        consent_recorded_at=timezone.now(),
        **values,
        **extra,
    )
    if fibre_broadband:
        _observe(by=by, household=household, resident=None, field=StatusField.FIBRE_BROADBAND, value="true")
    return household


@transaction.atomic
def household_update(
    *,
    by,
    household: Household,
    label: str,
    address_hint: str,
    children_under_16: int,
    fibre_broadband: bool,
    consent_given: bool,
    consent_purpose: str,
) -> Household:
    _require_member_of(user=by, village=household.village)
    values = _clean_household(
        label=label,
        address_hint=address_hint,
        children_under_16=children_under_16,
        consent_given=consent_given,
        consent_purpose=consent_purpose,
    )
    if consent_purpose.strip() != household.consent_purpose:
        household.consent_purpose = consent_purpose.strip()[:255]
        household.consent_recorded_by = by
        household.consent_recorded_at = timezone.now()
    if fibre_broadband != household.fibre_broadband:
        _observe(
            by=by,
            household=household,
            resident=None,
            field=StatusField.FIBRE_BROADBAND,
            value="true" if fibre_broadband else "false",
        )
    for key, value in values.items():
        setattr(household, key, value)
    household.fibre_broadband = fibre_broadband
    household.save()
    return household


@transaction.atomic
def household_delete(*, by, household: Household) -> Household:
    """Take a household off the register: kept (its visits point to it) and marked
    deleted, its personal data blanked, so phones drop it at their next sync."""
    _require_member_of(user=by, village=household.village)
    household_anonymise(household=household)
    household.deleted = True
    household.save(update_fields=["deleted", "updated_at"])
    return household


@transaction.atomic
def household_anonymise(*, household: Household) -> Household:
    """Blank the household's personal data in place: label, address hint, the residents'
    links to learner accounts, and the free-text notes of its visits. Counts, statuses,
    visits and activities stay, so figures survive."""
    household.label = ""
    household.address_hint = ""
    household.anonymised_at = timezone.now()
    household.save(update_fields=["label", "address_hint", "anonymised_at", "updated_at"])
    Resident.objects.filter(household=household).update(learner=None)
    SupportVisit.objects.filter(household=household).exclude(note="").update(note="")
    return household


def _observe(
    *,
    by,
    household: Household,
    resident: Resident | None,
    field: str,
    value: str,
    source: str = StatusObservation.Source.REGISTER,
    observed_on: datetime.date | None = None,
) -> None:
    village = household.village
    StatusObservation.objects.create(
        resident=resident,
        household=household,
        field=field,
        value=value,
        observed_on=observed_on or timezone.localdate(),
        source=source,
        recorded_by=by,
        village=village,
        commune_id=village.parent_id,
        province_id=village.parent.parent_id,
    )


def _clean_resident(*, birth_year: int, sex: str, today: datetime.date) -> None:
    errors = {}
    if birth_year is None or birth_year < today.year - 120:
        errors["birth_year"] = _("Năm sinh không hợp lệ.")
    elif today.year - birth_year < MIN_RESIDENT_AGE:
        # Age from the birth year at the end of this year: 16 during the year counts.
        errors["birth_year"] = _(
            "Chỉ ghi người từ 16 tuổi trở lên; trẻ em dưới 16 tuổi chỉ được đếm trong số trẻ em của hộ."
        )
    if sex not in Resident.Sex.values:
        errors["sex"] = _("Hãy chọn giới tính.")
    if errors:
        raise ValidationError(errors)


def _status_observe(*, by, resident: Resident, status: dict[str, str] | None) -> None:
    """Record the statuses given on the register form that differ from the current ones."""
    if not status:
        return
    from .selectors import statuses_for_residents

    current = statuses_for_residents(resident_ids=[resident.pk])[resident.pk]
    for field, value in status.items():
        if (
            field not in STATUS_VALUES
            or value not in STATUS_VALUES[field]
            or field == StatusField.FIBRE_BROADBAND
        ):
            continue
        if field.startswith("skill_"):
            old = current["skills"][field.removeprefix("skill_")]
        elif field == StatusField.VNEID:
            old = current["vneid"] or "none"
        else:
            old = "true" if current[field] else "false"
        if old is None and value == "":
            continue
        if value != old:
            _observe(by=by, household=resident.household, resident=resident, field=field, value=value)


@transaction.atomic
def resident_create(
    *, by, household: Household, birth_year: int, sex: str, status: dict[str, str] | None = None
) -> Resident:
    """Add a resident aged 16 or over (by birth year) to a household: birth year and sex only."""
    _require_member_of(user=by, village=household.village)
    _clean_resident(birth_year=birth_year, sex=sex, today=timezone.localdate())
    resident = Resident.objects.create(household=household, birth_year=birth_year, sex=sex)
    _status_observe(by=by, resident=resident, status=status)
    household.save(update_fields=["updated_at"])
    return resident


@transaction.atomic
def resident_update(
    *, by, resident: Resident, birth_year: int, sex: str, status: dict[str, str] | None = None
) -> Resident:
    household = resident.household
    _require_member_of(user=by, village=household.village)
    _clean_resident(birth_year=birth_year, sex=sex, today=timezone.localdate())
    resident.birth_year, resident.sex = birth_year, sex
    resident.save(update_fields=["birth_year", "sex", "updated_at"])
    _status_observe(by=by, resident=resident, status=status)
    household.save(update_fields=["updated_at"])
    return resident


@transaction.atomic
def resident_remove(*, by, resident: Resident) -> Resident:
    """Take a resident off the register (moved away, died): kept for the facts, marked deleted."""
    _require_member_of(user=by, village=resident.household.village)
    resident.deleted = True
    resident.learner = None
    resident.save(update_fields=["deleted", "learner", "updated_at"])
    resident.household.save(update_fields=["updated_at"])
    return resident


# --- Assisted learning ----------------------------------------------------------------

# What completing a course of each topic shows about a resident (done alone, online).
COURSE_TOPIC_STATUS = {
    "smartphone": (StatusField.SMARTPHONE, "true"),
    "public_services": (StatusField.SKILL_PUBLIC_SERVICES, "alone"),
    "cashless_payment": (StatusField.SKILL_CASHLESS_PAYMENT, "alone"),
    "online_safety": (StatusField.SKILL_ONLINE_SAFETY, "alone"),
    "online_selling": (StatusField.SKILL_ONLINE_SHOPPING, "alone"),
    "digital_government": (StatusField.SKILL_LOCAL_PLATFORMS, "alone"),
}


def _learner_for_phone(*, phone: str) -> User:
    """The active account holding `phone`, or a new learner account for it (a random
    handle, no password: the person signs in with a code sent by SMS)."""
    e164 = phone_to_e164(phone)
    user = User.objects.filter(phone=e164).first()
    if user is not None:
        if not user.is_active:
            raise ValidationError({"phone": _("Tài khoản của số điện thoại này đang bị khoá.")})
        return user
    user = User(username=username_generate(), preferred_language="vi")
    user.set_unusable_password()
    user_phone_set(user=user, phone=e164)
    user.save()
    role_assign(user=user, role=Role.LEARNER)
    return user


@transaction.atomic
def resident_learner_enrol(
    *, by, resident: Resident, phone: str, course, consent: bool, visit: SupportVisit | None = None
) -> AssistedEnrolment:
    """During a visit, give a resident a learner account by phone number and enrol them.

    Rules: by a team member of the resident's village; only with the resident's consent;
    the phone is normalised (E.164) and an existing account with it is reused, otherwise
    a learner account is created; a resident is linked to one account (another number
    is refused); the enrolment goes through courses (`enrolment_create`: the course must
    be open; an existing current enrolment is reused); the helper is credited on an
    AssistedEnrolment (once per enrolment). Completion later records the course topic's
    skill in the resident's status (`resident_course_completed`).
    """
    from courses.models import Enrolment
    from courses.services import enrolment_create

    household = resident.household
    _require_member_of(user=by, village=household.village)
    if not consent:
        raise ValidationError({"consent": _("Cần sự đồng ý của người học.")})
    if resident.deleted:
        raise ValidationError(_("Người này không còn trong sổ hộ."))
    learner = _learner_for_phone(phone=phone)
    if resident.learner_id and resident.learner_id != learner.pk:
        raise ValidationError({"phone": _("Người này đã gắn với một tài khoản học khác.")})
    if Resident.objects.filter(learner=learner).exclude(pk=resident.pk).exists():
        raise ValidationError({"phone": _("Tài khoản của số này đã gắn với một người khác trong sổ hộ.")})
    if resident.learner_id != learner.pk:
        resident.learner = learner
        resident.save(update_fields=["learner", "updated_at"])
    enrolment = Enrolment.objects.filter(
        learner=learner, course=course, status__in=Enrolment.CURRENT
    ).first() or enrolment_create(learner=learner, course=course)
    village = household.village
    topic = COURSE_TOPIC_STATUS.get(getattr(course, "topic", ""))
    assisted, _created = AssistedEnrolment.objects.get_or_create(
        enrolment=enrolment,
        defaults={
            "resident": resident,
            "helper": by,
            "visit": visit,
            "consent_recorded_at": timezone.now(),
            "skill": topic[0] if topic and topic[0] != StatusField.SMARTPHONE else "",
            "village": village,
            "commune_id": village.parent_id,
            "province_id": village.parent.parent_id,
        },
    )
    return assisted


def resident_course_completed(*, completion) -> None:
    """courses.completion callback: a resident linked to the learner who completed a
    course gets the course topic's status as an observation (source: course)."""
    from courses.models import CoursePage

    residents = list(
        Resident.objects.filter(learner_id=completion.learner_id, deleted=False).select_related(
            "household__village"
        )
    )
    if not residents:
        return
    topic = CoursePage.objects.filter(pk=completion.course_id).values_list("topic", flat=True).first()
    status = COURSE_TOPIC_STATUS.get(topic or "")
    if status is None:
        return
    day = timezone.localdate(completion.completed_at)
    for resident in residents:
        _observe(
            by=None,
            household=resident.household,
            resident=resident,
            field=status[0],
            value=status[1],
            source=StatusObservation.Source.COURSE,
            observed_on=day,
        )
        resident.household.save(update_fields=["updated_at"])
