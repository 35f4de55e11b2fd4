from datetime import UTC, datetime
from pathlib import Path

from django.core.management.base import BaseCommand

from genocidewatch.backups import write_backup


class Command(BaseCommand):
    help = "Write one dated archive of all content and stored files, with a checksum manifest."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=".", help="Folder to write the archive to.")

    def handle(self, *args, output, **options):
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        path = Path(output) / f"genocidewatch-backup-{stamp}.tar.gz"
        path.parent.mkdir(parents=True, exist_ok=True)
        manifest = write_backup(path)
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {path}: {manifest['data']['objects']} records, "
                f"{len(manifest['files'])} files."
            )
        )
