from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from . import search
from .models import (
    Attachment,
    Country,
    FormerCountrySlug,
    Recommendation,
    Report,
    release_stored_file,
)


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


# A signal, not Country.save(): restoring an earlier revision in the admin writes the row
# without calling save(), and the slug it replaces must keep working all the same.
@receiver(pre_save, sender=Country)
def keep_former_slug(sender, instance, **kwargs):
    if instance.pk is None:
        return
    before = Country.objects.filter(pk=instance.pk).values_list("slug", flat=True).first()
    if not before or before == instance.slug:
        return
    FormerCountrySlug.objects.update_or_create(
        slug=before, defaults={"country": instance, "replaced_at": timezone.now()}
    )
    # The country has its address back (or takes up one another country left): it is
    # nobody's former address any more.
    FormerCountrySlug.objects.filter(slug=instance.slug).delete()
