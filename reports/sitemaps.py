from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from .models import Addressee, Country, Report, Stage


class LanguagesSitemap(Sitemap):
    """Every page once per language (settings.LANGUAGES), each entry naming the page in the
    other languages and the default one (x-default) for search engines."""

    i18n = True
    alternates = True
    x_default = True


class ReportSitemap(LanguagesSitemap):
    def items(self):
        return Report.objects.public().newest_first()

    def lastmod(self, report):
        return report.updated_at


class CountrySitemap(LanguagesSitemap):
    def items(self):
        return (
            Country.objects.filter(reports__in=Report.objects.public())
            .annotate(last_change=Max("reports__updated_at"))
            .order_by("name")
        )

    def lastmod(self, country):
        return country.last_change


class StageSitemap(LanguagesSitemap):
    def items(self):
        return Stage.objects.all()


class AddresseeSitemap(LanguagesSitemap):
    def items(self):
        return Addressee.objects.filter(
            recommendations__report__in=Report.objects.public()
        ).distinct()


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
