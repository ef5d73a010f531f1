"""Drop the single-column indexes of foreign keys that lead a composite index (the
composite serves the same lookups): every visit received wrote 14 more index entries
across its rows (docs/performance.md, "Visit sync").

Only the indexes go: the state says db_index=False, the database loses the index by
name. Letting AlterField do it would drop and re-create each foreign key constraint,
re-checking every row of tables that may hold millions."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEXES = [
    (
        "community_teams_statusobservation",
        "commune_id",
        "community_teams_statusobservation_commune_id_8cb4cff0",
    ),
    (
        "community_teams_statusobservation",
        "household_id",
        "community_teams_statusobservation_household_id_81b29ffa",
    ),
    (
        "community_teams_statusobservation",
        "province_id",
        "community_teams_statusobservation_province_id_c5728444",
    ),
    (
        "community_teams_statusobservation",
        "resident_id",
        "community_teams_statusobservation_resident_id_0a59a848",
    ),
    (
        "community_teams_statusobservation",
        "village_id",
        "community_teams_statusobservation_village_id_c1b8f57e",
    ),
    ("community_teams_supportvisit", "commune_id", "community_teams_supportvisit_commune_id_0157e670"),
    ("community_teams_supportvisit", "household_id", "community_teams_supportvisit_household_id_0d522756"),
    ("community_teams_supportvisit", "member_id", "community_teams_supportvisit_member_id_a70ce565"),
    ("community_teams_supportvisit", "province_id", "community_teams_supportvisit_province_id_79b3d296"),
    ("community_teams_supportvisit", "village_id", "community_teams_supportvisit_village_id_990d9b8b"),
    ("community_teams_visitactivity", "commune_id", "community_teams_visitactivity_commune_id_47802e51"),
    ("community_teams_visitactivity", "province_id", "community_teams_visitactivity_province_id_55ca8ac6"),
    ("community_teams_visitactivity", "village_id", "community_teams_visitactivity_village_id_89006765"),
    ("community_teams_visitresident", "visit_id", "community_teams_visitresident_visit_id_4760155a"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("community_teams", "0003_watermark_indexes"),
        ("places", "0002_succession_and_flags"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    [f'DROP INDEX IF EXISTS "{name}"' for _table, _column, name in INDEXES],
                    reverse_sql=[
                        f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")'
                        for table, column, name in INDEXES
                    ],
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="statusobservation",
                    name="commune",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="places.administrativeunit",
                    ),
                ),
                migrations.AlterField(
                    model_name="statusobservation",
                    name="household",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="observations",
                        to="community_teams.household",
                    ),
                ),
                migrations.AlterField(
                    model_name="statusobservation",
                    name="province",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="places.administrativeunit",
                    ),
                ),
                migrations.AlterField(
                    model_name="statusobservation",
                    name="resident",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="observations",
                        to="community_teams.resident",
                    ),
                ),
                migrations.AlterField(
                    model_name="statusobservation",
                    name="village",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="places.administrativeunit",
                    ),
                ),
                migrations.AlterField(
                    model_name="supportvisit",
                    name="commune",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="places.administrativeunit",
                    ),
                ),
                migrations.AlterField(
                    model_name="supportvisit",
                    name="household",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="visits",
                        to="community_teams.household",
                    ),
                ),
                migrations.AlterField(
                    model_name="supportvisit",
                    name="member",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="support_visits",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="supportvisit",
                    name="province",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="places.administrativeunit",
                    ),
                ),
                migrations.AlterField(
                    model_name="supportvisit",
                    name="village",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="places.administrativeunit",
                    ),
                ),
                migrations.AlterField(
                    model_name="visitactivity",
                    name="commune",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="places.administrativeunit",
                    ),
                ),
                migrations.AlterField(
                    model_name="visitactivity",
                    name="province",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="places.administrativeunit",
                    ),
                ),
                migrations.AlterField(
                    model_name="visitactivity",
                    name="village",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="places.administrativeunit",
                    ),
                ),
                migrations.AlterField(
                    model_name="visitresident",
                    name="visit",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="presences",
                        to="community_teams.supportvisit",
                    ),
                ),
            ],
        ),
    ]
