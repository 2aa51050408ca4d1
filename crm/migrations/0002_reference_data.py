"""The bundled reference lists: Hungarian given names with gender, the district's streets."""

from django.db import migrations


def load(apps, schema_editor):
    from crm.addresses import load_builtin_streets
    from crm.names import load_builtin_given_names

    load_builtin_given_names(apps.get_model("crm", "GivenName"))
    load_builtin_streets(apps.get_model("crm", "Street"))


class Migration(migrations.Migration):
    dependencies = [("crm", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
