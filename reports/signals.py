from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import Attachment, release_stored_file


# A signal, not Attachment.delete(): deleting a report removes its attachments through the
# cascade, which never calls the model's delete().
@receiver(post_delete, sender=Attachment)
def remove_file_of_deleted_attachment(sender, instance, **kwargs):
    if instance.file:
        release_stored_file(instance.file.storage, instance.file.name)
