"""Keep the cached header menu and footer in step with the page tree and site settings."""

from django.db.models.signals import post_delete, post_save
from wagtail.models import Page
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from content.selectors import site_chrome_invalidate


def _invalidate(**kwargs) -> None:
    site_chrome_invalidate()


def connect() -> None:
    from content.models import SiteSettings

    for signal in (page_published, page_unpublished, post_page_move, page_slug_changed):
        signal.connect(_invalidate, dispatch_uid=f"content-chrome-{signal!r}")
    post_delete.connect(_invalidate, sender=Page, dispatch_uid="content-chrome-page-delete")
    post_save.connect(_invalidate, sender=SiteSettings, dispatch_uid="content-chrome-settings")
    post_save.connect(_invalidate, sender="wagtailcore.Site", dispatch_uid="content-chrome-site")
