"""Connected in AssessmentsConfig.ready: cached competence names follow the frameworks
(a competence or framework saved or deleted forgets the names of the codes it concerns,
now and again after commit), and the self-assessment's stored labels are registered for
translation when shown."""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save

from .models import QUALIFIER, Competence, Framework
from .selectors import competence_names_forget


def _forget(codes: list[str]) -> None:
    competence_names_forget(codes=codes)
    transaction.on_commit(partial(competence_names_forget, codes=codes), robust=True)


def _competence_changed(sender, instance: Competence, **kwargs) -> None:
    try:
        codes = [instance.qualified_code]
    except Framework.DoesNotExist:  # deleted with its framework
        codes = []
    old = getattr(instance, "_name_before", None)
    if old and old not in codes:
        codes.append(old)
    if codes:
        _forget(codes)


def _competence_before(sender, instance: Competence, **kwargs) -> None:
    # A code can change: remember the one the cache knows it by.
    if instance.pk:
        row = Competence.objects.filter(pk=instance.pk).values_list("framework__code", "code").first()
        if row:
            instance._name_before = f"{row[0]}{QUALIFIER}{row[1]}"


def _framework_changed(sender, instance: Framework, **kwargs) -> None:
    codes = [f"{instance.code}{QUALIFIER}{code}" for code in
             Competence.objects.filter(framework_id=instance.pk).values_list("code", flat=True)]
    if codes:
        _forget(codes)


def connect() -> None:
    from .labels import evidence_format_register
    from .services import SELF_ASSESSMENT_LABEL, SELF_ASSESSMENT_NOTE, SELF_ASSESSMENT_SOURCE

    evidence_format_register(source_type=SELF_ASSESSMENT_SOURCE, template=SELF_ASSESSMENT_LABEL)
    evidence_format_register(source_type=SELF_ASSESSMENT_SOURCE, template=SELF_ASSESSMENT_NOTE, field="note")
    pre_save.connect(_competence_before, sender=Competence, dispatch_uid="assessments.names.before")
    for signal in (post_save, post_delete):
        signal.connect(_competence_changed, sender=Competence, dispatch_uid=f"assessments.names.c.{signal!r}")
        signal.connect(_framework_changed, sender=Framework, dispatch_uid=f"assessments.names.f.{signal!r}")
