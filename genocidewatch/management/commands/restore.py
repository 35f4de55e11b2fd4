from django.core.management.base import BaseCommand, CommandError

from genocidewatch.backups import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Load an archive written by `backup` into this empty instance (run `migrate` first) "
        "and verify every checksum."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive")

    def handle(self, *args, archive, **options):
        try:
            manifest = restore_backup(archive)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {manifest['data']['objects']} records and "
                f"{len(manifest['files'])} files; every checksum matches."
            )
        )
