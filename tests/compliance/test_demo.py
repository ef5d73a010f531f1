"""Done when (issue 5): on the demo data, the dashboard's figures equal a hand count and
the XLSX export says the same."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from courses.compliance.exports import figure_values
from courses.compliance.selectors import compliance_for_agency
from courses.training.models import PlanAssignment
from lms.organisations.models import Agency

from .conftest import manager_of
from .test_refresh import hand_count

pytestmark = pytest.mark.django_db


def test_demo_dashboard_equals_a_hand_count_and_the_xlsx(settings):
    settings.DEMO_DATA_ALLOWED = True
    call_command("load_demo_data", stdout=io.StringIO())
    rows = PlanAssignment.objects.all()
    if not rows.exists():
        pytest.skip("the demo has no training plans yet (courses.training demo step)")
    now = timezone.now()
    plan_agencies = Agency.objects.filter(pk__in=rows.values("plan__agency_id"))
    for year in sorted(set(rows.values_list("plan__year", flat=True))):
        for top in plan_agencies:
            for agency in Agency.objects.within(top):
                ids = set(Agency.objects.within(agency).values_list("pk", flat=True))
                expected = hand_count(ids, year, now)
                report = compliance_for_agency(agency=agency, year=year, now=now)
                got = report.totals.as_dict()
                got.pop("completed")
                assert got == expected, agency.name
        top = plan_agencies.first()
        client = Client()
        client.force_login(manager_of(top))
        response = client.get(reverse("compliance:export", args=[top.pk, "xlsx"]), {"nam": year})
        book = load_workbook(io.BytesIO(response.content))
        summary = [list(r) for r in book["Tổng hợp"].iter_rows(values_only=True)]
        report = compliance_for_agency(agency=top, year=year)
        assert summary[1][1:] == figure_values(report.totals)
        ids = set(Agency.objects.within(top).values_list("pk", flat=True))
        assert summary[1][1] == hand_count(ids, year, timezone.now())["assigned"] > 0
