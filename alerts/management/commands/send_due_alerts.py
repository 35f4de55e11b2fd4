from django.core.management.base import BaseCommand

from alerts.subscriptions import announce_due_reports


class Command(BaseCommand):
    help = (
        "Queue the email alerts of every public report not yet announced: those published "
        "just now and scheduled ones whose time has come. Run it every few minutes."
    )

    def handle(self, *args, **options):
        queued = announce_due_reports()
        self.stdout.write(f"Queued the alerts of {queued} report(s).")
