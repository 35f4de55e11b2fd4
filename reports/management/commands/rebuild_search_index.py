from django.core.management.base import BaseCommand

from reports import search
from reports.models import Report


class Command(BaseCommand):
    help = "Recompute every report's search text (and, on PostgreSQL, its full-text vector)."

    def handle(self, *args, **options):
        count = 0
        for pk in Report.objects.values_list("pk", flat=True).iterator():
            search.refresh(pk)
            count += 1
        self.stdout.write(self.style.SUCCESS(f"Re-indexed {count} reports."))
