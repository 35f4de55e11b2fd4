from django.core.management.base import BaseCommand

from alerts.subscriptions import announce_due_reports


class Command(BaseCommand):
    help = (
        "Queue the email alerts of every public report not yet announced. A safety net: "
        "publishing queues them by itself, and db_worker sends scheduled reports' alerts at "
        "their time. With the immediate task backend (development), this announces "
        "scheduled reports whose time has come."
    )

    def handle(self, *args, **options):
        queued = announce_due_reports()
        self.stdout.write(f"Queued the alerts of {queued} report(s).")
