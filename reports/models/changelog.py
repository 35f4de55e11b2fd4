from django.db import models
from django.utils.translation import gettext_lazy as _

from genocidewatch.links import link

from .report import Correction, Report
from .vocabularies import AlertLevel, Country, Stage


class StatusChangeQuerySet(models.QuerySet):
    def public(self):
        """Changes readers may see: those of reports `public()` allows, nothing else. A
        scheduled report's change shows when the report does, with no job to run."""
        return self.filter(report__in=Report.objects.public())

    def newest_first(self):
        return self.order_by("-changed_at", "-pk")

    def for_display(self):
        """With the report and country, and every stage's name read once for the lot."""
        return self.select_related("country", "report")

    def _fetch_all(self):
        super()._fetch_all()
        if self._result_cache and isinstance(self._result_cache[0], StatusChange):
            names = dict(Stage.objects.values_list("number", "name"))
            for change in self._result_cache:
                change.stage_names = names


class StatusChange(models.Model):
    """A dated change of a country's assessment (alert level or stages), with the reason
    the editor gave for it when publishing. Recorded by the workflow (reports/changelog.py)."""

    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="status_changes")
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="status_changes")
    # Set when published changes to a live report made the change; empty when the report's
    # own publication did.
    correction = models.OneToOneField(
        Correction,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="status_change",
    )
    changed_at = models.DateTimeField(help_text="When the change became public.")
    level_from = models.CharField(max_length=20, choices=AlertLevel)
    level_to = models.CharField(max_length=20, choices=AlertLevel)
    # Stage numbers (1 to 10): numbers never change, while staff may reword a stage's name.
    stages_added = models.JSONField(default=list, blank=True)
    stages_removed = models.JSONField(default=list, blank=True)
    reason = models.TextField(
        max_length=500,
        blank=True,
        help_text="Why the assessment changed, as readers see it. Empty only for changes "
        "made before reasons were asked for.",
    )

    objects = StatusChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.country}: {self.summary}"

    def get_absolute_url(self):
        return link("reports:country", slug=self.country.slug) + f"#change-{self.pk}"

    @property
    def level_changed(self):
        return self.level_from != self.level_to

    @property
    def level_from_label(self):
        return AlertLevel(self.level_from).label

    @property
    def level_to_label(self):
        return AlertLevel(self.level_to).label

    def _stages(self, numbers):
        names = getattr(self, "stage_names", None)
        if names is None:
            names = dict(Stage.objects.filter(number__in=numbers).values_list("number", "name"))
        return [f"{number}. {names.get(number, '')}".strip() for number in sorted(numbers)]

    @property
    def added_stage_names(self):
        return self._stages(self.stages_added)

    @property
    def removed_stage_names(self):
        return self._stages(self.stages_removed)

    @property
    def summary(self):
        """“Genocide Warning → Genocide Emergency; stages added: 7. Preparation”."""
        parts = []
        if self.level_changed:
            parts.append(f"{self.level_from_label} → {self.level_to_label}")
        if self.stages_added:
            parts.append(_("stages added: %s") % ", ".join(self.added_stage_names))
        if self.stages_removed:
            parts.append(_("stages removed: %s") % ", ".join(self.removed_stage_names))
        return "; ".join(str(part) for part in parts)
