from django.db import models

# These tables were made when the models lived in the `follow` app; they kept their names
# when the models moved here (see migrations/0001_initial.py), so no data was copied.


class Subscriber(models.Model):
    """Someone who asked for email alerts. Nothing is sent but the confirmation until
    `confirmed_at` is set; unsubscribing deletes the row."""

    email = models.EmailField(unique=True)
    all_reports = models.BooleanField(
        default=True, help_text="Every new report; otherwise only those on the chosen countries."
    )
    countries = models.ManyToManyField("reports.Country", blank=True, related_name="+")
    level_changes_only = models.BooleanField(
        default=False, help_text="Only when a country's alert level changes."
    )
    language = models.CharField(
        max_length=10,
        default="en",
        help_text="The language of the emails: a code from the site's languages (LANGUAGES).",
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "follow_subscriber"
        ordering = ["email"]

    def __str__(self):
        return self.email


class Announcement(models.Model):
    """That a report's alerts have been sent out (or queued): at most once per report."""

    report = models.OneToOneField(
        "reports.Report", on_delete=models.CASCADE, related_name="announcement"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "follow_announcement"

    def __str__(self):
        return f"Alerts for {self.report}"


class Delivery(models.Model):
    """One alert email to one subscriber about one report: the record that stops a second,
    and, when the mail server refused it, what went wrong."""

    class Status(models.TextChoices):
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="+")
    # Set when the email told of a change to a published report that moved its alert level;
    # empty for the announcement of the report itself.
    correction = models.ForeignKey(
        "reports.Correction", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True, help_text="When it was sent or tried.")
    status = models.CharField(max_length=10, choices=Status, default=Status.SENT)
    error = models.TextField(blank=True, help_text="Why the mail server did not take it.")

    class Meta:
        db_table = "follow_delivery"
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "report"],
                condition=models.Q(correction__isnull=True),
                name="one_alert_per_report",
            ),
            models.UniqueConstraint(
                fields=["subscriber", "correction"],
                condition=models.Q(correction__isnull=False),
                name="one_alert_per_level_change",
            ),
        ]
        verbose_name_plural = "deliveries"

    def __str__(self):
        return f"{self.report} → {self.subscriber}"
