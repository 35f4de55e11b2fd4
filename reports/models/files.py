"""Stored files are removed only when nothing can bring them back."""

import json

from django.apps import apps
from django.db import transaction
from django.db.models import Q
from reversion.models import Version


def file_is_in_a_revision(name):
    """Whether any kept revision (of a report or an attachment) still names this file."""
    return Version.objects.filter(serialized_data__contains=json.dumps(name)[1:-1]).exists()


def file_is_in_use(name):
    Attachment = apps.get_model("reports", "Attachment")
    Report = apps.get_model("reports", "Report")
    return (
        Attachment.objects.filter(Q(file=name) | Q(preview=name)).exists()
        or Report.objects.filter(lead_image=name).exists()
        or Report.objects.filter(lead_image_renditions__icontains=name).exists()
        or apps.get_model("pages", "Identity").objects.filter(logo=name).exists()
    )


def release_stored_file(storage, name):
    """Remove a file no row uses any more, unless a revision may still bring it back.

    Runs once the database agrees: a rolled-back change must still find its file.
    """

    def remove():
        if not file_is_in_use(name) and not file_is_in_a_revision(name):
            storage.delete(name)

    transaction.on_commit(remove)
