"""Site-wide navigation from the page tree: header menu and footer links."""

from django import template
from wagtail.models import Site

from content.models import StandardPage

register = template.Library()


def _site_root(request):
    if request is None:
        return None
    if not hasattr(request, "_content_site_root"):
        site = Site.find_for_request(request)
        request._content_site_root = site.root_page if site else None
    return request._content_site_root


@register.simple_tag(takes_context=True)
def menu_pages(context) -> list:
    """Live children of the site's home page marked "show in menus" (one query, cached)."""
    request = context.get("request")
    root = _site_root(request)
    if root is None:
        return []
    if not hasattr(request, "_content_menu_pages"):
        request._content_menu_pages = list(root.get_children().live().public().in_menu())
    return request._content_menu_pages


@register.simple_tag(takes_context=True)
def footer_pages(context) -> list:
    """Live standard pages directly under the home page (about, terms, privacy)."""
    request = context.get("request")
    root = _site_root(request)
    if root is None:
        return []
    return list(root.get_children().live().public().type(StandardPage))


@register.filter
def within(page, section) -> bool:
    """True when `page` is `section` or one of its descendants (for aria-current)."""
    path = getattr(page, "path", "")
    return bool(path and section is not None and path.startswith(section.path))
