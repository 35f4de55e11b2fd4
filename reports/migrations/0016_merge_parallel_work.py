# The reports app grew migrations in parallel branches (translations, the change log, the
# desk, PDF preview sizes, reader counts); this joins them.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0014_dailycount"),
        ("reports", "0014_desk"),
        ("reports", "0014_preview_size"),
        ("reports", "0015_past_status_changes"),
        ("reports", "0015_vocabulary_translations"),
    ]

    operations = []
