"""Public browsing of competence frameworks, the self-assessment, the profile, and staff
recording evidence (no JavaScript, phone first)."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lms import audit

from . import scoring, selectors, services
from .forms import EvidenceCorrectionForm, EvidenceRecognitionForm
from .models import Evidence, SelfAssessment
from .recommendations import recommendations_for

PAGE_SIZE = 20
access_log = logging.getLogger("assessments.access")


def framework_list(request):
    page = Paginator(selectors.frameworks_public(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "assessments/framework_list.html", {"page": page})


def framework_detail(request, code: str):
    framework = selectors.framework_by_ref(ref=code)
    if framework is None or code.isdigit():
        raise Http404
    outline = selectors.framework_outline(framework=framework)
    try:
        case_url = reverse("api:framework_case", args=[framework.code])
    except NoReverseMatch:  # the API router is not mounted (a bare test URLconf)
        case_url = ""
    return render(request, "assessments/framework_detail.html",
                  {"outline": outline, "framework": framework, "case_url": case_url})


# --- Self-assessment and the competence profile (signed-in people) ----------------------




def _instrument_or_404():
    instrument = selectors.instrument_current()
    if instrument is None:
        raise Http404(_("Chưa có bộ công cụ tự đánh giá."))
    return instrument


@login_required
@require_http_methods(["GET", "POST"])
def selfassessment_start(request):
    """Intro page; POST starts (or resumes) the person's run and goes to the first step
    that is not fully answered."""
    instrument = _instrument_or_404()
    run = selectors.selfassessment_open(person=request.user, instrument=instrument)
    if request.method == "POST":
        run = services.selfassessment_start(person=request.user, instrument=instrument)
        progress = selectors.selfassessment_progress(run=run)
        step = progress["next_step"] or instrument.steps[-1]["code"]
        return redirect("assessments:selfassessment_step", step=step)
    progress = selectors.selfassessment_progress(run=run) if run else None
    latest = selectors.selfassessment_latest(person=request.user)
    return render(request, "assessments/selfassessment_start.html", {
        "instrument": instrument, "run": run, "progress": progress, "latest": latest,
        "item_count": instrument.items.count(),
    })


def _answers_from_post(post, step_view) -> dict[str, str]:
    answers = {}
    for item in step_view.items:
        value = post.get(f"item-{item.code}")
        if value:
            answers[item.code] = value
    return answers


@login_required
@require_http_methods(["GET", "POST"])
def selfassessment_step(request, step: str):
    """One area per page. POST saves what was answered (even when going back), then moves
    on; a step with unanswered items is shown again with a message (400)."""
    instrument = _instrument_or_404()
    run = selectors.selfassessment_open(person=request.user, instrument=instrument)
    if run is None:
        return redirect("assessments:selfassessment_start")
    step_view = selectors.selfassessment_step(run=run, step=step)
    if step_view is None:
        raise Http404(_("Không có bước này."))
    steps = instrument.steps
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "next")
        try:
            missing = services.selfassessment_answers_save(
                run=run, step=step, answers=_answers_from_post(request.POST, step_view))
        except ValidationError as exc:
            errors, missing, status = exc.messages, [], 400
        if not errors:
            index = step_view.number - 1
            if action == "back" and index > 0:
                return redirect("assessments:selfassessment_step", step=steps[index - 1]["code"])
            if action == "save":
                return redirect("assessments:selfassessment_start")
            if missing:
                message = _("Hãy chọn một câu trả lời cho mỗi câu (còn %(n)s câu).") % {"n": len(missing)}
                errors, status = [message], 400
            elif index + 1 < len(steps):
                return redirect("assessments:selfassessment_step", step=steps[index + 1]["code"])
            else:
                try:
                    run = services.selfassessment_complete(run=run)
                except ValidationError as exc:
                    errors, status = exc.messages, 400
                else:
                    return redirect("assessments:selfassessment_result", pk=run.pk)
        step_view = selectors.selfassessment_step(run=run, step=step)
        # Keep what was just clicked visible even when nothing could be saved.
        for item in step_view.items:
            if item.pk not in step_view.answered and request.POST.get(f"item-{item.code}"):
                step_view.answered[item.pk] = request.POST.get(f"item-{item.code}")
    for item in step_view.items:
        item.chosen = step_view.answered.get(item.pk)
    return render(request, "assessments/selfassessment_step.html", {
        "instrument": instrument, "run": run, "step": step_view, "steps": steps, "errors": errors,
        "total": len(steps), "is_last": step_view.number == len(steps),
        "percent": round(100 * (step_view.number - 1) / len(steps)),
    }, status=status)


def _result_context(run: SelfAssessment) -> dict:
    rules = run.instrument.scoring
    language = get_language() or "vi"
    result = run.result
    english = language.startswith("en")
    titles = {s["area"]: (s.get("title_en") if english and s.get("title_en") else s["title_vi"])
              for s in run.instrument.steps}
    areas = []
    for code, data in result.get("areas", {}).items():
        areas.append({
            "code": code, "title": titles.get(code, code), "score": data["score"],
            "skill": scoring.label(rules["area_skill_levels"], data["skill"], language),
            "beside": code not in result.get("overall_areas", []),
        })
    competences = [
        {"code": code, "score": data["score"], "level": data["level"],
         "band": scoring.label(rules["competence_bands"], data["band"], language)}
        for code, data in result.get("competences", {}).items()
    ]
    return {
        "run": run, "areas": areas, "competences": competences,
        "overall": scoring.overall_label(rules, result.get("overall", "none"), language),
        "overall_code": result.get("overall"), "at_least_basic": result.get("areas_at_least_basic", 0),
        "overall_count": len(result.get("overall_areas", [])),
    }


@login_required
def selfassessment_result(request, pk: int):
    run = get_object_or_404(SelfAssessment.objects.select_related("instrument"),
                            pk=pk, person=request.user, completed_at__isnull=False)
    return render(request, "assessments/selfassessment_result.html", {"result": _result_context(run)})


@login_required
def competence_profile(request):
    """“Hồ sơ năng lực của tôi”: per area a chart and a table; every level explains
    itself; gaps against the target profile chosen with ?muc-tieu=<code>."""
    targets = list(selectors.target_profiles())
    target = None
    chosen = request.GET.get("muc-tieu", "")
    if chosen:
        target = next((t for t in targets if t.code == chosen), None)
        if target is None:
            return render(request, "assessments/profile.html", {
                "error": _("Không có hồ sơ yêu cầu “%(code)s”.") % {"code": chosen}, "targets": targets,
            }, status=400)
    profile = selectors.competence_profile(person=request.user, target=target)
    recommendations = recommendations_for(person=request.user, gaps=profile.gaps)
    main = [a for a in profile.areas if not a.beside]
    beside = [a for a in profile.areas if a.beside]
    return render(request, "assessments/profile.html", {
        "profile": profile, "main_areas": main, "beside_areas": beside, "targets": targets,
        "target": target, "recommendations": recommendations,
        "latest": _result_context(profile.latest) if profile.latest else None,
        "cap": selectors.SELF_ASSESSED_CAP,
    })



# --- Staff: recognise and correct evidence ---------------------------------------------------


def _staff_or_403(request) -> None:
    if not selectors.evidence_staff_scope(staff=request.user):
        raise PermissionDenied


def _person_in_scope_or_404(request, person_id: int):
    person = selectors.evidence_people_for_staff(staff=request.user).filter(pk=person_id).first()
    if person is None:  # out of scope or unknown: the same answer, nothing is told
        raise Http404
    return person


@audit.audited(purpose="Ghi nhận và sửa minh chứng năng lực")
@login_required
def staff_evidence_people(request):
    """Staff look up a person (within their scope) to record evidence for."""
    _staff_or_403(request)
    query = request.GET.get("q", "").strip()[:100]
    people = selectors.evidence_people_for_staff(staff=request.user, query=query)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(request, "assessments/staff/evidence_people.html", {
        "page": page, "query": query, "scope": selectors.evidence_staff_scope(staff=request.user),
    })


@audit.audited(purpose="Ghi nhận và sửa minh chứng năng lực", target=("accounts.user", "person_id"))
@login_required
@require_http_methods(["GET", "POST"])
def staff_evidence_person(request, person_id: int):
    """A person's evidence, every record with who recorded it; a form to record that
    staff recognise a competence at a level."""
    _staff_or_403(request)
    person = _person_in_scope_or_404(request, person_id)
    form = EvidenceRecognitionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.evidence_recognise(
                    staff=request.user, person=person, competence=data["competence"],
                    level=data["level"], date=data["date"], note=data["note"], url=data["url"],
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(request, _("Đã ghi nhận minh chứng."))
                return redirect("assessments:staff_evidence_person", person_id=person.pk)
        status = 400
    access_log.info("evidence of person %s viewed by %s", person.pk, request.user.pk)
    return render(request, "assessments/staff/evidence_person.html", {
        "person": person, "records": selectors.evidence_of_person(person=person), "form": form,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def staff_evidence_correct(request, evidence_id: int):
    """Correct one record: a new record that supersedes it (never an edit)."""
    _staff_or_403(request)
    evidence = get_object_or_404(
        Evidence.objects.select_related("competence__framework", "recorded_by"), pk=evidence_id)
    person = _person_in_scope_or_404(request, evidence.person_id)
    latest = evidence.corrections.order_by("-created_at").first()
    initial = {"level": evidence.level, "url": evidence.url}
    form = EvidenceCorrectionForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and latest is None:
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.evidence_correct(staff=request.user, evidence=evidence, level=data["level"],
                                          date=data["date"], note=data["note"], url=data["url"])
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(
                    request, _("Đã ghi bản sửa; minh chứng cũ vẫn được lưu và không còn được tính."))
                return redirect("assessments:staff_evidence_person", person_id=person.pk)
        status = 400
    return render(request, "assessments/staff/evidence_correct.html", {
        "person": person, "evidence": evidence, "latest": latest, "form": form,
    }, status=status)
