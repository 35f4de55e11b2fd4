from django.db import models


class DailyCount(models.Model):
    """How many times readers opened a report's page and downloaded its PDFs on one day.

    Numbers only: nothing about who the readers were is kept (reports/counts.py)."""

    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    views = models.PositiveIntegerField(default=0)
    downloads = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["report", "day"], name="one_count_per_report_a_day"),
        ]
        indexes = [models.Index(fields=["day"])]

    def __str__(self):
        return f"{self.day}: {self.views} views, {self.downloads} downloads"
