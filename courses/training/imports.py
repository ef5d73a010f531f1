"""Staff import from CSV or XLSX: parse, check every row (preview), then write all or
nothing.

Columns (header names in Vietnamese or English, with or without accents, any case):
họ và tên, email, số điện thoại, mã cơ quan, chức danh/vị trí, phân loại. Text is
normalised to NFC (spreadsheets from macOS often carry NFD). Accounts are matched by
e-mail (case-insensitive) or phone (any format, stored E.164); new accounts get an
invitation to set a password, sent once through the outbox.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms.accounts.models import User
from lms.accounts.phone import phone_to_e164
from lms.accounts.services import username_generate
from lms.core.spreadsheets import table_read
from lms.core.text import fold
from lms.organisations.models import Agency

from .models import Employment, Position, StaffCategory
from .selectors import agency_ancestor_ids, managed_agencies

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
PAYLOAD_SALT = "training.staff_import"
PAYLOAD_MAX_AGE = 60 * 60

FIELDS = ("name", "email", "phone", "agency", "position", "category")
HEADERS = {
    "name": {"ho va ten", "ho ten", "ho and ten", "ten", "full name", "name", "fullname", "ho va ten day du"},
    "email": {"email", "e mail", "thu dien tu", "dia chi email", "dia chi thu dien tu"},
    "phone": {
        "so dien thoai",
        "dien thoai",
        "sdt",
        "so dt",
        "phone",
        "phone number",
        "di dong",
        "so di dong",
    },
    "agency": {"ma co quan", "ma don vi", "ma co quan don vi", "co quan", "agency", "agency code", "ma cq"},
    "position": {
        "chuc danh vi tri",
        "chuc danh",
        "vi tri",
        "vi tri viec lam",
        "chuc vu",
        "position",
        "chuc danh vi tri viec lam",
    },
    "category": {"phan loai", "loai", "doi tuong", "category", "phan loai can bo", "ngach"},
}
CATEGORY_WORDS = {
    "can bo": StaffCategory.CAN_BO,
    "cb": StaffCategory.CAN_BO,
    "cong chuc": StaffCategory.CONG_CHUC,
    "cc": StaffCategory.CONG_CHUC,
    "vien chuc": StaffCategory.VIEN_CHUC,
    "vc": StaffCategory.VIEN_CHUC,
    "nguoi lao dong": StaffCategory.NGUOI_LAO_DONG,
    "lao dong": StaffCategory.NGUOI_LAO_DONG,
    "hop dong": StaffCategory.NGUOI_LAO_DONG,
    "nld": StaffCategory.NGUOI_LAO_DONG,
}
_NON_WORD = re.compile(r"[^a-z0-9]+")


class RowStatus:
    CREATE = "create"  # a new account and its employment
    START = "start"  # an existing account, first employment here
    MOVE = "move"  # an existing account moving agency/position/category
    UNCHANGED = "unchanged"
    ERROR = "error"


STATUS_LABELS = {
    RowStatus.CREATE: gettext_lazy("Tạo tài khoản mới"),
    RowStatus.START: gettext_lazy("Tài khoản có sẵn, bắt đầu công tác"),
    RowStatus.MOVE: gettext_lazy("Chuyển công tác / đổi chức danh"),
    RowStatus.UNCHANGED: gettext_lazy("Không thay đổi"),
    RowStatus.ERROR: gettext_lazy("Lỗi"),
}


@dataclass
class ImportRow:
    line: int
    values: dict[str, str]
    status: str = ""
    messages: list[str] = field(default_factory=list)
    user_id: int | None = None
    agency_id: int | None = None
    position_id: int | None = None
    category: str = ""
    email: str = ""
    phone: str = ""

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def message(self) -> str:
        return "; ".join(self.messages)


@dataclass
class ImportReport:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    written: bool = False
    invited: int = 0

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.errors and not any(r.status == RowStatus.ERROR for r in self.rows)

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    def summary(self) -> list[tuple[str, str, int]]:
        return [(s, str(label), self.count(s)) for s, label in STATUS_LABELS.items() if self.count(s)]


def _header_key(text: str) -> str:
    return _NON_WORD.sub(" ", fold(text)).strip()


def _clean(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


def staff_file_parse(*, data: bytes, filename: str = "") -> list[ImportRow]:
    """Rows of a CSV (UTF-8, with or without BOM; comma, semicolon or tab) or XLSX file
    (first sheet), keyed by field. ValidationError for an unreadable file, missing
    columns, no rows, or more than MAX_ROWS rows."""
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError(_("Tệp lớn hơn 5 MB. Hãy chia nhỏ tệp."))
    table = table_read(data=data, filename=filename, max_rows=MAX_ROWS + 2)
    while table and not any(_clean(c) for c in table[0]):
        table.pop(0)
    if not table:
        raise ValidationError(_("Tệp trống."))
    columns: dict[int, str] = {}
    for index, header in enumerate(table[0]):
        key = _header_key(_clean(header))
        for name, variants in HEADERS.items():
            if key in variants and name not in columns.values():
                columns[index] = name
    found = set(columns.values())
    missing = [f for f in ("name", "agency", "category") if f not in found]
    if "email" not in found and "phone" not in found:
        missing.append("email / phone")
    if missing:
        raise ValidationError(
            _(
                "Thiếu cột: %(cols)s. Dòng đầu cần có: họ và tên, email, số điện thoại, mã cơ quan, "
                "chức danh/vị trí, phân loại."
            )
            % {"cols": ", ".join(missing)}
        )
    rows = []
    for line, raw in enumerate(table[1:], start=2):
        values = {name: _clean(raw[i]) if i < len(raw) else "" for i, name in columns.items()}
        if not any(values.values()):
            continue
        rows.append(ImportRow(line=line, values={f: values.get(f, "") for f in FIELDS}))
    if not rows:
        raise ValidationError(_("Tệp không có dòng dữ liệu nào."))
    if len(rows) > MAX_ROWS:
        raise ValidationError(_("Tệp có quá %(n)s dòng. Hãy chia nhỏ tệp.") % {"n": MAX_ROWS})
    return rows


def staff_rows_check(*, rows: list[ImportRow], manager) -> ImportReport:
    """Check every row and say what importing it would do, writing nothing.

    Rules: a name; an e-mail or a phone (valid); an agency code the manager manages; a
    category (cán bộ, công chức, viên chức, người lao động, or their codes); a position,
    when given, usable in that agency (by code or name); an e-mail or phone appears
    once in the file; e-mail and phone may not point to two different accounts; a
    person employed outside the manager's agencies cannot be moved by this import.
    """
    report = ImportReport(rows=rows)
    scope = managed_agencies(user=manager)
    codes = {r.values["agency"] for r in rows if r.values["agency"]}
    agencies = {a.code: a for a in scope.filter(code__in=codes)}
    agencies_anywhere = set(Agency.objects.filter(code__in=codes).values_list("code", flat=True))
    ancestor_ids = {aid for a in agencies.values() for aid in agency_ancestor_ids(agency=a)}
    positions = list(Position.objects.filter(agency_id__in=ancestor_ids))
    seen: dict[str, int] = {}
    for row in rows:
        v, problems = row.values, row.messages
        if not v["name"]:
            problems.append(_("thiếu họ và tên"))
        elif len(v["name"]) > 255:
            problems.append(_("họ và tên quá dài"))
        if v["email"]:
            try:
                validate_email(v["email"])
                row.email = v["email"].lower()
            except ValidationError:
                problems.append(_("email “%(e)s” không hợp lệ") % {"e": v["email"]})
        if v["phone"]:
            try:
                row.phone = phone_to_e164(v["phone"])
            except ValidationError:
                problems.append(_("số điện thoại “%(p)s” không hợp lệ") % {"p": v["phone"]})
        if not v["email"] and not v["phone"]:
            problems.append(_("cần email hoặc số điện thoại"))
        for key in (row.email, row.phone):
            if key and key in seen:
                problems.append(_("trùng với dòng %(n)s") % {"n": seen[key]})
            elif key:
                seen[key] = row.line
        agency = agencies.get(v["agency"])
        if not v["agency"]:
            problems.append(_("thiếu mã cơ quan"))
        elif agency is None:
            problems.append(
                _("cơ quan “%(c)s” không thuộc phạm vi bạn quản lý") % {"c": v["agency"]}
                if v["agency"] in agencies_anywhere
                else _("không có cơ quan mã “%(c)s”") % {"c": v["agency"]}
            )
        else:
            row.agency_id = agency.pk
        row.category = CATEGORY_WORDS.get(fold(v["category"]).replace("_", " "), "")
        if not row.category:
            problems.append(
                _("phân loại “%(c)s” không hợp lệ (cán bộ, công chức, viên chức, người lao động)")
                % {"c": v["category"]}
            )
        if v["position"] and agency is not None:
            usable = set(agency_ancestor_ids(agency=agency))
            wanted = fold(v["position"])
            match = [
                p
                for p in positions
                if p.agency_id in usable and (p.code == v["position"] or p.name_folded == wanted)
            ]
            if match:
                row.position_id = match[0].pk
            else:
                problems.append(_("không có chức danh “%(p)s” cho cơ quan này") % {"p": v["position"]})
    emails = {r.email for r in rows if r.email}
    phones = {r.phone for r in rows if r.phone}
    by_email = (
        {
            u.email_lower: u
            for u in User.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails)
        }
        if emails
        else {}
    )
    by_phone = {u.phone: u for u in User.objects.filter(phone__in=phones)} if phones else {}
    user_ids = {u.pk for u in (*by_email.values(), *by_phone.values())}
    current = {
        e.user_id: e for e in Employment.objects.active_on(timezone.localdate()).filter(user_id__in=user_ids)
    }
    scope_ids = set(scope.filter(pk__in={e.agency_id for e in current.values()}).values_list("pk", flat=True))
    for row in rows:
        a, b = by_email.get(row.email), by_phone.get(row.phone)
        if a and b and a.pk != b.pk:
            row.messages.append(_("email và số điện thoại thuộc hai tài khoản khác nhau"))
        elif b is not None and row.email and b.email and b.email.lower() != row.email:
            row.messages.append(_("số điện thoại đã thuộc tài khoản có email khác"))
        user = a or b
        if row.messages:
            row.status = RowStatus.ERROR
            continue
        if user is None:
            row.status = RowStatus.CREATE
            continue
        row.user_id = user.pk
        employment = current.get(user.pk)
        if employment is None:
            row.status = RowStatus.START
        elif employment.agency_id not in scope_ids:
            row.status = RowStatus.ERROR
            row.messages.append(_("người này đang công tác ở cơ quan ngoài phạm vi bạn quản lý"))
        elif (employment.agency_id, employment.position_id, employment.category) == (
            row.agency_id,
            row.position_id,
            row.category,
        ):
            row.status = RowStatus.UNCHANGED
        elif employment.valid_from >= timezone.localdate():
            row.status = RowStatus.ERROR
            row.messages.append(_("người này vừa bắt đầu công tác hôm nay; hãy nhập lại từ ngày mai"))
        else:
            row.status = RowStatus.MOVE
    return report


def staff_import_apply(*, rows: list[ImportRow], manager) -> ImportReport:
    """Check the rows again, then write them all in one transaction or nothing.

    New accounts get a random handle, the name, e-mail and phone from the file and no
    usable password; each is invited once (StaffInvitation, through the outbox) to set
    one. Employments start today; an existing employee moves from today."""
    from . import services
    from .invitations import invitation_create

    report = staff_rows_check(rows=rows, manager=manager)
    if not report.ok:
        return report
    agencies = {a.pk: a for a in Agency.objects.filter(pk__in={r.agency_id for r in rows})}
    positions = {
        p.pk: p for p in Position.objects.filter(pk__in={r.position_id for r in rows if r.position_id})
    }
    today = timezone.localdate()
    invited = 0
    current_row = None
    try:
        with transaction.atomic():
            for row in rows:
                current_row = row
                if row.status == RowStatus.UNCHANGED:
                    continue
                agency, position = agencies[row.agency_id], positions.get(row.position_id)
                if row.status == RowStatus.CREATE:
                    user = User(
                        username=username_generate(),
                        email=row.email,
                        full_name=row.values["name"],
                        phone=row.phone or None,
                    )
                    user.set_unusable_password()
                    user.full_clean(exclude=["password"])
                    user.save()
                    if row.email:
                        from allauth.account.models import EmailAddress

                        EmailAddress.objects.create(user=user, email=row.email, primary=True, verified=False)
                    services.employment_start(
                        user=user,
                        agency=agency,
                        position=position,
                        category=row.category,
                        valid_from=today,
                        by=manager,
                    )
                    invited += bool(invitation_create(user=user, by=manager))
                    row.user_id = user.pk
                elif row.status == RowStatus.START:
                    user = User.objects.get(pk=row.user_id)
                    services.employment_start(
                        user=user,
                        agency=agency,
                        position=position,
                        category=row.category,
                        valid_from=today,
                        by=manager,
                    )
                else:
                    user = User.objects.get(pk=row.user_id)
                    services.employment_move(
                        user=user,
                        agency=agency,
                        position=position,
                        category=row.category,
                        on=today,
                        by=manager,
                    )
    except ValidationError as exc:
        current_row.status = RowStatus.ERROR
        current_row.messages.extend(exc.messages)
        return report
    report.written = True
    report.invited = invited
    return report


def payload_dump(*, rows: list[ImportRow], manager) -> str:
    return signing.dumps(
        {"m": manager.pk, "r": [[r.line, [r.values[f] for f in FIELDS]] for r in rows]},
        salt=PAYLOAD_SALT,
        compress=True,
    )


def payload_load(*, payload: str, manager) -> list[ImportRow]:
    """The rows signed into the preview form; ValidationError when altered, older than
    an hour, or signed for another manager."""
    try:
        data = signing.loads(payload, salt=PAYLOAD_SALT, max_age=PAYLOAD_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError(_("Bản xem trước đã quá một giờ. Hãy tải tệp lên lại.")) from None
    except signing.BadSignature:
        raise ValidationError(_("Dữ liệu xác nhận không hợp lệ. Hãy tải tệp lên lại.")) from None
    if data.get("m") != manager.pk:
        raise ValidationError(_("Dữ liệu xác nhận không hợp lệ. Hãy tải tệp lên lại."))
    return [
        ImportRow(line=int(line), values=dict(zip(FIELDS, values, strict=True))) for line, values in data["r"]
    ]
