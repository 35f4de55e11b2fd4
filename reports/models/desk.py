"""What the editorial desk keeps beside a report: the evidence for each stage it names, and
text autosaved while someone writes."""

from django.conf import settings
from django.db import models

from .report import Report
from .vocabularies import Stage


class StageEvidence(models.Model):
    """Why a report puts the country at a stage: a short note readers see under the stage,
    and where it can be checked."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="stage_evidence")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(
        max_length=600,
        help_text="One or two sentences: what in the country shows this stage.",
    )
    source = models.URLField(
        "source link", max_length=500, blank=True, help_text="Where a reader can check it."
    )

    class Meta:
        ordering = ["stage__number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "stage"], name="evidence_once_per_stage"),
        ]

    def __str__(self):
        return f"Why stage {self.stage.number}: {self.note}"


class Autosave(models.Model):
    """Text one person was writing in a report's form, saved while they write.

    Kept beside the report, never on it: an autosave makes no revision, changes nothing
    readers or other staff see, and cannot land on top of someone else's save. The person
    is offered it when they next open the report (after an expired session or a crash)."""

    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.CASCADE, related_name="autosaves"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The report's edit counter when the form was opened: the save it builds on.
    based_on_version = models.PositiveIntegerField(default=0)
    fields = models.JSONField(default=dict)
    saved_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-saved_at"]
        constraints = [
            models.UniqueConstraint(fields=["report", "user"], name="one_autosave_per_person"),
        ]

    def __str__(self):
        return f"Autosave of {self.report or 'a new report'} by {self.user}"
