"""Importing and exporting question files (all formats through one path).

`questions_import` reads a file into neutral questions, then, in ONE transaction, writes
each through `services.question_create` (the admin's validation) inside its own
savepoint, and reports every question: ok, or error with the reason in Vietnamese.

Modes (never a half-written file within a mode):
- `all_or_nothing` (default): if any question is invalid, the transaction is rolled
  back and nothing is written; the report lists the invalid ones;
- `valid_only`: the valid questions are written (all together), the invalid ones are
  reported and skipped.
`dry_run` validates exactly as a real import would and writes nothing (the preview).
A file that cannot be read at all (broken XML, a DTD, not an XLSX, a CSV not in UTF-8,
wrong columns) writes nothing and says why in `ImportReport.file_error`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import QUALIFIER, Competence

from .. import services
from ..models import Question, QuestionCategory
from . import gift, moodle, table
from .neutral import (
    FileProblem,
    ParseProblem,
    QuestionData,
    T,
    category_paths,
    question_create_kwargs,
    question_data_from_model,
)

FORMATS = ("csv", "xlsx", "moodle", "gift")
MODES = ("all_or_nothing", "valid_only")
DEFAULT_CATEGORY = ("Câu hỏi nhập từ tệp",)
MAX_FILE_BYTES = 10 * 1024 * 1024

READERS: dict[str, Callable[[bytes], list]] = {
    "csv": table.read_csv,
    "xlsx": table.read_xlsx,
    "moodle": moodle.read_moodle,
    "gift": gift.read_gift,
}
WRITERS: dict[str, Callable] = {
    "csv": table.write_csv,
    "xlsx": table.write_xlsx,
    "moodle": moodle.write_moodle,
    "gift": gift.write_gift,
}
EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "moodle": "xml", "gift": "gift.txt"}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "moodle": "application/xml; charset=utf-8",
    "gift": "text/plain; charset=utf-8",
}


@dataclass
class ReportRow:
    location: str
    title: str
    ok: bool
    reason: str = ""
    question_id: int | None = None

    @property
    def status(self) -> str:
        return "ok" if self.ok else "error"


@dataclass
class ImportReport:
    format: str = ""
    mode: str = "all_or_nothing"
    dry_run: bool = False
    file_error: str = ""
    rows: list[ReportRow] = field(default_factory=list)
    written: int = 0

    @property
    def valid(self) -> int:
        return sum(r.ok for r in self.rows)

    @property
    def invalid(self) -> list[ReportRow]:
        return [r for r in self.rows if not r.ok]

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.invalid


def format_detect(*, data: bytes, filename: str = "") -> str:
    """The format from the file name, else from the first bytes."""
    name = filename.lower()
    for suffix, fmt in (
        (".csv", "csv"),
        (".xlsx", "xlsx"),
        (".xml", "moodle"),
        (".gift", "gift"),
        (".txt", "gift"),
    ):
        if name.endswith(suffix):
            return fmt
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"PK"):
        return "xlsx"
    if head.startswith(b"<"):
        return "moodle"
    first_line = head.split(b"\n", 1)[0].lower()
    if b"type" in first_line and (b"," in first_line or b";" in first_line) and b"text" in first_line:
        return "csv"
    return "gift"


def questions_parse(*, data: bytes, format: str = "auto", filename: str = "") -> tuple[str, list]:
    """(format, [QuestionData | ParseProblem]); FileProblem if the file cannot be read."""
    fmt = format_detect(data=data, filename=filename) if format == "auto" else format
    if fmt not in READERS:
        raise FileProblem(_("Định dạng “%(f)s” không được hỗ trợ.") % {"f": fmt})
    if not data.strip():
        raise FileProblem(_("Tệp trống."))
    if len(data) > MAX_FILE_BYTES:
        raise FileProblem(_("Tệp quá lớn (tối đa %(mb)s MB).") % {"mb": MAX_FILE_BYTES // (1024 * 1024)})
    return fmt, READERS[fmt](data)


def _competence_index(codes: set[str]) -> dict[str, Competence]:
    frameworks = {c.split(QUALIFIER, 1)[0] for c in codes if QUALIFIER in c}
    found = Competence.objects.select_related("framework").filter(framework__code__in=frameworks)
    return {c.qualified_code: c for c in found if c.qualified_code in codes}


class _Categories:
    """Get or create categories by path (under `base`), remembering what it made."""

    def __init__(self, base: QuestionCategory | None):
        self.base = base
        self.cache: dict[tuple[str, ...], QuestionCategory | None] = {(): base}

    def get(self, path: tuple[str, ...]) -> QuestionCategory:
        if not path and self.base is None:
            path = DEFAULT_CATEGORY
        if path in self.cache and self.cache[path] is not None:
            return self.cache[path]  # type: ignore[return-value]
        parent = self.get(path[:-1]) if len(path) > 1 else self.base
        found = QuestionCategory.objects.filter(parent=parent, name=path[-1]).first()
        if found is None:
            found = services.category_create(name=path[-1], parent=parent)
        self.cache[path] = found
        return found


def _messages(exc: ValidationError) -> str:
    if not hasattr(exc, "message_dict"):
        return " ".join(exc.messages)
    parts = []
    for name, msgs in exc.message_dict.items():
        try:
            label = str(Question._meta.get_field(name).verbose_name)
        except Exception:  # not a Question field (a choice's, or __all__)
            label = ""
        text = " ".join(msgs)
        parts.append(f"{label[:1].upper()}{label[1:]}: {text}" if label else text)
    return " ".join(parts)


class _Rollback(Exception):
    pass


def questions_import(
    *,
    data: bytes,
    format: str = "auto",
    filename: str = "",
    base_category: QuestionCategory | None = None,
    mode: str = "all_or_nothing",
    dry_run: bool = False,
) -> ImportReport:
    """Import a question file; return the report (see the module docstring for the
    rules). Categories named in the file are created under `base_category` (or at the
    root); a question without one goes into `base_category` or "Câu hỏi nhập từ tệp".
    Competence codes must exist ("digcomp-2.2:4.2"), or the question is invalid."""
    if mode not in MODES:
        raise ValueError(mode)
    report = ImportReport(mode=mode, dry_run=dry_run)
    try:
        report.format, parsed = questions_parse(data=data, format=format, filename=filename)
    except FileProblem as exc:
        report.file_error = str(exc)
        return report
    if not parsed:
        report.file_error = _("Tệp không có câu hỏi nào.")
        return report
    codes = {c for q in parsed if isinstance(q, QuestionData) for c in q.competences}
    competences = _competence_index(codes)
    try:
        with transaction.atomic():
            categories = _Categories(base_category)
            for item in parsed:
                if isinstance(item, ParseProblem):
                    report.rows.append(ReportRow(item.location, item.title, False, item.reason))
                    continue
                report.rows.append(_import_one(item, categories, competences))
            report.written = sum(1 for r in report.rows if r.ok)
            if dry_run or (mode == "all_or_nothing" and report.invalid) or not report.written:
                raise _Rollback
    except _Rollback:
        report.written = 0
        for row in report.rows:
            row.question_id = None
    return report


def _import_one(item: QuestionData, categories: _Categories, competences: dict[str, Competence]) -> ReportRow:
    row = ReportRow(item.location, item.label, False)
    unknown = [c for c in item.competences if c not in competences]
    if unknown:
        row.reason = _("Không có năng lực mã: %(codes)s.") % {"codes": ", ".join(unknown)}
        return row
    if item.type not in T.values:
        row.reason = _("Loại câu hỏi không hợp lệ.")
        return row
    known = set(categories.cache)
    try:
        with transaction.atomic():
            question = services.question_create(
                category=categories.get(item.category),
                competences=[competences[c] for c in item.competences],
                **question_create_kwargs(item),
            )
    except (ValidationError, DatabaseError, ArithmeticError, TypeError, ValueError) as exc:
        # Categories made in the rolled-back savepoint are gone: forget them.
        for path in set(categories.cache) - known:
            del categories.cache[path]
        if isinstance(exc, ValidationError):
            row.reason = _messages(exc)
        else:
            row.reason = _("Không ghi được câu hỏi: %(e)s") % {"e": str(exc)[:200]}
        return row
    row.ok, row.question_id = True, question.pk
    return row


def questions_for_export(
    *, category: QuestionCategory | None = None, active_only: bool = True
) -> list[QuestionData]:
    """The neutral shape of the bank's questions (of `category` and its sub-categories),
    latest versions only unless `active_only` is False, in category then id order."""
    questions = Question.objects.prefetch_related(
        *services.key_prefetches(), "competences__framework"
    ).order_by("category_id", "id")
    if category is not None:
        questions = questions.filter(category_id__in=services.category_descendant_ids(category=category))
    if active_only:
        questions = questions.filter(is_active=True)
    paths = category_paths()
    data = [question_data_from_model(q, paths=paths) for q in questions]
    return sorted(data, key=lambda q: q.category)  # stable: keeps id order inside a category


def questions_export(*, format: str, category: QuestionCategory | None = None) -> bytes:
    """The bank (or one category and its sub-categories) as a file in `format`."""
    if format not in WRITERS:
        raise ValueError(format)
    return WRITERS[format](questions_for_export(category=category))


def export_filename(*, format: str, category: QuestionCategory | None = None) -> str:
    base = "cau-hoi" if category is None else f"cau-hoi-nhom-{category.pk}"
    return f"{base}.{EXTENSIONS[format]}"


def category_by_path(*, path: str, create: bool = False) -> QuestionCategory | None:
    """The category at "A/B" from the root (created if asked); None if there is none."""
    from .neutral import split_path

    parts = split_path(path)
    parent = None
    for name in parts:
        found = QuestionCategory.objects.filter(parent=parent, name=name).first()
        if found is None:
            if not create:
                return None
            found = services.category_create(name=name, parent=parent)
        parent = found
    return parent


PENDING_DIR = "quiz-imports"


def pending_imports_sweep(*, older_than: datetime.timedelta = datetime.timedelta(days=1)) -> int:
    """Delete uploaded files that were previewed but never confirmed (the staff page
    keeps a file in storage between the preview and the confirmation), once older than
    `older_than`. Returns how many were deleted. Idempotent."""
    from django.core.files.storage import default_storage

    try:
        _dirs, files = default_storage.listdir(PENDING_DIR)
    except FileNotFoundError:
        return 0
    limit = timezone.now() - older_than
    deleted = 0
    for name in files:
        path = f"{PENDING_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < limit:
                default_storage.delete(path)
                deleted += 1
        except (FileNotFoundError, NotImplementedError):
            continue
    return deleted
