from django.core.management.base import BaseCommand

from reports.orphans import find_orphans


class Command(BaseCommand):
    help = "List stored files that no attachment, report or kept revision refers to."

    def handle(self, *args, **options):
        orphans = find_orphans()
        for name in orphans:
            self.stdout.write(name)
        self.stderr.write(f"{len(orphans)} orphaned file(s).")
