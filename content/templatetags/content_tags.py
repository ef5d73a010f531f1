"""Site-wide header menu and footer, from the page tree and the site settings."""

from django import template
from wagtail.models import Site

from content.selectors import site_chrome_for

register = template.Library()


@register.simple_tag(takes_context=True)
def site_chrome(context) -> dict:
    """Menu items, footer links and contact settings for the request's site (cached)."""
    request = context.get("request")
    if request is None:
        return site_chrome_for(site=None)
    if not hasattr(request, "_content_site_chrome"):
        request._content_site_chrome = site_chrome_for(site=Site.find_for_request(request))
    return request._content_site_chrome


@register.filter
def within(page, path: str) -> bool:
    """True when `page` is the page at `path` or one of its descendants (aria-current)."""
    page_path = getattr(page, "path", "")
    return bool(page_path and path and page_path.startswith(path))
