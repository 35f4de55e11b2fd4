from django.db import models
from django.utils.translation import gettext_lazy as _


class Platform(models.TextChoices):
    """Where the organisation can be followed. Each has an icon of ours in templates/icons/."""

    FACEBOOK = "facebook", "Facebook"
    X = "x", _("X (Twitter)")
    YOUTUBE = "youtube", "YouTube"
    INSTAGRAM = "instagram", "Instagram"
    LINKEDIN = "linkedin", "LinkedIn"
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"
    TELEGRAM = "telegram", "Telegram"
    WHATSAPP = "whatsapp", "WhatsApp"
    WEBSITE = "website", _("Other website")


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
