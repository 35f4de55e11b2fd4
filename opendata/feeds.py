"""The CAP index: an Atom feed of the latest CAP message of every public report, and of
the Cancel messages of the last `CANCELS_LISTED_DAYS` days."""

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from reports.feeds import FEED_LENGTH, ReportFeed
from reports.models import Report

from . import cap
from .models import CapCancellation

CANCELS_LISTED_DAYS = 30


class CapIndexFeed(ReportFeed):
    feed_type = Atom1Feed

    def title(self, obj=None):
        return _("%(site)s: CAP alerts") % {"site": settings.SITE_NAME}

    def subtitle(self, obj=None):
        return _("Common Alerting Protocol 1.2 messages of our reports, newest first.")

    def link(self, obj=None):
        return reverse("opendata:data")

    def items(self, obj=None):
        reports = list(
            Report.objects.public()
            .select_related("country")
            .prefetch_related("corrections")
            .newest_first()[:FEED_LENGTH]
        )
        self.withdrawn = cap.withdrawals([report.pk for report in reports])
        since = timezone.now() - timedelta(days=CANCELS_LISTED_DAYS)
        cancels = list(CapCancellation.objects.filter(sent__gte=since)[:FEED_LENGTH])
        return sorted(reports + cancels, key=self.item_updateddate, reverse=True)[:FEED_LENGTH]

    def item_title(self, item):
        if isinstance(item, CapCancellation):
            return _("Cancel: a report was withdrawn")
        return f"{item.headline}: {item.title}"

    def item_description(self, item):
        if isinstance(item, CapCancellation):
            return _("A report was withdrawn by the publisher; its alerts are cancelled.")
        return item.summary

    def item_link(self, item):
        if isinstance(item, CapCancellation):
            return reverse("opendata:cap_cancel", args=[item.identifier])
        return reverse("opendata:cap", args=[item.slug])

    def item_pubdate(self, item):
        if isinstance(item, CapCancellation):
            return item.sent
        return item.published_at

    def item_updateddate(self, item):
        if isinstance(item, CapCancellation):
            return item.sent
        history = cap.messages_of(item, self.withdrawn.get(item.pk, []))
        return max(sent for _, sent, _ in history)

    def item_author_name(self, item):
        return None

    def item_categories(self, item):
        if isinstance(item, CapCancellation):
            return ["Cancel"]
        return [item.country.name, item.get_alert_level_display()]

    def item_enclosures(self, item):
        return []
