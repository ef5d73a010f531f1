"""Bulk enrolment from a CSV file: parse, preview, then enrol through `enrolment_create`.

The file has a header row with one of the columns "email", "phone" or "user_id" (any
case; the first non-empty one on each row is used), UTF-8 with or without a byte-order
mark, separated by commas (or semicolons, as Excel saves in some locales).

The preview and the confirmation resolve the rows the same way, in a fixed number of
queries (one per identifier kind, one for existing enrolments). Between the two steps
the parsed rows travel in a signed form field, so nothing is stored on the server and a
tampered or stale form is refused.
"""

import csv
import io
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses.models import CoursePage, Enrolment
from courses.services import enrolment_create, enrolment_window_error
from lms.accounts.phone import phone_to_e164
from lms.core.spreadsheets import text_decode

IDENTIFIER_COLUMNS = ("email", "phone", "user_id")
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
PAYLOAD_SALT = "courses.bulk.rows"
PAYLOAD_MAX_AGE = 60 * 60  # a preview is valid for an hour


class RowStatus(models.TextChoices):
    READY = "ready", gettext_lazy("Sẽ đăng ký")
    ENROLLED = "enrolled", gettext_lazy("Đã đăng ký")
    ALREADY = "already", gettext_lazy("Đã đăng ký từ trước")
    NO_USER = "no_user", gettext_lazy("Không có người dùng này")
    INVALID = "invalid", gettext_lazy("Không hợp lệ")
    REFUSED = "refused", gettext_lazy("Bị từ chối")


@dataclass(frozen=True)
class BulkRow:
    line: int  # line number in the file (the header is line 1)
    kind: str  # "email", "phone", "user_id" or "" when the row has no identifier
    value: str


@dataclass
class BulkResult:
    row: BulkRow
    status: str
    message: str = ""
    user: object = None

    @property
    def status_label(self) -> str:
        return RowStatus(self.status).label

    @property
    def ok(self) -> bool:
        return self.status in (RowStatus.READY, RowStatus.ENROLLED, RowStatus.ALREADY)


def bulk_csv_parse(*, data: bytes) -> list[BulkRow]:
    """The rows of an uploaded CSV file.

    Rules: at most MAX_FILE_BYTES and MAX_ROWS rows; UTF-8 (a byte-order mark is
    ignored); the header names at least one of "email", "phone", "user_id"; blank lines
    are skipped. Raises ValidationError (a Vietnamese message) for a file that cannot be
    used at all; problems with single rows are reported per row later.
    """
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError(_("Tệp quá lớn: tối đa 2 MB."), code="too_large")
    text = text_decode(data)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise ValidationError(_("Tệp trống hoặc thiếu dòng tiêu đề."), code="empty")
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader)]
    columns = [(header.index(name), name) for name in IDENTIFIER_COLUMNS if name in header]
    if not columns:
        raise ValidationError(
            _("Không tìm thấy cột “email”, “phone” hoặc “user_id” ở dòng đầu của tệp."), code="no_column"
        )
    rows: list[BulkRow] = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ValidationError(
                _("Tệp có quá nhiều dòng: tối đa %(max)d dòng mỗi lần.") % {"max": MAX_ROWS}, code="too_many"
            )
        kind, value = "", ""
        for index, name in columns:
            cell = cells[index].strip() if index < len(cells) else ""
            if cell:
                kind, value = name, cell
                break
        rows.append(BulkRow(line=reader.line_num, kind=kind, value=value))
    if not rows:
        raise ValidationError(_("Tệp không có dòng dữ liệu nào."), code="no_rows")
    return rows


def _normalise(row: BulkRow) -> tuple[str, object]:
    """(kind, normalised value) or raise ValidationError with the row's problem."""
    if not row.kind:
        raise ValidationError(_("Dòng không có email, số điện thoại hay mã người dùng."))
    if row.kind == "email":
        try:
            validate_email(row.value)
        except ValidationError:
            raise ValidationError(_("Email không hợp lệ.")) from None
        return "email", row.value.lower()
    if row.kind == "phone":
        return "phone", phone_to_e164(row.value)
    if not row.value.isdigit() or int(row.value) < 1:
        raise ValidationError(_("Mã người dùng phải là một số nguyên dương."))
    return "user_id", int(row.value)


