from django.db import models


class Platform(models.TextChoices):
    """Where the organisation can be followed. Each has an icon of ours in templates/icons/."""

    FACEBOOK = "facebook", "Facebook"
    X = "x", "X (Twitter)"
    YOUTUBE = "youtube", "YouTube"
    INSTAGRAM = "instagram", "Instagram"
    LINKEDIN = "linkedin", "LinkedIn"
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"
    TELEGRAM = "telegram", "Telegram"
    WHATSAPP = "whatsapp", "WhatsApp"
    WEBSITE = "website", "Other website"


class FollowLink(models.Model):
    """A link in the “Follow us” list at the foot of every page."""

    platform = models.CharField(max_length=20, choices=Platform)
    url = models.URLField(
        "address", max_length=300, help_text="The full address of the organisation's page there."
    )
    label = models.CharField(
        max_length=60,
        blank=True,
        help_text="What readers see and hear for the link. Leave empty to use the platform name.",
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["url"], name="follow_link_url_unique"),
        ]

    def __str__(self):
        return self.display_label

    @property
    def display_label(self):
        return self.label or self.get_platform_display()

    @property
    def icon_template(self):
        return f"icons/{self.platform}.svg"


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
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.email


class Announcement(models.Model):
    """That a report's alerts have been sent out (or queued): at most once per report."""

    report = models.OneToOneField(
        "reports.Report", on_delete=models.CASCADE, related_name="announcement"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Alerts for {self.report}"


class Delivery(models.Model):
    """One alert email to one subscriber about one report: the record that stops a second."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "report"], name="one_alert_per_report")
        ]
        verbose_name_plural = "deliveries"

    def __str__(self):
        return f"{self.report} → {self.subscriber}"
