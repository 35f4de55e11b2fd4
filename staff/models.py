import zoneinfo

from django.conf import settings
from django.db import models


def time_zone_choices():
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class StaffProfile(models.Model):
    """A staff member's own settings for the desk."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        choices=time_zone_choices,
        help_text="Times in the admin are shown in this zone, and the times you type are read "
        "in it. Leave empty for the site's zone.",
    )

    def __str__(self):
        return f"Settings of {self.user}"

    @property
    def zone(self):
        return zoneinfo.ZoneInfo(self.time_zone or settings.TIME_ZONE)
