from django.core.management.base import BaseCommand, CommandError

from archive import importer


class Command(BaseCommand):
    help = (
        "Import reports from an archive manifest (CSV or JSON) and the PDFs beside it. "
        "--dry-run says what would be created and every problem, by line, and changes "
        "nothing. Entries already imported are skipped, so running it again is safe."
    )

    def add_arguments(self, parser):
        parser.add_argument("manifest", help="The manifest: a .csv or .json file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check everything; import nothing."
        )

    def handle(self, *args, manifest, dry_run, **options):
        try:
            result = importer.run(manifest, dry_run=dry_run)
        except importer.ManifestError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(result.text())
        if result.refused:
            raise CommandError(
                f"{result.refused} {'entry was' if result.refused == 1 else 'entries were'} "
                "refused (see “problem:” above); the others "
                f"{'would be' if dry_run else 'were'} imported."
            )
