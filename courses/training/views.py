"""Pages of mandatory training: the civil servant's "my required training" and the
training manager's pages under /boi-duong/quan-ly/. Views parse, check scope, call one
service or selector; scope always through managed_agencies (lms.accounts selectors).

Not a manager: 403. An object outside the manager's agencies: 404 (its existence is
not disclosed).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from courses.models import CoursePage
from lms import audit
from lms.accounts.models import User
from lms.accounts.phone import phone_to_e164

from . import forms, imports, selectors, services
from .models import PlanAssignment, Position, PositionTarget, TrainingPlan

PER_PAGE = 50


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _manager(request: HttpRequest):
    """None when the user may manage training; a login redirect for visitors; else 403."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not selectors.is_training_manager(user=request.user):
        raise PermissionDenied(_("Bạn không có quyền quản lý bồi dưỡng."))
    return None


def _agencies(request):
    return list(selectors.managed_agencies(user=request.user).order_by("path")[:500])


def _managed_agency(request, agency_id) -> object:
    agency = selectors.managed_agencies(user=request.user).filter(pk=agency_id).first()
    if agency is None:
        raise Http404
    return agency


def _add_form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- Manager: hub and staff ------------------------------------------------------------------


def manage_home(request: HttpRequest) -> HttpResponse:
    refused = _manager(request)
    if refused:
        return refused
    return render(request, "training/manage_home.html", {})


@audit.audited(purpose="Quản lý bồi dưỡng cán bộ, công chức")
def staff_list(request: HttpRequest) -> HttpResponse:
    refused = _manager(request)
    if refused:
        return refused
    agencies = _agencies(request)
    form = forms.StaffFilterForm(request.GET or None, agencies=agencies)
    filters = form.cleaned_data if form.is_valid() else {}
    agency = None
    if filters.get("agency"):
        agency = _managed_agency(request, filters["agency"])
    staff = selectors.staff_visible_to(
        user=request.user, agency=agency, q=filters.get("q", ""), category=filters.get("category", "")
    )
    page = Paginator(staff, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "training/staff_list.html",
        {
            "form": form,
            "staff_page": page,
            "query": query.urlencode(),
        },
    )


@audit.audited(purpose="Quản lý bồi dưỡng cán bộ, công chức", target=("accounts.user", "user_id"))
@require_http_methods(["GET", "POST"])
def staff_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    """One person: employment history, assignments; move or end the employment."""
    refused = _manager(request)
    if refused:
        return refused
    from .models import Employment

    managed = selectors.managed_agencies(user=request.user)
    history = list(Employment.objects.filter(user_id=user_id).select_related("agency", "position", "user"))
    current = next((e for e in history if e.valid_to is None or e.valid_to >= timezone.localdate()), None)
    if current is None or not managed.filter(pk=current.agency_id).exists():
        raise Http404
    person = current.user
    agencies = _agencies(request)
    positions = Position.objects.filter(agency__in=managed).order_by("name")
    move_form = forms.MoveForm(
        prefix="move",
        agencies=agencies,
        positions=positions,
        initial={"category": current.category, "on": timezone.localdate()},
    )
    end_form = forms.EndForm(prefix="end", initial={"on": timezone.localdate()})
    status = 200
    if request.method == "POST":
        status = 400
        action = request.POST.get("action")
        if action == "move":
            move_form = forms.MoveForm(request.POST, prefix="move", agencies=agencies, positions=positions)
            if move_form.is_valid():
                data = move_form.cleaned_data
                try:
                    services.employment_move(
                        user=person,
                        agency=_managed_agency(request, data["agency"]),
                        position=positions.filter(pk=data["position"]).first() if data["position"] else None,
                        category=data["category"],
                        on=data["on"],
                        by=request.user,
                    )
                except ValidationError as exc:
                    _add_form_errors(move_form, exc)
                else:
                    messages.success(request, _("Đã ghi nhận chuyển công tác."))
                    return redirect("training:person", user_id=person.pk)
        elif action == "end":
            end_form = forms.EndForm(request.POST, prefix="end")
            if end_form.is_valid():
                try:
                    services.employment_end(employment=current, on=end_form.cleaned_data["on"])
                except ValidationError as exc:
                    _add_form_errors(end_form, exc)
                else:
                    messages.success(request, _("Đã ghi nhận kết thúc công tác."))
                    return redirect("training:staff")
    assignments = PlanAssignment.objects.filter(user=person, agency__in=managed).select_related(
        "plan", "agency"
    )
    return render(
        request,
        "training/staff_detail.html",
        {
            "person": person,
            "current": current,
            "history": history,
            "assignments": assignments,
            "move_form": move_form,
            "end_form": end_form,
        },
        status=status,
    )


