from django.db import migrations


def load(apps, schema_editor):
    from training.content.load import load_content

    load_content(apps)


class Migration(migrations.Migration):
    dependencies = [("training", "0001_playbooks_courses_briefings")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
