"""Pages of community teams: commune officers set up teams; team members keep their
village's household register, log visits online and manage their devices.

Views parse input, check scope (through selectors) and call one service.
"""

import base64
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lms import audit
from lms.accounts.models import RoleAssignment
from lms.core.spreadsheets import export_row, table_read
from lms.places.models import AdministrativeUnit

from . import selectors, services
from .forms import (
    AssistedEnrolForm,
    HouseholdForm,
    ImportForm,
    MemberAddForm,
    ResidentForm,
    TeamForm,
    VisitForm,
)
from .imports import _find_user, team_import
from .models import Device, Resident, Team
from .sync import visit_batch_sync

PAGE_SIZE = 25
# Who looked at which household's personal data (DESIGN.md: access to personal data is logged).
access_log = logging.getLogger("community_teams.access")

# Why these pages show people (the audit log records each opening: lms.audit).
TEAM_PURPOSE = "Quản lý tổ công nghệ số cộng đồng của xã"
HOUSEHOLD_PURPOSE = "Hỗ trợ hộ gia đình trong thôn của tổ"


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _forbidden(request, message: str = ""):
    return render(request, "community_teams/forbidden.html", {"message": message}, status=403)


@login_required
def home(request):
    """Team members go to their register, commune officers to their teams."""
    if selectors.member_villages(user=request.user):
        return redirect("community_teams:household_list")
    if selectors.communes_for_officer(user=request.user).exists():
        return redirect("community_teams:commune_list")
    return _forbidden(request, _("Trang này dành cho tổ công nghệ số cộng đồng và cán bộ xã."))


# --- Commune officers: teams --------------------------------------------------------------


def _commune(request, commune_id: int) -> AdministrativeUnit:
    commune = get_object_or_404(
        AdministrativeUnit.objects.select_related("parent"), pk=commune_id, level="commune"
    )
    try:
        services.require_commune_officer(user=request.user, commune=commune)
    except PermissionDenied as exc:
        raise _Forbidden(str(exc)) from exc
    return commune


class _Forbidden(Exception):
    pass


def _guarded(view):
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _Forbidden as exc:
            return _forbidden(request, str(exc))

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return login_required(wrapped)


@login_required
def commune_list(request):
    communes = selectors.communes_for_officer(user=request.user).select_related("parent").order_by("name")
    page = Paginator(communes, PAGE_SIZE).get_page(request.GET.get("page"))
    if page.paginator.count == 1:
        return redirect("community_teams:team_list", page.object_list[0].pk)
    return render(request, "community_teams/commune_list.html", {"page": page})


@_guarded
def team_list(request, commune_id: int):
    commune = _commune(request, commune_id)
    teams = selectors.teams_of_commune(commune=commune)
    with_team = {t.village_id for t in teams if t.active}
    villages_without = (
        AdministrativeUnit.objects.filter(parent=commune, level="village")
        .exclude(pk__in=with_team)
        .order_by("name")
    )
    return render(
        request,
        "community_teams/team_list.html",
        {"commune": commune, "teams": teams, "villages_without": villages_without},
    )


@audit.audited(purpose=TEAM_PURPOSE, target=("places.administrativeunit", "commune_id"))
@_guarded
def team_export(request, commune_id: int):
    """The commune's teams as XLSX, in the columns the import reads."""
    from openpyxl import Workbook

    commune = _commune(request, commune_id)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "to-cong-nghe-so"
    for row in selectors.teams_export_rows(commune=commune):
        sheet.append(export_row(row, xlsx=True))
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="to-cong-nghe-so-{commune.pk}.xlsx"'
    workbook.save(response)
    return response


