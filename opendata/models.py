from django.db import models


class CapCancellation(models.Model):
    """A CAP Cancel message: a report that was public has been withdrawn (unpublished or
    deleted). It names the messages it cancels by their identifiers alone, and keeps no
    link to the report, so nothing of the report's content can ever be read through it."""

    identifier = models.CharField(max_length=200, unique=True)
    # The report's id, only to give its next publication identifiers of its own.
    report_id = models.PositiveBigIntegerField(db_index=True)
    # "sender,identifier,sent" of each message cancelled, space-separated (CAP 1.2, 3.2.1).
    references = models.TextField()
    sent = models.DateTimeField()

    class Meta:
        ordering = ["-sent", "-pk"]

    def __str__(self):
        return self.identifier
