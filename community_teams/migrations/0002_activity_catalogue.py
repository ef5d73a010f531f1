from django.db import migrations


def load(apps, schema_editor):
    from community_teams.catalogue import activity_catalogue_sync

    activity_catalogue_sync(model=apps.get_model("community_teams", "Activity"))


class Migration(migrations.Migration):
    dependencies = [("community_teams", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
