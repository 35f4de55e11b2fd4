"""`Report.has_translations`: set on the originals that already have a translation row."""

from django.db import migrations, models


def mark_translated_originals(apps, schema_editor):
    Report = apps.get_model("reports", "Report")
    Report.objects.filter(translations__isnull=False).update(has_translations=True)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0019_staff_search_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="has_translations",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(mark_translated_originals, migrations.RunPython.noop),
    ]
