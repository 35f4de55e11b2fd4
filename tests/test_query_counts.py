"""Every public page costs a fixed number of SQL queries, however much content there is.

Each page is fetched with a handful of reports and again with 1,000 reports across many
countries, each with stages, recommendations, PDF editions and authors: the counts must be
equal, and within the bound. The counts are reported at the end of the run.
"""

import itertools

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_countries import countries

from reports.models import (
    Addressee,
    AlertLevel,
    Attachment,
    Author,
    Authorship,
    Country,
    Recommendation,
    Report,
    Stage,
)
from reports.translations import mark_translated_originals

from .measurements import SUMMARY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_page_cache")]

PAGES = {
    "home": "/",
    "report list": "/reports/",
    "report list, filtered": "/reports/?country=mali&stage=5&alert=emergency&year=2023",
    "search": "/reports/?q=displaced",
    "report page": "/reports/report-1/",
    "report page, no translation": "/reports/report-2/",
    "countries": "/countries/",
    "country": "/countries/mali/",
    "stages": "/stages/",
    "stage": "/stages/5/",
    "recommendations": "/recommendations/",
    "recommendations, filtered": "/recommendations/?addressee=addressee-1&country=mali",
    "addressee": "/addressees/addressee-1/",
    "feed": "/feeds/reports/",
    "country feed": "/countries/mali/feed/",
    "stage feed": "/stages/5/feed/",
    "sitemap": "/sitemap.xml",
    "sitemap, reports": "/sitemap-reports.xml",
    # In French: each report's French translation where there is one (every other report).
    "home, fr": "/fr/",
    "report list, fr": "/fr/reports/",
    "search, fr": "/fr/reports/?q=displaced",
    "report page, translated, fr": "/fr/reports/report-1/",
    "report page, not translated, fr": "/fr/reports/report-2/",
    "countries, fr": "/fr/countries/",
    "country, fr": "/fr/countries/mali/",
    "stage, fr": "/fr/stages/5/",
    "feed, fr": "/fr/feeds/reports/",
    "citation, fr": "/fr/reports/report-1/citation.ris",
}
# Two of these are the site's identity and its menus (pages/chrome.py), which the page cache
# keeps in production so that a stored version costs none; here nothing is stored.
BOUND = 14

# Levels and stages cycle so that every country ends up with a mix of both.
LEVELS = itertools.cycle(list(AlertLevel))


def populate(report_count, country_count):
    """Bulk-create reports with everything their pages show (files are not needed here)."""
    codes = ["ML"] + [code for code, _ in countries if code != "ML"][: country_count - 1]
    made = Country.objects.bulk_create(
        [
            Country(
                code=code,
                name=countries.name(code),
                slug="mali" if code == "ML" else f"country-{code.lower()}",
            )
            for code in codes
        ]
    )
    addressees = Addressee.objects.bulk_create(
        [Addressee(name=f"Addressee {i}", slug=f"addressee-{i}") for i in range(1, 21)]
    )
    author = Author.objects.create(name="Esme Matthews")
    now = timezone.now()
    reports = Report.objects.bulk_create(
        [
            Report(
                country=made[i % len(made)],
                year=2000 + i % 24,
                alert_level=next(LEVELS),
                title=f"Report {i}",
                slug=f"report-{i}",
                summary="People displaced by the fighting.",
                body="<p>Thousands displaced.</p>",
                search_text="Thousands displaced.",
                status=Report.Status.PUBLISHED,
                published_at=now - timezone.timedelta(hours=i + 1),
            )
            for i in range(1, report_count + 1)
        ]
    )
    stages = list(Stage.objects.all())
    Report.stages.through.objects.bulk_create(
        [
            Report.stages.through(report=report, stage=stage)
            for i, report in enumerate(reports)
            for stage in stages[i % 3 : i % 3 + 4]
        ]
    )
    Recommendation.objects.bulk_create(
        [
            Recommendation(
                report=r, addressee=addressees[(i + j) % 20], text="should act.", order=j
            )
            for i, r in enumerate(reports)
            for j in range(3)
        ]
    )
    Attachment.objects.bulk_create(
        [
            Attachment(
                report=r,
                file=f"attachments/{r.pk}.pdf",
                original_name="r.pdf",
                size=57_000,
                page_count=3,
                sha256="0" * 64,
            )
            for r in reports
        ]
    )
    Authorship.objects.bulk_create([Authorship(report=r, author=author) for r in reports])
    mali_report = next(r for r in reports if r.country.slug == "mali")
    Recommendation.objects.create(
        report=mali_report, addressee=addressees[0], text="should.", order=9
    )
    translate(reports[::2], author)
    if connection.vendor == "postgresql":
        from reports import search

        for report in reports[:50]:
            search.refresh(report.pk)


