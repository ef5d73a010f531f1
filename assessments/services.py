"""Writes for self-assessment and evidence.

`evidence_record` is the one door through which any app says something about a
person's competence (quizzes, courses, community visits, staff). Evidence is never edited
or deleted here: a correction is a new record naming the one it corrects.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from . import scoring
from .models import QUALIFIER, Competence, Evidence, Instrument, Item, SelfAssessment, SelfAssessmentAnswer
from .selfassessment_loading import area_code_of

SELF_ASSESSMENT_SOURCE = "assessments.selfassessment"
# Stored in Vietnamese, translated when shown (assessments.labels.evidence_text).
SELF_ASSESSMENT_LABEL = gettext_noop("Tự đánh giá: %(title)s (phiên bản %(v)s)")
SELF_ASSESSMENT_NOTE = gettext_noop("Điểm %(score)s/100")


def competence_by_code(*, code: str) -> Competence:
    """`digcomp-2.2:4.2` → the competence, or a ValidationError in Vietnamese."""
    framework_code, sep, competence_code = (code or "").rpartition(QUALIFIER)
    competence = None
    if sep:
        competence = (
            Competence.objects.select_related("framework", "area")
            .filter(framework__code=framework_code, code=competence_code)
            .first()
        )
    if competence is None:
        raise ValidationError(
            _("Không có năng lực “%(code)s” (mã đầy đủ có dạng digcomp-2.2:4.2).") % {"code": code}
        )
    return competence


def evidence_record(
    *,
    person,
    level: int,
    method: str,
    competence_code: str = "",
    competence: Competence | None = None,
    date: dt.date | None = None,
    source_type: str = "",
    source_id: str | int = "",
    source_label: str = "",
    note: str = "",
    recorded_by=None,
    supersedes: Evidence | None = None,
    url: str = "",
) -> Evidence:
    """Record that `person` showed `competence` (or `competence_code`) at `level` (0–8).

    Rules: the competence must exist; the level is 0 ("below level 1") to 8; the method
    is one of Evidence.Method; the date defaults to today (local time) and may not be in
    the future; a correction (`supersedes`) must concern the same person and competence
    and may be made once per record. Nothing is ever overwritten.
    """
    if competence is None:
        competence = competence_by_code(code=competence_code)
    if method not in Evidence.Method.values:
        raise ValidationError(_("Cách ghi nhận “%(m)s” không hợp lệ.") % {"m": method})
    try:
        level = int(level)
    except (TypeError, ValueError):
        raise ValidationError(_("Bậc phải là số từ 0 đến 8.")) from None
    if not 0 <= level <= 8:
        raise ValidationError(_("Bậc phải là số từ 0 đến 8."))
    today = timezone.localdate()
    date = date or today
    if date > today:
        raise ValidationError(_("Ngày của minh chứng không được ở tương lai."))
    if supersedes is not None:
        if supersedes.person_id != person.pk or supersedes.competence_id != competence.pk:
            raise ValidationError(_("Minh chứng sửa phải cùng người và cùng năng lực với minh chứng gốc."))
        if supersedes.corrections.exists():
            raise ValidationError(_("Minh chứng này đã được sửa; hãy sửa bản mới nhất."))
    evidence = Evidence(
        person=person,
        competence=competence,
        level=level,
        method=method,
        date=date,
        source_type=source_type[:64],
        source_id=str(source_id)[:64],
        source_label=source_label[:255],
        note=note,
        url=(url or "").strip(),
        recorded_by=recorded_by,
        supersedes=supersedes,
    )
    evidence.full_clean()
    evidence.save()
    return evidence


# --- Staff: recognising and correcting evidence ----------------------------------------------

STAFF_SOURCE = "assessments.staff"


def _staff_check(*, staff, person) -> None:
    from .selectors import evidence_staff_may_record

    if staff.pk == person.pk:
        raise PermissionDenied(_("Bạn không thể tự ghi nhận hay sửa minh chứng năng lực của chính mình."))
    if not evidence_staff_may_record(staff=staff, person=person):
        raise PermissionDenied(_("Bạn không có quyền ghi nhận minh chứng cho người này."))


def evidence_recognise(
    *,
    staff,
    person,
    level: int,
    competence_code: str = "",
    competence: Competence | None = None,
    date: dt.date | None = None,
    note: str = "",
    url: str = "",
) -> Evidence:
    """Record that a member of staff recognises `person`'s competence at `level`
    (method "recognised_by_staff", recorded_by = staff).

    Rules: staff may record only for people in their scope (selectors.
    evidence_staff_may_record: content editors, platform administrators and superusers
    for anyone; training managers for the people of the agencies they see through
    agencies_visible_to) and never for themselves (PermissionDenied otherwise); the
    rules of evidence_record apply (level 0–8, no future date, a valid link)."""
    _staff_check(staff=staff, person=person)
    return evidence_record(
        person=person, competence=competence, competence_code=competence_code, level=level,
        method=Evidence.Method.RECOGNISED_BY_STAFF, date=date, source_type=STAFF_SOURCE,
        source_id=staff.pk, note=note.strip(), url=url, recorded_by=staff,
    )


def evidence_correct(
    *, staff, evidence: Evidence, level: int, note: str, date: dt.date | None = None, url: str = ""
) -> Evidence:
    """Correct a record by writing a new one that supersedes it; the old one is kept,
    unchanged, and shown as corrected.

    Rules: the scope rules of evidence_recognise; a reason (`note`) is required; only the
    latest version can be corrected, once (the row is locked, so two simultaneous
    corrections make one); the new record concerns the same person and competence, is
    "recognised_by_staff" (a member of staff now vouches for the level) and keeps the
    corrected record's link unless a new one is given."""
    if not (note or "").strip():
        raise ValidationError(_("Hãy ghi lý do sửa minh chứng."))
    with transaction.atomic():
        original = (
            Evidence.objects.select_for_update(of=("self",))
            .select_related("person", "competence")
            .get(pk=evidence.pk)
        )
        _staff_check(staff=staff, person=original.person)
        return evidence_record(
            person=original.person, competence=original.competence, level=level,
            method=Evidence.Method.RECOGNISED_BY_STAFF, date=date, source_type=STAFF_SOURCE,
            source_id=staff.pk, note=note.strip(), url=url or original.url, recorded_by=staff,
            supersedes=original,
        )


