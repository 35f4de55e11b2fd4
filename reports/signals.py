from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import search
from .models import Attachment, Recommendation, Report, release_stored_file


# A signal, not Attachment.delete(): deleting a report removes its attachments through the
# cascade, which never calls the model's delete().
@receiver(post_delete, sender=Attachment)
def remove_files_of_deleted_attachment(sender, instance, **kwargs):
    for fieldfile in (instance.file, instance.preview):
        if fieldfile:
            release_stored_file(fieldfile.storage, fieldfile.name)


# Search text is kept current from every write path (the admin, the workflow, the demo
# loader, the shell): whenever a report or one of its parts changes, its entry is redone in
# the same transaction.
@receiver(post_save, sender=Report)
def reindex_saved_report(sender, instance, **kwargs):
    search.refresh(instance.pk)


@receiver(post_save, sender=Recommendation)
@receiver(post_save, sender=Attachment)
@receiver(post_delete, sender=Recommendation)
@receiver(post_delete, sender=Attachment)
def reindex_report_of_part(sender, instance, **kwargs):
    search.refresh(instance.report_id)
