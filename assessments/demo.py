"""Demo data for assessments: the shipped competence frameworks, through the same loader."""

from .loading import LoadReport, frameworks_load


def demo_frameworks_load() -> LoadReport:
    """Load DigComp 2.2, TT02 and their crosswalk (idempotent)."""
    return frameworks_load()