def bulk_rows_resolve(*, course: CoursePage, rows: list[BulkRow]) -> list[BulkResult]:
    """Each row's outcome if it were enrolled now: READY, ALREADY (a current enrolment
    exists), NO_USER, or INVALID (badly formed, inactive account, or the same person
    as an earlier row). At most four queries, whatever the number of rows."""
    User = get_user_model()
    results: list[BulkResult] = []
    keys: dict[int, tuple[str, object]] = {}
    wanted: dict[str, set] = {"email": set(), "phone": set(), "user_id": set()}
    for i, row in enumerate(rows):
        try:
            keys[i] = _normalise(row)
        except ValidationError as exc:
            results.append(BulkResult(row=row, status=RowStatus.INVALID, message=" ".join(exc.messages)))
            continue
        wanted[keys[i][0]].add(keys[i][1])
        results.append(BulkResult(row=row, status=RowStatus.READY))

    found: dict[tuple[str, object], object] = {}
    if wanted["email"]:
        users = User.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=wanted["email"])
        found.update({("email", u.email_lower): u for u in users})
    if wanted["phone"]:
        found.update({("phone", u.phone): u for u in User.objects.filter(phone__in=wanted["phone"])})
    if wanted["user_id"]:
        found.update({("user_id", u.pk): u for u in User.objects.filter(pk__in=wanted["user_id"])})
    enrolled = set(
        Enrolment.objects.filter(
            course=course, status__in=Enrolment.CURRENT, learner__in=[u.pk for u in found.values()]
        ).values_list("learner_id", flat=True)
    ) if found else set()

    first_line: dict[int, int] = {}
    for i, result in enumerate(results):
        if i not in keys:
            continue
        user = found.get(keys[i])
        if user is None:
            result.status = RowStatus.NO_USER
            result.message = _("Không tìm thấy người dùng với thông tin này.")
        elif user.pk in first_line:
            result.status = RowStatus.INVALID
            result.message = _("Trùng người học với dòng %(line)d.") % {"line": first_line[user.pk]}
        elif not user.is_active:
            first_line[user.pk] = result.row.line
            result.status = RowStatus.INVALID
            result.message = _("Tài khoản này đã bị khoá.")
        else:
            first_line[user.pk] = result.row.line
            result.user = user
            if user.pk in enrolled:
                result.status = RowStatus.ALREADY
    return results


@transaction.atomic
def bulk_enrolment_apply(*, course: CoursePage, rows: list[BulkRow]) -> list[BulkResult]:
    """Enrol every resolvable row in `course`, in one transaction, through
    `enrolment_create` (so each learner gets the same checks and welcome message as a
    one-click enrolment).

    Rules: the course's enrolment window must be open (else ValidationError and nothing
    is written); a row the service refuses is reported (ALREADY for a duplicate,
    REFUSED with its message otherwise) and the other rows still go through. Running the
    same file again enrols nobody twice: those rows come back as ALREADY.
    """
    problem = enrolment_window_error(course=course)
    if problem:
        raise ValidationError(problem, code="closed")
    results = bulk_rows_resolve(course=course, rows=rows)
    for result in results:
        if result.status != RowStatus.READY:
            continue
        try:
            enrolment_create(learner=result.user, course=course)
        except ValidationError as exc:
            duplicate = getattr(exc, "code", None) == "duplicate"
            result.status = RowStatus.ALREADY if duplicate else RowStatus.REFUSED
            result.message = "" if duplicate else " ".join(exc.messages)
        else:
            result.status = RowStatus.ENROLLED
    return results


def bulk_summary(*, results: list[BulkResult]) -> list[tuple[str, str, int]]:
    """(status, label, count) for each status present, in a fixed order."""
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    return [(s.value, s.label, counts[s.value]) for s in RowStatus if s.value in counts]


# --- Carrying the rows from the preview to the confirmation --------------------------------


def bulk_payload_dump(*, course: CoursePage, rows: list[BulkRow]) -> str:
    return signing.dumps(
        {"c": course.pk, "r": [[row.line, row.kind, row.value] for row in rows]},
        salt=PAYLOAD_SALT,
        compress=True,
    )


def bulk_payload_load(*, course: CoursePage, payload: str) -> list[BulkRow]:
    """The rows signed into the preview form; ValidationError when the form was altered,
    is older than an hour, or belongs to another course."""
    try:
        data = signing.loads(payload, salt=PAYLOAD_SALT, max_age=PAYLOAD_MAX_AGE)
    except signing.SignatureExpired:
        message = _("Bản xem trước đã quá một giờ. Hãy tải tệp lên lại.")
        raise ValidationError(message, code="expired") from None
    except signing.BadSignature:
        raise ValidationError(_("Dữ liệu xác nhận không hợp lệ. Hãy tải tệp lên lại."), code="bad") from None
    if data.get("c") != course.pk:
        raise ValidationError(_("Dữ liệu xác nhận không hợp lệ. Hãy tải tệp lên lại."), code="bad")
    return [BulkRow(line=int(line), kind=str(kind), value=str(value)) for line, kind, value in data["r"]]
