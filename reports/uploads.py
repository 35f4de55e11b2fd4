"""What happens to a file staff upload, once, before it is kept: here and nowhere else.

A PDF edition is checked by content (reports/pdfs.py) and its facts recorded; a lead image
is checked, stripped of metadata and made into renditions (reports/images.py). The admin's
forms check an upload while validating, so a refusal shows beside the field and nothing is
stored; they hand what the check found to the functions below when saving. Other writers
(the demo loader, tests, the shell) call the same functions with the file alone.
"""

import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from genocidewatch.storedfiles import Folder, new_name

from .filenames import clean_original_name
from .images import process_image
from .models import Report, release_stored_file
from .pdfs import inspect_pdf


def check_pdf(upload, *, preview_page=1):
    """The facts of an uploaded PDF edition, or a ValidationError for its `file` field."""
    try:
        return inspect_pdf(upload, preview_page=preview_page)
    except ValidationError as error:
        raise ValidationError({"file": error}) from error


def attach_pdf(attachment, upload, *, facts=None):
    """Make `upload` the edition's file, with its facts and preview (not yet saved)."""
    facts = facts or check_pdf(upload, preview_page=attachment.preview_page or 1)
    attachment.file = upload
    attachment.original_name = clean_original_name(upload.name)
    attachment.size, attachment.page_count = facts.size, facts.page_count
    attachment.sha256, attachment.text = facts.sha256, facts.text
    attachment.set_preview(facts)
    return attachment


def check_image(upload):
    """The clean picture and its renditions, or a ValidationError for `lead_image`."""
    try:
        return process_image(upload)
    except ValidationError as error:
        raise ValidationError({"lead_image": error}) from error


def set_lead_image(report, upload, *, processed=None):
    """Give the report a new lead image (or none), storing the clean copy and renditions;
    the files of the one it replaces go once the change is committed (unless a revision
    still names them). The report itself is saved by the caller."""
    old = []
    if report.pk:
        before = Report.objects.filter(pk=report.pk).values_list(
            "lead_image", "lead_image_renditions"
        )
        for original, renditions in before:
            old = ([original] if original else []) + [f["name"] for f in renditions or []]
    storage = Report._meta.get_field("lead_image").storage
    if upload:
        processed = processed or check_image(upload)
        stem = uuid.uuid4().hex
        files = []
        for rendition in processed.renditions:
            name = storage.save(
                new_name(Folder.IMAGES, rendition.format, stem=f"{stem}-{rendition.width}"),
                ContentFile(rendition.data),
            )
            files.append(
                {
                    "format": rendition.format,
                    "width": rendition.width,
                    "height": rendition.height,
                    "name": name,
                }
            )
        report.lead_image = ContentFile(processed.original, name=f"{stem}.{processed.extension}")
        report.lead_image_renditions = files
    else:
        report.lead_image = None
        report.lead_image_renditions = []
    for name in old:
        release_stored_file(storage, name)
    return report
