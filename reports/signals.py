from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import Attachment, delete_stored_file_on_commit


# A signal, not Attachment.delete(): deleting a report removes its attachments through the
# cascade, which never calls the model's delete().
@receiver(post_delete, sender=Attachment)
def remove_file_of_deleted_attachment(sender, instance, **kwargs):
    if instance.file:
        delete_stored_file_on_commit(instance.file.storage, instance.file.name)