@audit.audited(purpose="Nhập danh sách cán bộ, công chức", methods=("POST",))
@require_http_methods(["GET", "POST"])
def staff_import(request: HttpRequest) -> HttpResponse:
    """Upload → preview of every row → confirm (all or nothing) → report."""
    refused = _manager(request)
    if refused:
        return refused
    context = {"form": forms.UploadForm()}
    if request.method == "POST" and "payload" in request.POST:
        try:
            rows = imports.payload_load(payload=request.POST["payload"], manager=request.user)
        except ValidationError as exc:
            context["error"] = _error_text(exc)
            return render(request, "training/staff_import.html", context, status=400)
        report = imports.staff_import_apply(rows=rows, manager=request.user)
        context.update({"report": report, "done": report.written})
        return render(request, "training/staff_import.html", context, status=200 if report.written else 400)
    if request.method == "POST":
        form = forms.UploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                rows = imports.staff_file_parse(
                    data=upload.read(imports.MAX_FILE_BYTES + 1), filename=upload.name
                )
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                report = imports.staff_rows_check(rows=rows, manager=request.user)
                context.update({"report": report, "previewing": True})
                if report.ok:
                    context["payload"] = imports.payload_dump(rows=rows, manager=request.user)
                return render(request, "training/staff_import.html", context)
        return render(request, "training/staff_import.html", context, status=400)
    return render(request, "training/staff_import.html", context)


# --- Manager: positions and their targets ----------------------------------------------------


@require_http_methods(["GET", "POST"])
def position_list(request: HttpRequest) -> HttpResponse:
    refused = _manager(request)
    if refused:
        return refused
    agencies = _agencies(request)
    form = forms.PositionForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        agency = _managed_agency(request, form.cleaned_data["agency"])
        try:
            services.position_create(
                agency=agency, code=form.cleaned_data["code"], name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            _add_form_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm chức danh."))
            return redirect("training:positions")
    positions = (
        Position.objects.filter(agency__in=selectors.managed_agencies(user=request.user))
        .select_related("agency")
        .order_by("agency__name", "name")
    )
    page = Paginator(positions, PER_PAGE).get_page(request.GET.get("page"))
    status = 400 if request.method == "POST" else 200
    return render(request, "training/positions.html", {"form": form, "positions_page": page}, status=status)


def _managed_position(request, position_id) -> Position:
    position = (
        Position.objects.filter(pk=position_id, agency__in=selectors.managed_agencies(user=request.user))
        .select_related("agency")
        .first()
    )
    if position is None:
        raise Http404
    return position


@require_http_methods(["GET", "POST"])
def position_detail(request: HttpRequest, position_id: int) -> HttpResponse:
    refused = _manager(request)
    if refused:
        return refused
    position = _managed_position(request, position_id)
    form = forms.TargetForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        try:
            services.position_target_set(
                position=position,
                year=form.cleaned_data["year"],
                levels=form.cleaned_data["levels"],
                by=request.user,
            )
        except ValidationError as exc:
            _add_form_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu yêu cầu năng lực."))
            return redirect("training:position", position_id=position.pk)
    targets = (
        PositionTarget.objects.filter(position=position)
        .select_related("profile")
        .prefetch_related("profile__levels__competence__framework")
    )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "training/position_detail.html",
        {"position": position, "targets": targets, "form": form},
        status=status,
    )


