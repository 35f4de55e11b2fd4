"""Atom feeds: every public report, and one per country and per stage, PDFs as enclosures."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext as _

from genocidewatch import pagecache

from . import translations
from .models import Country, Report, Stage, StatusChange
from .views import to_renamed_country

FEED_LENGTH = 50


class AtomFeed(Atom1Feed):
    """An Atom feed whose `updated`, when it has no entry, is the site's last change rather
    than the moment it was asked for (which would make an unchanged feed look new)."""

    def latest_post_date(self):
        if self.items:
            return super().latest_post_date()
        return self.feed["last_change"]


class ReportFeed(Feed):
    feed_type = AtomFeed

    def feed_extra_kwargs(self, obj):
        return {"last_change": pagecache.last_change()}

    def title(self, obj=None):
        return gettext("%(site)s: reports and alerts") % {"site": settings.SITE_NAME}

    def subtitle(self, obj=None):
        return gettext("Country reports and genocide alerts, newest first.")

    def link(self, obj=None):
        return reverse("reports:list")

    def reports(self, obj):
        return Report.objects.public()

    def items(self, obj=None):
        # In the feed's language: each report's public translation into it where there is one.
        return translations.localise(
            self.reports(obj)
            .select_related("country")
            .prefetch_related("attachments", "authorships__author")
            .newest_first()[:FEED_LENGTH],
            get_language(),
        )

    def item_title(self, item):
        return item.full_title

    def item_description(self, item):
        return item.summary

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return ", ".join(author.name for author in item.authors) or None

    def item_categories(self, item):
        return [item.country.local_name, item.get_alert_level_display()]

    def item_enclosures(self, item):
        return [
            Enclosure(
                self.request.build_absolute_uri(a.get_absolute_url()),
                str(a.size),
                "application/pdf",
            )
            for a in item.attachments.all()
        ]

    @classmethod
    def as_view(cls):
        """The feed as a view that makes a feed of its own for every request.

        A feed keeps the request it answers (enclosures need the host the reader used), so
        one instance shared by a process's threads would let one reader's request leak into
        another's feed.
        """

        def view(request, *args, **kwargs):
            return cls()(request, *args, **kwargs)

        view.feed_class = cls
        return view

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)


class CountryReportFeed(ReportFeed):
    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except Http404:
            # Raised only when no country has the slug now; it may be one a country had.
            return to_renamed_country(kwargs["slug"], "reports:country_feed")

    def get_object(self, request, slug):
        return get_object_or_404(Country, slug=slug)

    def title(self, obj=None):
        return f"{settings.SITE_NAME}: {obj.local_name}"

    def subtitle(self, obj=None):
        return gettext("Reports and alerts on %(country)s, newest first.") % {
            "country": obj.local_name
        }

    def link(self, obj=None):
        return obj.get_absolute_url()

    def reports(self, obj):
        return Report.objects.public().filter(country=obj)


class StageReportFeed(ReportFeed):
    def get_object(self, request, number):
        return get_object_or_404(Stage, number=number)

    def title(self, obj=None):
        return gettext("%(site)s: Stage %(number)s, %(name)s") % {
            "site": settings.SITE_NAME,
            "number": obj.number,
            "name": obj.local_name,
        }

    def subtitle(self, obj=None):
        return gettext("Reports that find a country at stage %(number)s, %(name)s.") % {
            "number": obj.number,
            "name": obj.local_name,
        }

    def link(self, obj=None):
        return obj.get_absolute_url()

    def reports(self, obj):
        return Report.objects.public().filter(stages=obj)


class ChangeFeed(ReportFeed):
    """Dated changes of assessment (alert level, stages) with their reasons, every country."""

    def title(self, obj=None):
        return _("%(site)s: changes of assessment") % {"site": settings.SITE_NAME}

    def subtitle(self, obj=None):
        return _("Changes of alert level and stages, with the reasons, newest first.")

    def link(self, obj=None):
        return reverse("reports:countries")

    def changes(self, obj):
        return StatusChange.objects.public()

    def items(self, obj=None):
        return self.changes(obj).for_display().newest_first()[:FEED_LENGTH]

    def item_title(self, item):
        return f"{item.country.name}: {item.summary}"

    def item_description(self, item):
        return item.reason or _("No reason was recorded for this change.")

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        return self.request.build_absolute_uri(item.get_absolute_url())

    def item_pubdate(self, item):
        return item.changed_at

    def item_updateddate(self, item):
        return item.changed_at

    def item_author_name(self, item):
        return None

    def item_categories(self, item):
        return [item.country.name, item.level_to_label]

    def item_enclosures(self, item):
        return []


class CountryChangeFeed(ChangeFeed):
    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except Http404:
            return to_renamed_country(kwargs["slug"], "reports:country_changes_feed")

    def get_object(self, request, slug):
        return get_object_or_404(Country, slug=slug)

    def title(self, obj=None):
        return _("%(site)s: changes of assessment, %(country)s") % {
            "site": settings.SITE_NAME,
            "country": obj.name,
        }

    def link(self, obj=None):
        return obj.get_absolute_url()

    def changes(self, obj):
        return StatusChange.objects.public().filter(country=obj)