def selfassessment_start(*, person, instrument: Instrument) -> SelfAssessment:
    """The person's open run of `instrument`, created if there is none (one open run
    per person and instrument, backed by a constraint; a concurrent double start gets
    the same run)."""
    run = SelfAssessment.objects.filter(
        person=person, instrument=instrument, completed_at__isnull=True
    ).first()
    if run is not None:
        return run
    try:
        with transaction.atomic():
            return SelfAssessment.objects.create(person=person, instrument=instrument)
    except IntegrityError:
        return SelfAssessment.objects.get(person=person, instrument=instrument, completed_at__isnull=True)


def selfassessment_answers_save(*, run: SelfAssessment, step: str, answers: dict[str, str]) -> list[str]:
    """Save the answers of one step (`{item code: option code}`); return the codes of the
    step's items still unanswered.

    Rules: the run must be open; the step must exist; every item must belong to that
    step and every option to its item, otherwise nothing of the step is saved. A second
    save of an item replaces its answer (the latest click counts).
    """
    if run.completed_at is not None:
        raise ValidationError(_("Lượt tự đánh giá này đã hoàn thành; hãy bắt đầu lượt mới."))
    if step not in {s["code"] for s in run.instrument.steps}:
        raise ValidationError(_("Không có bước “%(step)s”.") % {"step": step})
    items = {
        i.code: i
        for i in Item.objects.filter(instrument=run.instrument, step=step).prefetch_related("options")
    }
    problems = []
    chosen = {}
    for item_code, option_code in answers.items():
        item = items.get(item_code)
        if item is None:
            problems.append(_("Câu “%(code)s” không thuộc bước này.") % {"code": item_code})
            continue
        option = next((o for o in item.options.all() if o.code == str(option_code)), None)
        if option is None:
            problems.append(
                _("Câu “%(code)s”: lựa chọn “%(opt)s” không hợp lệ.")
                % {"code": item_code, "opt": option_code}
            )
            continue
        chosen[item] = option
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        for item, option in chosen.items():
            SelfAssessmentAnswer.objects.update_or_create(run=run, item=item, defaults={"option": option})
        SelfAssessment.objects.filter(pk=run.pk).update(updated_at=timezone.now())
    answered = set(
        SelfAssessmentAnswer.objects.filter(run=run, item__step=step).values_list("item__code", flat=True)
    )
    return [code for code in items if code not in answered]


def selfassessment_score(*, run: SelfAssessment) -> dict:
    """Score the run's answers by its instrument's rules (assessments.scoring)."""
    instrument = run.instrument
    answers = {
        a.item_id: a.option for a in SelfAssessmentAnswer.objects.filter(run=run).select_related("option")
    }
    scale_max = max((int(s["value"]) for s in instrument.scale), default=3)
    scored = []
    for item in Item.objects.filter(instrument=instrument).select_related(
        "competence__framework", "competence__area"
    ):
        option = answers.get(item.pk)
        points = None
        if option is not None:
            points = scoring.item_points(
                kind=item.kind,
                value=option.value,
                scale_max=scale_max,
                correct=option.is_correct,
                rules=instrument.scoring,
            )
        scored.append(
            scoring.ScoredItem(
                code=item.code,
                competence=item.competence.qualified_code,
                area=area_code_of(item.competence),
                points=points,
            )
        )
    return scoring.score_items(rules=instrument.scoring, items=scored)


@transaction.atomic
def selfassessment_complete(*, run: SelfAssessment) -> SelfAssessment:
    """Finish a run: every item must be answered; the result (scores, bands, classes) is
    stored on the run and one self-assessed evidence record is written per competence,
    with the level read from the rules' `evidence_levels`. Completing twice changes
    nothing."""
    run = SelfAssessment.objects.select_for_update().select_related("instrument").get(pk=run.pk)
    if run.completed_at is not None:
        return run
    total = Item.objects.filter(instrument=run.instrument).count()
    answered = SelfAssessmentAnswer.objects.filter(run=run).count()
    if answered < total:
        raise ValidationError(_("Bạn còn %(n)s câu chưa trả lời.") % {"n": total - answered})
    result = selfassessment_score(run=run)
    run.result = result
    run.completed_at = timezone.now()
    run.save(update_fields=["result", "completed_at", "updated_at"])
    competences = {
        c.qualified_code: c
        for c in Competence.objects.filter(
            pk__in=Item.objects.filter(instrument=run.instrument).values("competence")
        ).select_related("framework")
    }
    label = SELF_ASSESSMENT_LABEL % {"title": run.instrument.title_vi, "v": run.instrument.version}
    for code, scored in result["competences"].items():
        if scored["level"] is None:
            continue
        evidence_record(
            person=run.person,
            competence=competences[code],
            level=scored["level"],
            method=Evidence.Method.SELF_ASSESSED,
            date=timezone.localdate(run.completed_at),
            source_type=SELF_ASSESSMENT_SOURCE,
            source_id=run.pk,
            source_label=label,
            note=SELF_ASSESSMENT_NOTE % {"score": scored["score"]},
        )
    return run
