"""Reads of competence frameworks: the public list, one framework's outline."""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet

from .models import Competence, CompetenceMapping, Framework, FrameworkArea, Indicator, ProficiencyLevel


def frameworks_public() -> QuerySet[Framework]:
    """Frameworks anyone may browse (not drafts), with their area and competence counts."""
    return (
        Framework.objects.exclude(status=Framework.Status.DRAFT)
        .annotate(
            area_count=Count("areas", distinct=True), competence_count=Count("competences", distinct=True)
        )
        .order_by("code")
    )


def framework_by_ref(*, ref: str, public_only: bool = True) -> Framework | None:
    """A framework by numeric id or by code (`digcomp-2.2`)."""
    qs = frameworks_public() if public_only else Framework.objects.all()
    return qs.filter(pk=int(ref)).first() if ref.isdigit() else qs.filter(code=ref).first()


@dataclass
class AreaOutline:
    area: FrameworkArea
    competences: list[Competence] = field(default_factory=list)


@dataclass
class FrameworkOutline:
    framework: Framework
    areas: list[AreaOutline]
    levels: list[ProficiencyLevel]


def framework_outline(*, framework: Framework) -> FrameworkOutline:
    """Areas → competences (with indicators and crosswalk links both ways) and levels.

    A fixed number of queries whatever the framework's size (five).
    """
    competences = (
        Competence.objects.filter(framework=framework)
        .order_by("ordering", "code")
        .prefetch_related(
            Prefetch("indicators",
                     queryset=Indicator.objects.select_related("level").order_by("ordering", "code")),
            Prefetch("mappings_out", queryset=CompetenceMapping.objects.select_related("target__framework")
                     .order_by("target__framework__code", "target__code")),
            Prefetch("mappings_in", queryset=CompetenceMapping.objects.select_related("source__framework")
                     .order_by("source__framework__code", "source__code")),
        )
    )
    by_area: dict[int, list[Competence]] = {}
    for competence in competences:
        competence.framework = framework
        by_area.setdefault(competence.area_id, []).append(competence)
    areas = [
        AreaOutline(area=area, competences=by_area.get(area.pk, []))
        for area in FrameworkArea.objects.filter(framework=framework).order_by("ordering", "code")
    ]
    levels = list(framework.levels.order_by("ordinal"))
    return FrameworkOutline(framework=framework, areas=areas, levels=levels)
