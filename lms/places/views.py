"""Public lookup of the 2025 reform, and the village pages of commune officers.

Views parse input, check scope and call one service or selector.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lms.accounts.selectors import unit_is_visible_to
from lms.core.spreadsheets import text_decode

from . import selectors, services
from .forms import LookupForm, VillageForm, VillageImportForm, VillageMergeForm, VillageSplitForm
from .models import CURRENT_EDITION, AdministrativeUnit

PAGE_SIZE = 20


def lookup(request):
    """Which new commune and province an old commune belongs to now."""
    form = LookupForm(request.GET or None)
    page = None
    query = ""
    status = 200
    if form.is_bound:
        if form.is_valid():
            query = form.cleaned_data["q"].strip()
            if query:
                results = selectors.successions_search(q=query)
                page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
        else:
            status = 400
    return render(request, "places/lookup.html", {"form": form, "page": page, "query": query}, status=status)


def _forbidden(request, commune=None):
    return render(request, "places/forbidden.html", {"commune": commune}, status=403)


def _managed_commune(request, commune_id: int):
    """The commune if the user may manage its villages, else None (caller answers 403)."""
    commune = get_object_or_404(
        AdministrativeUnit.objects.select_related("parent"),
        pk=commune_id, level=AdministrativeUnit.Level.COMMUNE, edition=CURRENT_EDITION,
    )
    if not unit_is_visible_to(user=request.user, unit=commune):
        return commune, False
    return commune, True


@login_required
def commune_list(request):
    communes = selectors.communes_managed_by(user=request.user)
    page = Paginator(communes, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "places/commune_list.html", {"page": page})


@login_required
def village_list(request, commune_id: int):
    commune, allowed = _managed_commune(request, commune_id)
    if not allowed:
        return _forbidden(request, commune)
    villages = selectors.villages_of(commune=commune)
    page = Paginator(villages, 50).get_page(request.GET.get("page"))
    history = selectors.village_history(commune=commune)[:20]
    return render(request, "places/village_list.html", {"commune": commune, "page": page, "history": history})


@login_required
@require_http_methods(["GET", "POST"])
def village_create(request, commune_id: int):
    commune, allowed = _managed_commune(request, commune_id)
    if not allowed:
        return _forbidden(request, commune)
    form = VillageForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            village = services.village_create(commune=commune, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã thêm “%(name)s”.") % {"name": village.name})
            return redirect("places:village_list", commune_id=commune.pk)
    status = 400 if form.errors else 200
    return render(request, "places/village_form.html", {"commune": commune, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def village_import(request, commune_id: int):
    commune, allowed = _managed_commune(request, commune_id)
    if not allowed:
        return _forbidden(request, commune)
    form = (
        VillageImportForm(request.POST, request.FILES) if request.method == "POST" else VillageImportForm()
    )
    report = None
    csv_text = ""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            content = form.cleaned_data["content"]
            confirm = "confirm" in request.POST
            # Officers import for the commune of this page only.
            scope = AdministrativeUnit.objects.filter(pk=commune.pk)
            report = services.village_import_csv(data=content, communes=scope, dry_run=not confirm)
            if report.written:
                messages.success(
                    request, _("Đã nhập %(n)s thôn mới; %(e)s thôn đã có được giữ nguyên.")
                    % {"n": report.count("create"), "e": report.count("exists")},
                )
                return redirect("places:village_list", commune_id=commune.pk)
            if report.ok:
                csv_text = content if isinstance(content, str) else text_decode(content)
            else:
                status = 400
        else:
            status = 400
    return render(
        request, "places/village_import.html",
        {"commune": commune, "form": form, "report": report, "csv_text": csv_text}, status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def village_merge(request, commune_id: int):
    commune, allowed = _managed_commune(request, commune_id)
    if not allowed:
        return _forbidden(request, commune)
    form = VillageMergeForm(
        request.POST if request.method == "POST" else None, villages=selectors.villages_of(commune=commune)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            merged = services.village_merge(
                villages=list(data["villages"]), name=data["name"], division_type=data["division_type"],
                effective_date=data["effective_date"], note=data["note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã gộp thành “%(name)s”.") % {"name": merged.name})
            return redirect("places:village_list", commune_id=commune.pk)
    status = 400 if form.errors else 200
    return render(request, "places/village_merge.html", {"commune": commune, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def village_split(request, commune_id: int, village_id: int):
    commune, allowed = _managed_commune(request, commune_id)
    if not allowed:
        return _forbidden(request, commune)
    village = get_object_or_404(selectors.villages_of(commune=commune), pk=village_id)
    form = VillageSplitForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            parts = services.village_split(
                village=village, parts=[(n, data["division_type"]) for n in data["names"]],
                effective_date=data["effective_date"], note=data["note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Đã tách “%(name)s” thành %(n)s thôn.") % {"name": village.name, "n": len(parts)}
            )
            return redirect("places:village_list", commune_id=commune.pk)
    status = 400 if form.errors else 200
    return render(
        request, "places/village_split.html", {"commune": commune, "village": village, "form": form},
        status=status,
    )
