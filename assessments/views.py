"""Public browsing of competence frameworks (no JavaScript, phone first)."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from . import selectors

PAGE_SIZE = 20


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
