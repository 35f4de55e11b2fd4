from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand

from reports.orphans import find_orphans


class Command(BaseCommand):
    help = "Delete stored files that no attachment, report or kept revision refers to."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Only say what would be deleted."
        )

    def handle(self, *args, dry_run=False, **options):
        orphans = find_orphans()
        for name in orphans:
            if not dry_run:
                default_storage.delete(name)
            self.stdout.write(f"{'would delete' if dry_run else 'deleted'} {name}")
        self.stderr.write(f"{len(orphans)} orphaned file(s){' (dry run)' if dry_run else ''}.")
