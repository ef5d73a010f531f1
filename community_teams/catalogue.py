"""The activity catalogue, from the versioned file community_teams/data/activities.json.

Loaded by the data migration and by `manage.py load_activities` after the file changes:
get-or-update by code, never deleting (visits point to activities); an activity dropped
from the file is made inactive.
"""

import json
from pathlib import Path

CATALOGUE_FILE = Path(__file__).resolve().parent / "data" / "activities.json"


def catalogue_read() -> dict:
    return json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))


def activity_catalogue_sync(*, model) -> dict[str, int]:
    """Upsert the file's activities into `model` (the real or a migration's historical
    Activity). Returns counts: created, updated, deactivated."""
    data = catalogue_read()
    counts = {"created": 0, "updated": 0, "deactivated": 0}
    codes = []
    for position, row in enumerate(data["activities"]):
        codes.append(row["code"])
        values = {
            "name_vi": row["name_vi"],
            "name_en": row["name_en"],
            "needs_resident": row["needs_resident"],
            "status_field": row["status_field"],
            "status_value": row["status_value"],
            "position": position,
            "active": True,
        }
        _obj, created = model.objects.update_or_create(code=row["code"], defaults=values)
        counts["created" if created else "updated"] += 1
    counts["deactivated"] = model.objects.exclude(code__in=codes).filter(active=True).update(active=False)
    return counts
