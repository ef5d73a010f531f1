"""Demo step: bring the compliance rollups up to date after the demo data is loaded
(the demo's training steps may run inside one transaction, before any refresh job)."""

from .services import rollups_rebuild


def demo_compliance_rebuild() -> int:
    """Rebuild every year's rollups; returns how many rollup rows were written."""
    return sum(result.rows for result in rollups_rebuild())
