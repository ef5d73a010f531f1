"""Definitions and national targets from the app's data files, so every database has them
(`manage.py load_indicators` does the same later, idempotently)."""

import csv
import decimal
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def load(apps, schema_editor):
    from community_teams.indicators.compute import KNOWN
    from community_teams.indicators.definitions import DEFAULT_BANDS, NAMES, STATUS_FROM_CSV

    Definition = apps.get_model("indicators", "IndicatorDefinition")
    Target = apps.get_model("indicators", "Target")
    with open(DATA / "indicators.csv", encoding="utf-8") as fh:
        for position, row in enumerate(csv.DictReader(fh)):
            code = row["code"].strip()
            name_vi, name_en = NAMES.get(code, (code, code))
            min_age, max_age = DEFAULT_BANDS.get(code, (None, None))
            Definition.objects.get_or_create(
                code=code,
                defaults={
                    "level": row["level"].strip(),
                    "numerator": row["numerator"].strip(),
                    "denominator": row["denominator"].strip(),
                    "population": row["population"].strip(),
                    "target_codes": row["targets_in_national_targets_csv"].strip(),
                    "position": position,
                    "name_vi": name_vi,
                    "name_en": name_en,
                    "min_age": min_age,
                    "max_age": max_age,
                    "active": code in KNOWN,
                },
            )
    with open(DATA / "national_targets.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            Target.objects.get_or_create(
                unit=None,
                target_code=row["indicator"].strip(),
                year=int(row["year"]),
                defaults={
                    "percent": decimal.Decimal(row["target_percent"]),
                    "source": row["source"].strip(),
                    "status": STATUS_FROM_CSV[row["status"].strip()],
                    "description_vi": row["description_vi"].strip(),
                },
            )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
