"""Keep cached course structures, routes, pages and the view-restriction cache in step
with the tree and the sites."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from courses.cache import page_cache_invalidate
from courses.selectors import course_structure_invalidate, restricted_paths_invalidate


def _now_and_after_commit(forget) -> None:
    # A request served between the change and its commit reads the old rows and may
    # cache them under the new generation: forget again once the change is visible.
    forget()
    transaction.on_commit(forget, robust=True)


def _forget_structures_and_pages() -> None:
    course_structure_invalidate()
    page_cache_invalidate()


def _forget_restrictions_and_pages() -> None:
    restricted_paths_invalidate()
    page_cache_invalidate()


def _structure_changed(**kwargs) -> None:
    _now_and_after_commit(_forget_structures_and_pages)


def _restrictions_changed(**kwargs) -> None:
    _now_and_after_commit(_forget_restrictions_and_pages)


def _sites_changed(**kwargs) -> None:
    # Cached routes (courses.routing) hold the site a host resolved to.
    _now_and_after_commit(page_cache_invalidate)


def _competences_changed(**kwargs) -> None:
    # Course pages and cards show competence titles: cached fragments must not keep an
    # edited title (now and again after commit, as the names cache does).
    _now_and_after_commit(page_cache_invalidate)


def connect() -> None:
    from assessments.models import Competence, Framework

    for model in (Competence, Framework):
        for signal in (post_save, post_delete):
            signal.connect(_competences_changed, sender=model,
                           dispatch_uid=f"courses-competences-{model.__name__}-{signal!r}")
    for signal in (page_published, page_unpublished, post_page_move, page_slug_changed):
        signal.connect(_structure_changed, dispatch_uid=f"courses-structure-{signal!r}")
    post_delete.connect(_structure_changed, sender=Page, dispatch_uid="courses-structure-page-delete")
    for signal in (post_save, post_delete):
        signal.connect(_sites_changed, sender=Site, dispatch_uid=f"courses-sites-{signal!r}")
    for signal in (post_save, post_delete):
        signal.connect(_restrictions_changed, sender=PageViewRestriction,
                       dispatch_uid=f"courses-restrictions-{signal!r}")