# --- Manager: plans ----------------------------------------------------------------------------


def _courses():
    return list(CoursePage.objects.live().order_by("title").only("id", "title")[:300])


def plan_list(request: HttpRequest) -> HttpResponse:
    refused = _manager(request)
    if refused:
        return refused
    page = Paginator(selectors.plans_visible_to(user=request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "training/plans.html", {"plans_page": page})


@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    refused = _manager(request)
    if refused:
        return refused
    agencies = _agencies(request)
    positions = Position.objects.filter(agency__in=selectors.managed_agencies(user=request.user)).order_by(
        "name"
    )
    today = timezone.localdate()
    form = forms.PlanForm(
        request.POST or None,
        agencies=agencies,
        courses=_courses(),
        positions=positions,
        initial={"year": today.year},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        agency = _managed_agency(request, data["agency"])
        try:
            plan = services.plan_create(
                name=data["name"],
                year=data["year"],
                agency=agency,
                deadline=data["deadline"],
                courses=CoursePage.objects.filter(pk__in=data["courses"]),
                competence_levels=data["levels"],
                positions=positions.filter(pk__in=data["positions"]),
                categories=data["categories"],
                recurs_yearly=data["recurs_yearly"],
                created_by=request.user,
            )
        except ValidationError as exc:
            _add_form_errors(form, exc)
        else:
            messages.success(
                request, _("Đã tạo kế hoạch và giao cho %(n)s người.") % {"n": plan.assignments.count()}
            )
            return redirect("training:plan", plan_id=plan.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "training/plan_form.html", {"form": form}, status=status)


def _visible_plan(request, plan_id) -> TrainingPlan:
    plan = selectors.plans_visible_to(user=request.user).filter(pk=plan_id).first()
    if plan is None:
        raise Http404
    return plan


def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    refused = _manager(request)
    if refused:
        return refused
    plan = _visible_plan(request, plan_id)
    status = request.GET.get("status", "")
    if status not in PlanAssignment.Status.values:
        status = ""
    overdue = request.GET.get("overdue") == "1"
    rows = selectors.plan_assignments_visible_to(user=request.user, plan=plan, status=status, overdue=overdue)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "training/plan_detail.html",
        {
            "plan": plan,
            "rows_page": page,
            "status": status,
            "overdue": overdue,
            "query": query.urlencode(),
            "statuses": PlanAssignment.Status.choices,
            "now": timezone.now(),
            "courses": plan.courses.all().only("id", "title"),
            "levels": plan.competence_levels.select_related("competence", "competence__framework"),
        },
    )


def plan_export(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The plan's assignments in the manager's agencies as XLSX (same rows as the page)."""
    refused = _manager(request)
    if refused:
        return refused
    from .exports import plan_assignments_xlsx

    plan = _visible_plan(request, plan_id)
    rows = selectors.plan_assignments_visible_to(user=request.user, plan=plan)
    response = HttpResponse(
        plan_assignments_xlsx(plan=plan, rows=rows, now=timezone.now()),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="ke-hoach-{plan.pk}.xlsx"'
    return response


def _visible_assignment(request, plan_id, assignment_id) -> PlanAssignment:
    plan = _visible_plan(request, plan_id)
    assignment = (
        selectors.plan_assignments_visible_to(user=request.user, plan=plan).filter(pk=assignment_id).first()
    )
    if assignment is None:
        raise Http404
    return assignment


@require_http_methods(["GET", "POST"])
def assignment_detail(request: HttpRequest, plan_id: int, assignment_id: int) -> HttpResponse:
    """One person's assignment: exemption and extension forms (each with a reason)."""
    refused = _manager(request)
    if refused:
        return refused
    assignment = _visible_assignment(request, plan_id, assignment_id)
    exempt_form = forms.ExemptForm(prefix="exempt")
    extend_form = forms.ExtendForm(prefix="extend")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "exempt":
                exempt_form = forms.ExemptForm(request.POST, prefix="exempt")
                if exempt_form.is_valid():
                    services.assignment_exempt(
                        assignment=assignment, reason=exempt_form.cleaned_data["reason"], by=request.user
                    )
                    messages.success(request, _("Đã ghi nhận miễn."))
                    return redirect("training:assignment", plan_id=plan_id, assignment_id=assignment.pk)
            elif action == "revoke":
                services.assignment_exempt_revoke(assignment=assignment, by=request.user)
                messages.success(request, _("Đã bỏ miễn."))
                return redirect("training:assignment", plan_id=plan_id, assignment_id=assignment.pk)
            elif action == "extend":
                extend_form = forms.ExtendForm(request.POST, prefix="extend")
                if extend_form.is_valid():
                    services.assignment_extend(
                        assignment=assignment,
                        until=extend_form.cleaned_data["until"],
                        reason=extend_form.cleaned_data["reason"],
                        by=request.user,
                    )
                    messages.success(request, _("Đã gia hạn."))
                    return redirect("training:assignment", plan_id=plan_id, assignment_id=assignment.pk)
        except ValidationError as exc:
            target = exempt_form if action == "exempt" else extend_form
            _add_form_errors(target, exc) if action != "revoke" else messages.error(request, _error_text(exc))
        status = 400
    return render(
        request,
        "training/assignment_detail.html",
        {
            "assignment": assignment,
            "exempt_form": exempt_form,
            "extend_form": extend_form,
        },
        status=status,
    )


# --- Manager: in-person sessions -------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest) -> HttpResponse:
    refused = _manager(request)
    if refused:
        return refused
    agencies = _agencies(request)
    form = forms.SessionForm(request.POST or None, agencies=agencies, courses=_courses())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        agency = _managed_agency(request, data["agency"])
        people, unknown = [], []
        for key in data["attendees"]:
            user = None
            if "@" in key:
                user = User.objects.filter(email__iexact=key).first()
            else:
                try:
                    user = User.objects.filter(phone=phone_to_e164(key)).first()
                except ValidationError:
                    user = None
            (people.append(user) if user else unknown.append(key))
        if unknown:
            form.add_error("attendees", _("Không tìm thấy: %(k)s.") % {"k": ", ".join(unknown)})
        else:
            try:
                session = services.session_record(
                    agency=agency,
                    course=get_object_or_404(CoursePage, pk=data["course"]),
                    date=data["date"],
                    place=data["place"],
                    trainer=data["trainer"],
                    attendees=people,
                    by=request.user,
                )
            except ValidationError as exc:
                _add_form_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Đã ghi nhận buổi học với %(n)s người tham dự.") % {"n": session.attendance.count()},
                )
                return redirect("training:session_new")
    status = 400 if request.method == "POST" else 200
    return render(request, "training/session_form.html", {"form": form}, status=status)


# --- Civil servant: my required training -------------------------------------------------------


def my_training(request: HttpRequest) -> HttpResponse:
    """What is required of me, by when, what is done; my profile against my position's
    target and courses for the gaps."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    from .selectors import my_training_context

    return render(request, "training/my_training.html", my_training_context(user=request.user))


def my_certificate(request: HttpRequest, code: str) -> HttpResponse:
    """The PDF of one's own certificate (anyone else's: 404)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    from .certificates import certificate_pdf
    from .models import TrainingCertificate

    certificate = get_object_or_404(TrainingCertificate, code=code, assignment__user=request.user)
    response = HttpResponse(certificate_pdf(certificate=certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="chung-nhan-{certificate.code}.pdf"'
    return response
