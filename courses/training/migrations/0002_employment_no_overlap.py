"""PostgreSQL only: no two employments of one person share a day.

SQLite has no exclusion constraints; there the services' check under a lock on the
user row is the guard (and "one open employment" is a unique index everywhere).
btree_gist is needed to mix `=` on user_id with `&&` on the date range; creating the
extension needs rights a managed database may not grant, so a failure is reported and
the service check remains the guard.
"""

from django.db import migrations

CREATE = """
ALTER TABLE training_employment ADD CONSTRAINT training_employment_no_overlap
EXCLUDE USING gist (user_id WITH =, daterange(valid_from, valid_to, '[]') WITH &&)
"""
DROP = "ALTER TABLE training_employment DROP CONSTRAINT IF EXISTS training_employment_no_overlap"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'btree_gist'")
        if cursor.fetchone() is None:
            cursor.execute("SAVEPOINT training_btree_gist")
            try:
                cursor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
            except Exception as exc:  # noqa: BLE001 - no rights: keep the service guard only
                cursor.execute("ROLLBACK TO SAVEPOINT training_btree_gist")
                print(f"\n  training: btree_gist unavailable ({exc}); overlap guarded by services only")
                return
            cursor.execute("RELEASE SAVEPOINT training_btree_gist")
        cursor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
