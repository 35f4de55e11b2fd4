# The subscription models moved here from the `follow` app. Their tables were made by
# follow/0002_subscriptions and keep their names, so this migration only tells Django's
# model state where the models now live, and moves their content types (and with them any
# permissions granted on them) to this app.

import django.db.models.deletion
from django.db import migrations, models

MOVED = ["subscriber", "announcement", "delivery"]


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="follow", model__in=MOVED).update(app_label="alerts")


def move_content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="alerts", model__in=MOVED).update(app_label="follow")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("follow", "0002_subscriptions"),
        ("reports", "0009_public_facets_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Announcement",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("report", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="announcement", to="reports.report")),
                    ],
                    options={"db_table": "follow_announcement"},
                ),
                migrations.CreateModel(
                    name="Subscriber",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("email", models.EmailField(max_length=254, unique=True)),
                        ("all_reports", models.BooleanField(default=True, help_text="Every new report; otherwise only those on the chosen countries.")),
                        ("level_changes_only", models.BooleanField(default=False, help_text="Only when a country's alert level changes.")),
                        ("confirmed_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("countries", models.ManyToManyField(blank=True, related_name="+", to="reports.country")),
                    ],
                    options={"db_table": "follow_subscriber", "ordering": ["email"]},
                ),
                migrations.CreateModel(
                    name="Delivery",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("sent_at", models.DateTimeField(auto_now_add=True)),
                        ("report", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="reports.report")),
                        ("subscriber", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="alerts.subscriber")),
                    ],
                    options={
                        "db_table": "follow_delivery",
                        "verbose_name_plural": "deliveries",
                        "constraints": [models.UniqueConstraint(fields=("subscriber", "report"), name="one_alert_per_report")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
