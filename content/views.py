from django.shortcuts import render
from django.utils.translation import gettext as _
from wagtail.models import Site

from content.selectors import SEARCH_QUERY_MAX_LENGTH, help_index_url, pages_search


def search(request):
    """Site search: ?q= (accent-insensitive) and ?page=."""
    query = request.GET.get("q", "").strip()
    context = {"query": query, "error": "", "results_page": None, "hits": []}
    status = 200
    if len(query) > SEARCH_QUERY_MAX_LENGTH:
        context["error"] = _("Từ khoá quá dài. Hãy nhập tối đa %(n)s ký tự.") % {"n": SEARCH_QUERY_MAX_LENGTH}
        status = 400
    elif query:
        site = Site.find_for_request(request)
        results_page, hits = pages_search(query=query, site=site, page_number=request.GET.get("page"))
        context.update(results_page=results_page, hits=hits)
        if not hits:
            context["help_url"] = help_index_url(site=site)
    return render(request, "content/search.html", context, status=status)