@_guarded
def team_create(request, commune_id: int):
    commune = _commune(request, commune_id)
    villages = AdministrativeUnit.objects.filter(parent=commune, level="village").order_by("name")
    initial = {"village": request.GET.get("village")}
    form = TeamForm(request.POST or None, villages=villages, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Đã thành lập tổ. Hãy thêm thành viên và tổ trưởng."))
            return redirect("community_teams:team_detail", team.pk)
    return render(request, "community_teams/team_form.html", {"commune": commune, "form": form})


@audit.audited(purpose=TEAM_PURPOSE, target=("community_teams.team", "team_id"))
@_guarded
def team_detail(request, team_id: int):
    team = get_object_or_404(Team.objects.select_related("village__parent__parent"), pk=team_id)
    commune = _commune(request, team.village.parent_id)
    form = TeamForm(
        request.POST if request.POST.get("action") == "edit" else None,
        editing=True,
        initial={
            "name": team.name,
            "decision_number": team.decision_number,
            "decision_date": team.decision_date,
            "active": team.active,
        },
    )
    member_form = MemberAddForm(request.POST if request.POST.get("action") == "add" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "edit" and form.is_valid():
                services.team_update(by=request.user, team=team, **form.cleaned_data)
                messages.success(request, _("Đã lưu thông tin tổ."))
                return redirect("community_teams:team_detail", team.pk)
            if action == "add" and member_form.is_valid():
                user = _find_user(member_form.cleaned_data["who"])
                if user is None:
                    member_form.add_error(
                        "who", _("Không tìm thấy tài khoản với số điện thoại hoặc e-mail này.")
                    )
                else:
                    services.team_member_add(
                        by=request.user, team=team, user=user, leader=member_form.cleaned_data["leader"]
                    )
                    messages.success(request, _("Đã thêm %(name)s vào tổ.") % {"name": user.display_name})
                    return redirect("community_teams:team_detail", team.pk)
            if action == "remove":
                assignment = get_object_or_404(RoleAssignment, pk=request.POST.get("assignment"))
                services.team_member_remove(by=request.user, team=team, assignment=assignment)
                messages.success(
                    request, _("Đã cho %(name)s thôi tham gia tổ.") % {"name": assignment.user.display_name}
                )
                return redirect("community_teams:team_detail", team.pk)
        except ValidationError as exc:
            _form_errors(member_form if action == "add" else form, exc)
    return render(
        request,
        "community_teams/team_detail.html",
        {
            "team": team,
            "commune": commune,
            "form": form,
            "member_form": member_form,
            "assignments": selectors.team_assignments(team=team),
        },
    )


@_guarded
def team_import_view(request, commune_id: int):
    """Upload → preview with a row report → confirm (all or nothing)."""
    commune = _commune(request, commune_id)
    form = ImportForm(request.POST or None, request.FILES or None)
    report, payload, filename = None, "", ""
    if request.method == "POST":
        if request.POST.get("confirm"):
            filename = request.POST.get("filename", "teams.csv")
            try:
                data = base64.b64decode(request.POST.get("payload", ""), validate=True)
            except ValueError:
                data = b""
            form = ImportForm()
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            data, filename = upload.read(), upload.name
        else:
            data = None
        if data is not None:
            try:
                table = table_read(data=data, filename=filename)
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                confirm = bool(request.POST.get("confirm"))
                report = team_import(by=request.user, commune=commune, table=table, confirm=confirm)
                if confirm and report.written:
                    messages.success(request, _("Đã nhập %(n)d tổ.") % {"n": report.written})
                    return redirect("community_teams:team_list", commune.pk)
                payload = base64.b64encode(data).decode("ascii")
    return render(
        request,
        "community_teams/team_import.html",
        {"commune": commune, "form": form, "report": report, "payload": payload, "filename": filename},
    )


# --- Team members: household register -------------------------------------------------


@audit.audited(purpose="Theo dõi sổ hộ gia đình của xã", target=("places.administrativeunit", "commune_id"))
@login_required
def commune_register(request, commune_id: int):
    """Commune officers (and above): the household registers of the commune's villages,
    counts per village and the household list (labels only, no residents' details).
    A commune outside the user's scope is not found."""
    commune = selectors.commune_for_officer(user=request.user, commune_id=commune_id)
    if commune is None:
        raise Http404
    month_start = timezone.localdate().replace(day=1)
    villages = selectors.commune_register_villages(commune=commune, month_start=month_start)
    try:
        village_id = int(request.GET.get("thon", ""))
    except ValueError:
        village_id = None
    if village_id not in {v.pk for v in villages}:
        village_id = None
    households = selectors.households_of_commune(
        commune=commune, month_start=month_start, village_id=village_id
    )
    page = Paginator(households, PAGE_SIZE).get_page(request.GET.get("page"))
    access_log.info("commune %s household register viewed by user %s", commune.pk, request.user.pk)
    return render(
        request,
        "community_teams/commune_register.html",
        {
            "commune": commune,
            "villages": villages,
            "village_id": village_id,
            "page": page,
            "month_start": month_start,
            "totals": {
                "households": sum(v.n_households for v in villages),
                "residents": sum(v.n_residents for v in villages),
                "visited": sum(v.n_visited for v in villages),
            },
        },
    )


def _member_villages_or_403(request):
    villages = selectors.member_villages(user=request.user)
    if not villages:
        raise _Forbidden(_("Trang này dành cho thành viên tổ công nghệ số cộng đồng."))
    return villages


def _household(request, household_id):
    household = selectors.household_for_member(user=request.user, household_id=household_id)
    if household is None:
        # Not found and "not yours" look the same: a household of another village is not revealed.
        raise Http404
    access_log.info("household %s opened by user %s (%s)", household.pk, request.user.pk, request.path)
    return household


@audit.audited(purpose=HOUSEHOLD_PURPOSE)
@_guarded
def household_list(request):
    villages = _member_villages_or_403(request)
    q = request.GET.get("q", "").strip()
    households = (
        selectors.households_of_villages(villages=villages)
        .annotate(n_residents=Count("residents", filter=Q(residents__deleted=False)))
        .select_related("village")
        .order_by("label", "id")
    )
    if q:
        households = households.filter(Q(label__icontains=q) | Q(address_hint__icontains=q))
    page = Paginator(households, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "community_teams/household_list.html", {"page": page, "villages": villages, "q": q}
    )


@_guarded
def household_create(request):
    villages = _member_villages_or_403(request)
    form = HouseholdForm(request.POST or None)
    village_choice = request.POST.get("village") or str(villages[0].pk)
    if request.method == "POST" and form.is_valid():
        village = next((v for v in villages if str(v.pk) == village_choice), None)
        try:
            if village is None:
                raise ValidationError(_("Hãy chọn thôn của bạn."))
            household = services.household_create(by=request.user, village=village, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm hộ. Hãy thêm những người từ 16 tuổi trở lên."))
            return redirect("community_teams:household_detail", household.pk)
    return render(
        request,
        "community_teams/household_form.html",
        {"form": form, "villages": villages, "village_choice": village_choice},
    )


@_guarded
def household_edit(request, household_id):
    household = _household(request, household_id)
    initial = {f: getattr(household, f) for f in HouseholdForm.base_fields}
    form = HouseholdForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_update(by=request.user, household=household, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu."))
            return redirect("community_teams:household_detail", household.pk)
    return render(request, "community_teams/household_form.html", {"form": form, "household": household})


@_guarded
@require_POST
def household_delete(request, household_id):
    household = _household(request, household_id)
    services.household_delete(by=request.user, household=household)
    messages.success(request, _("Đã xoá hộ khỏi sổ; thông tin cá nhân của hộ đã được xoá."))
    return redirect("community_teams:household_list")


@audit.audited(purpose=HOUSEHOLD_PURPOSE, target=("community_teams.household", "household_id"))
@_guarded
def household_detail(request, household_id):
    household = _household(request, household_id)
    residents = list(household.residents.filter(deleted=False).order_by("birth_year"))
    statuses = selectors.statuses_for_residents(resident_ids=[r.pk for r in residents])
    for r in residents:
        r.status = statuses[r.pk]
    visits = Paginator(selectors.visits_of_household(household=household), 10).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "community_teams/household_detail.html",
        {"household": household, "residents": residents, "visits": visits},
    )


@_guarded
def resident_form(request, household_id, resident_id=None):
    household = _household(request, household_id)
    resident = (
        get_object_or_404(Resident, pk=resident_id, household=household, deleted=False)
        if resident_id
        else None
    )
    initial = {}
    if resident:
        initial = {"birth_year": resident.birth_year, "sex": resident.sex}
        status = selectors.statuses_for_residents(resident_ids=[resident.pk])[resident.pk]
        initial.update(selectors.status_form_initial(status=status))
    form = ResidentForm(request.POST or None, initial=initial)
    if request.method == "POST" and request.POST.get("action") == "remove" and resident:
        services.resident_remove(by=request.user, resident=resident)
        messages.success(request, _("Đã xoá người này khỏi sổ hộ."))
        return redirect("community_teams:household_detail", household.pk)
    if request.method == "POST" and form.is_valid():
        data = {
            "birth_year": form.cleaned_data["birth_year"],
            "sex": form.cleaned_data["sex"],
            "status": form.status(),
        }
        try:
            if resident:
                services.resident_update(by=request.user, resident=resident, **data)
            else:
                services.resident_create(by=request.user, household=household, **data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu."))
            return redirect("community_teams:household_detail", household.pk)
    return render(
        request,
        "community_teams/resident_form.html",
        {"form": form, "household": household, "resident": resident},
    )


@_guarded
def visit_create(request, household_id):
    """Log a visit online: the same service as the phones' sync, so a double submit
    (same form id) stores one visit."""
    household = _household(request, household_id)
    residents = list(household.residents.filter(deleted=False).order_by("birth_year"))
    form = VisitForm(request.POST or None, residents=residents, activities=selectors.activities_active())
    if request.method == "POST" and form.is_valid():
        result = visit_batch_sync(
            member=request.user, device=None, items=[form.item(household=household)]
        ).results[0]
        if result.status in ("created", "duplicate"):
            if result.flagged:
                messages.warning(request, result.detail)
            messages.success(request, _("Đã ghi lượt thăm."))
            return redirect("community_teams:household_detail", household.pk)
        form.add_error(None, result.detail)
    return render(request, "community_teams/visit_form.html", {"form": form, "household": household})


@_guarded
def assisted_enrol(request, household_id):
    household = _household(request, household_id)
    residents = list(household.residents.filter(deleted=False).order_by("birth_year"))
    courses = selectors.courses_for_assisted_enrolment()
    form = AssistedEnrolForm(request.POST or None, residents=residents, courses=courses)
    if request.method == "POST" and form.is_valid():
        resident = next(r for r in residents if str(r.pk) == form.cleaned_data["resident"])
        course = next(c for c in courses if str(c.pk) == form.cleaned_data["course"])
        try:
            services.resident_learner_enrol(
                by=request.user,
                resident=resident,
                phone=form.cleaned_data["phone"],
                course=course,
                consent=form.cleaned_data["consent"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("Đã đăng ký khoá “%(title)s”. Người học đăng nhập bằng số điện thoại.")
                % {"title": course.title},
            )
            return redirect("community_teams:household_detail", household.pk)
    return render(
        request,
        "community_teams/assisted_enrol.html",
        {"form": form, "household": household, "courses": courses},
    )


@login_required
def device_list(request):
    devices = Device.objects.filter(user=request.user).order_by("-created_at")
    if request.method == "POST":
        device = get_object_or_404(Device, pk=request.POST.get("device"), user=request.user)
        services.device_revoke(device=device, by=request.user)
        messages.success(request, _("Đã thu hồi thiết bị “%(name)s”.") % {"name": device.name})
        return redirect(reverse("community_teams:device_list"))
    return render(request, "community_teams/device_list.html", {"devices": devices})
