"""Materialised paths shared by every tree of the project (units, agencies).

A node's `path` is the ids from the root down to itself, each followed by a slash
("/12/345/"), so a subtree is one indexed prefix query and "/1/" never matches "/10/".
"""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Concat, Substr


class PathQuerySet(models.QuerySet):
    def within(self, node: models.Model, *, include_self: bool = True) -> models.QuerySet:
        """The node's subtree, in one indexed query on `path`."""
        qs = self.filter(path__startswith=node.path)
        return qs if include_self else qs.exclude(pk=node.pk)


def path_compute(node: models.Model) -> str:
    prefix = node.parent.path if node.parent_id else "/"
    return f"{prefix}{node.pk}/"


def subtree_path_rewrite(*, queryset: models.QuerySet, old_path: str, new_path: str) -> int:
    """Rewrite the `path` prefix of a whole subtree in one UPDATE."""
    if not old_path or old_path == new_path:
        return 0
    return queryset.filter(path__startswith=old_path).update(
        path=Concat(
            models.Value(new_path), Substr("path", len(old_path) + 1), output_field=models.CharField()
        )
    )


@transaction.atomic
def node_path_refresh(*, node: models.Model, cycle_message: str) -> int:
    """Recompute a node's path from its (already saved) parent and rewrite its subtree.

    Used after a parent changes, e.g. in the admin. Refuses a parent inside the node's own
    subtree (a cycle) with `cycle_message`. Returns how many paths were written.
    """
    node.refresh_from_db(fields=["path", "parent"])
    if node.parent_id and node.path and node.parent.path.startswith(node.path):
        raise ValidationError(cycle_message)
    new_path = path_compute(node)
    if not node.path:
        node.path = new_path
        node.save(update_fields=["path"])
        return 1
    return subtree_path_rewrite(queryset=type(node).objects.all(), old_path=node.path, new_path=new_path)
