from collections import defaultdict

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Exists, Max, OuterRef
from django.urls import reverse

from genocidewatch.links import link
from genocidewatch.pagecache import kept_with_content

from .models import Addressee, Country, Recommendation, Report, Stage


def latest_report_change():
    """When a public report last changed. The index asks for the reports and the countries;
    kept with the stored pages, it is read once."""
    return kept_with_content(
        "sitemap-latest-report-change",
        lambda: Report.objects.public().aggregate(last=Max("updated_at"))["last"],
    )


class InLanguages(Paginator):
    """Pages of items, each then given once per language it is read in. The page is cut
    from the items first (a COUNT and a LIMIT/OFFSET on a queryset), so a part never loads
    more rows than it lists; Django's own i18n sitemaps pair every item with every language
    in a list before cutting, which reads every row for every part."""

    def __init__(self, items, per_page, in_languages):
        super().__init__(items, per_page)
        self.in_languages = in_languages

    def _get_page(self, object_list, number, paginator):
        return super()._get_page(self.in_languages(list(object_list)), number, paginator)


class LanguagesSitemap(Sitemap):
    """Every page once per language (settings.LANGUAGES), each entry naming the page in the
    other languages and the default one (x-default) for search engines."""

    i18n = True
    alternates = True
    x_default = True

    @property
    def limit(self):
        # An item is up to one address per language; a part holds no more addresses than
        # SITEMAP_PART_ADDRESSES.
        return max(1, settings.SITEMAP_PART_ADDRESSES // len(settings.LANGUAGES))

    @property
    def paginator(self):
        return InLanguages(self.items(), self.limit, self.in_languages)

    def in_languages(self, items):
        return [(item, code) for item in items for code in self.get_languages_for_item(item)]


class ReportSitemap(LanguagesSitemap):
    """Each report in the languages readers may read it in, as its page offers them: its
    own, and those of its public translations (at the same address under /fr/, /ar/)."""

    def items(self):
        return Report.objects.public().newest_first().only("slug", "language", "updated_at")

    def in_languages(self, reports):
        translated = defaultdict(dict)
        for original, language, updated_at in (
            Report.objects.public_translations()
            .filter(translation_of__in=reports)
            .order_by()
            .values_list("translation_of_id", "language", "updated_at")
        ):
            translated[original][language] = updated_at
        for report in reports:
            versions = {report.language: report.updated_at, **translated[report.pk]}
            report.languages = [code for code, _ in settings.LANGUAGES if code in versions]
            # A new translation changes every version's page (its alternates, the switcher).
            report.last_change = max(versions.values())
        return super().in_languages(reports)

    def get_languages_for_item(self, report):
        return report.languages

    def location(self, report):
        # In the active language (the entry's): Report.get_absolute_url gives the report's own.
        return link("reports:detail", slug=report.slug)

    def lastmod(self, report):
        return report.last_change

    def get_latest_lastmod(self):
        translated = Report.objects.public_translations().aggregate(last=Max("updated_at"))
        return max(filter(None, [latest_report_change(), translated["last"]]), default=None)


class CountrySitemap(LanguagesSitemap):
    def items(self):
        public = Report.objects.public().filter(country=OuterRef("pk"))
        return Country.objects.filter(Exists(public)).only("slug").order_by("name")

    def in_languages(self, countries):
        # Each country's latest change for this part's countries only, grouped in one query
        # (the count and the part above are read from the reports' country index).
        latest = dict(
            Report.objects.public()
            .filter(country__in=countries)
            .order_by()
            .values_list("country")
            .annotate(last=Max("updated_at"))
        )
        for country in countries:
            country.last_change = latest.get(country.pk)
        return super().in_languages(countries)

    def lastmod(self, country):
        return country.last_change

    def get_latest_lastmod(self):
        return latest_report_change()


class StageSitemap(LanguagesSitemap):
    def items(self):
        return Stage.objects.all()


class AddresseeSitemap(LanguagesSitemap):
    def items(self):
        asked = Recommendation.objects.filter(report__in=Report.objects.public())
        return Addressee.objects.filter(pk__in=asked.values("addressee"))


class PageSitemap(LanguagesSitemap):
    def items(self):
        return [
            "reports:home",
            "reports:list",
            "reports:countries",
            "reports:stages",
            "reports:recommendations",
        ]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "pages": PageSitemap,
    "reports": ReportSitemap,
    "countries": CountrySitemap,
    "stages": StageSitemap,
    "addressees": AddresseeSitemap,
}
