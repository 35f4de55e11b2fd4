"""The change log of reports published before reasons were asked for: each public report
whose level or stages differ from the country's previous public report, without a reason."""

from django.db import migrations
from django.utils import timezone


def derive(apps, schema_editor):
    Report = apps.get_model("reports", "Report")
    StatusChange = apps.get_model("reports", "StatusChange")
    public = (
        Report.objects.filter(
            status="published", published_at__lte=timezone.now(), revises__isnull=True
        )
        .prefetch_related("stages")
        .order_by("country", "published_at", "pk")
    )
    previous = {}
    changes = []
    for report in public:
        stages = {stage.number for stage in report.stages.all()}
        before = previous.get(report.country_id)
        previous[report.country_id] = (report.alert_level, stages)
        if before is None or before == (report.alert_level, stages):
            continue
        changes.append(
            StatusChange(
                country_id=report.country_id,
                report=report,
                changed_at=report.published_at,
                level_from=before[0],
                level_to=report.alert_level,
                stages_added=sorted(stages - before[1]),
                stages_removed=sorted(before[1] - stages),
                reason="",
            )
        )
    StatusChange.objects.bulk_create(changes)


def remove(apps, schema_editor):
    apps.get_model("reports", "StatusChange").objects.filter(reason="").delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0014_status_changes")]

    operations = [migrations.RunPython(derive, remove)]