def unpopulate():
    Report.objects.all().delete()
    Country.objects.all().delete()
    Addressee.objects.all().delete()
    Author.objects.all().delete()


def translate(originals, author):
    """A public French translation of each of these reports, with all its page shows."""
    made = Report.objects.bulk_create(
        [
            Report(
                translation_of=r,
                language="fr",
                country=r.country,
                year=r.year,
                alert_level=r.alert_level,
                title=f"Rapport {r.pk}",
                slug=r.slug,
                summary="Des personnes déplacées par les combats.",
                body="<p>Des milliers de déplacés.</p>",
                search_text="Des milliers de déplacés.",
                status=Report.Status.PUBLISHED,
                published_at=r.published_at,
            )
            for r in originals
        ]
    )
    translation = {t.translation_of_id: t for t in made}
    Report.stages.through.objects.bulk_create(
        Report.stages.through(report=translation[row.report_id], stage_id=row.stage_id)
        for row in Report.stages.through.objects.filter(report__in=originals)
    )
    Recommendation.objects.bulk_create(
        Recommendation(
            report=translation[r.report_id],
            addressee_id=r.addressee_id,
            text="doit agir.",
            order=r.order,
        )
        for r in Recommendation.objects.filter(report__in=originals)
    )
    Authorship.objects.bulk_create([Authorship(report=t, author=author) for t in made])
    mark_translated_originals()  # bulk-created rows send no signals


def count_queries(url):
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    if response.streaming:
        b"".join(response.streaming_content)
    return len(queries)


def test_every_public_page_makes_the_same_few_queries_with_1000_reports():
    populate(report_count=4, country_count=2)
    small = {name: count_queries(url) for name, url in PAGES.items()}
    unpopulate()

    populate(report_count=1000, country_count=60)
    large = {name: count_queries(url) for name, url in PAGES.items()}

    for name in PAGES:
        SUMMARY.append(f"queries, {name}: {large[name]} (with 1,000 reports)")
    assert large == small
    assert max(large.values()) <= BOUND
    # A report never translated skips looking for its translations.
    assert large["report page, no translation"] == large["report page"] - 1


# The staff list of reports, as an editor opens it, filters it and searches it. Its page of
# 100 rows, the filters' choices and the counts are each one query whatever the number of
# reports; the rest is the session, the sign-in checks and the admin's menus.
STAFF_LISTS = {
    "staff list": "/admin/reports/report/",
    "staff list, public": "/admin/reports/report/?state=public",
    "staff list, French": "/admin/reports/report/?language=fr",
    "staff list, searched": "/admin/reports/report/?q=Report",
}
STAFF_LIST_BOUND = 21


def in_every_state(reports):
    """Drafts, reports in review and scheduled ones among the published: the state column
    reads each row's own (and a translation its original's) from the page's one query."""
    now = timezone.now()
    originals = list(reports.filter(translation_of__isnull=True).order_by("pk"))
    Report.objects.filter(pk__in=[r.pk for r in originals[1::5]]).update(
        status=Report.Status.DRAFT, published_at=None
    )
    Report.objects.filter(pk__in=[r.pk for r in originals[2::5]]).update(
        status=Report.Status.IN_REVIEW, published_at=None
    )
    Report.objects.filter(pk__in=[r.pk for r in originals[3::5]]).update(
        published_at=now + timezone.timedelta(days=3)
    )


def count_staff_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_the_staff_list_makes_the_same_queries_with_10_or_200_reports(editor_client):
    populate(report_count=10, country_count=2)
    in_every_state(Report.objects.all())
    small = {name: count_staff_queries(editor_client, url) for name, url in STAFF_LISTS.items()}
    unpopulate()

    populate(report_count=200, country_count=60)
    in_every_state(Report.objects.all())
    large = {name: count_staff_queries(editor_client, url) for name, url in STAFF_LISTS.items()}

    for name in STAFF_LISTS:
        SUMMARY.append(f"queries, {name}: {large[name]} (with 200 reports)")
    assert large == small
    assert max(large.values()) <= STAFF_LIST_BOUND
