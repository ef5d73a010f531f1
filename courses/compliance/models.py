"""Pre-aggregated compliance figures (rollups), one row per direct agency.

Rows count people by the agency they sit in directly; the agency tree is rolled up at
read time with one prefix query on `Agency.path` (a subtree's rows are summed), so an
agency move needs no rollup rewrite beyond the nightly rebuild. Every row is derived
from `training.PlanAssignment` (and `training.Employment` for months, `assessments`
evidence for competences) by `services.rollups_recompute`; nothing here is edited by
hand. docs/training.md ("Compliance") gives the definitions.
"""

from django.db import models


class Counts(models.Model):
    assigned = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)
    in_progress = models.PositiveIntegerField(default=0)
    not_started = models.PositiveIntegerField(default=0)
    exempt = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class AssignmentRollup(Counts):
    """Current state: counted assignments of one plan in one agency (directly), by
    position, category and due instant. Overdue is not stored: it is the open
    (in_progress + not_started) count of rows whose `due_before` ≤ the report time, so it
    never goes stale when a deadline passes between refreshes."""

    year = models.PositiveSmallIntegerField()
    plan = models.ForeignKey("training.TrainingPlan", on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("organisations.Agency", on_delete=models.CASCADE, related_name="+")
    position = models.ForeignKey("training.Position", null=True, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=16)
    due_before = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["year", "agency"], name="compliance_assign_year_agency")]

    def __str__(self) -> str:
        return f"{self.year} plan {self.plan_id} agency {self.agency_id}: {self.assigned}"


class MonthRollup(models.Model):
    """Month-end snapshot of one plan in one agency, people attributed to the agency of
    their employment in force on the month's last day (or their last employed day in
    that month). Completed = completed before the month ended (or before `computed_at`
    for the running month); overdue = open at that instant with the deadline passed."""

    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    plan = models.ForeignKey("training.TrainingPlan", on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("organisations.Agency", on_delete=models.CASCADE, related_name="+")
    assigned = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["year", "agency"], name="compliance_month_year_agency")]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d} plan {self.plan_id} agency {self.agency_id}: {self.assigned}"


class CompetenceRollup(models.Model):
    """Staff of one agency in a year whose position's target (in force that year) asks
    for `competence`, and how many of them are below the required level (derived level
    from assessments evidence)."""

    year = models.PositiveSmallIntegerField()
    agency = models.ForeignKey("organisations.Agency", on_delete=models.CASCADE, related_name="+")
    competence = models.ForeignKey("assessments.Competence", on_delete=models.CASCADE, related_name="+")
    with_target = models.PositiveIntegerField(default=0)
    below = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["year", "agency"], name="compliance_comp_year_agency")]

    def __str__(self) -> str:
        return f"{self.year} {self.agency_id} {self.competence_id}: {self.below}/{self.with_target}"


class AreaRollup(models.Model):
    """Per framework area: staff whose target asks for at least one competence of the
    area, and how many of them reach every required level in it (DTI evidence)."""

    year = models.PositiveSmallIntegerField()
    agency = models.ForeignKey("organisations.Agency", on_delete=models.CASCADE, related_name="+")
    area = models.ForeignKey("assessments.FrameworkArea", on_delete=models.CASCADE, related_name="+")
    with_target = models.PositiveIntegerField(default=0)
    at_level = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["year", "agency"], name="compliance_area_year_agency")]

    def __str__(self) -> str:
        return f"{self.year} agency {self.agency_id} area {self.area_id}: {self.at_level}/{self.with_target}"


class StaffRollup(models.Model):
    """Distinct people of one agency with a counted assignment in the year, and how many
    completed every counted assignment of that year ("trained this year")."""

    year = models.PositiveSmallIntegerField()
    agency = models.ForeignKey("organisations.Agency", on_delete=models.CASCADE, related_name="+")
    staff = models.PositiveIntegerField(default=0)
    trained = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "agency"], name="compliance_staff_once"),
        ]

    def __str__(self) -> str:
        return f"{self.year} agency {self.agency_id}: {self.trained}/{self.staff}"


class DirtyAgency(models.Model):
    """An (agency, year) whose rollups must be recomputed: written in the transaction
    that changed assignments, consumed by the `compliance.rollups_refresh` job."""

    agency = models.ForeignKey("organisations.Agency", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="compliance_dirty_once"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.year}"


class RollupState(models.Model):
    """When the figures of a year were last brought up to date (one row per year)."""

    year = models.PositiveSmallIntegerField(unique=True)
    refreshed_at = models.DateTimeField()
    full_rebuild_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.year} {self.refreshed_at}"
