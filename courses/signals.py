"""Keep cached course structures and the view-restriction cache in step with the tree."""

from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from courses.cache import page_cache_invalidate
from courses.selectors import course_structure_invalidate, restricted_paths_invalidate


def _structure_changed(**kwargs) -> None:
    course_structure_invalidate()
    page_cache_invalidate()


def _restrictions_changed(**kwargs) -> None:
    restricted_paths_invalidate()
    page_cache_invalidate()


def connect() -> None:
    for signal in (page_published, page_unpublished, post_page_move, page_slug_changed):
        signal.connect(_structure_changed, dispatch_uid=f"courses-structure-{signal!r}")
    post_delete.connect(_structure_changed, sender=Page, dispatch_uid="courses-structure-page-delete")
    for signal in (post_save, post_delete):
        signal.connect(_restrictions_changed, sender=PageViewRestriction,
                       dispatch_uid=f"courses-restrictions-{signal!r}")
