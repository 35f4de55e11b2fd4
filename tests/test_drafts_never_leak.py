"""No public response ever carries a word of a report that is not public.

Draft, in-review and scheduled reports each carry a unique canary string in their title,
summary, body, recommendation and attachment file name; every public surface is fetched and
searched for them. SURFACES names each public URL; a public URL added to the site without
being added here fails `test_every_public_url_is_checked`.
"""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver
from django.utils import timezone
from PIL import Image

from genocidewatch.urls import SITEMAPS
from opendata import data
from opendata.models import CapCancellation
from pages.models import Identity, Page
from reports import uploads, workflow
from reports.models import Recommendation, Report, Stage, StatusChange
from sharing.cards import card_version

from . import factories

pytestmark = pytest.mark.django_db

Status = Report.Status


def small_png():
    out = io.BytesIO()
    Image.new("RGB", (60, 40), "red").save(out, "PNG")
    return out.getvalue()


def hidden_report(canary, **fields):
    report = factories.report(
        title=f"Report {canary}",
        summary=f"Summary {canary}",
        body=f"<p>Body {canary}</p>",
        **fields,
    )
    report.stages.set(Stage.objects.all())
    uploads.set_lead_image(report, SimpleUploadedFile(f"{canary}.png", small_png(), "image/png"))
    report.lead_image_alt = f"Picture {canary}"
    report.save()
    Recommendation.objects.create(
        report=report, addressee=factories.addressee(), text=f"should {canary}.", order=0
    )
    factories.attachment(report, name=f"{canary}.pdf", content=factories.pdf_bytes(canary))
    # A change of assessment it made, as if published with its reason.
    StatusChange.objects.create(
        country=report.country,
        report=report,
        changed_at=report.published_at or timezone.now(),
        level_from="watch",
        level_to=report.alert_level,
        reason=f"Reason {canary}",
    )
    return report


@pytest.fixture
def hidden():
    """One report in each state that must never show: keyed by its canary."""
    return {
        "CANARYDRAFT1": hidden_report("CANARYDRAFT1", status=Status.DRAFT),
        "CANARYREVIEW2": hidden_report("CANARYREVIEW2", status=Status.IN_REVIEW),
        "CANARYSCHEDULED3": hidden_report(
            "CANARYSCHEDULED3",
            status=Status.PUBLISHED,
            published_at=timezone.now() + timedelta(days=2),
        ),
    }


def list_urls(reports):
    country = reports[0].country
    urls = ["/reports/", "/reports/?page=1", f"/reports/?country={country.slug}"]
    # Searched for all but the canary's last letter: the page repeats the query, and would
    # show the whole canary only if a hidden report matched.
    urls += [f"/reports/?q={report.title.split()[-1][:-1]}" for report in reports]
    urls += ["/reports/?stage=5", "/reports/?alert=emergency", "/reports/?year=2023"]
    return urls


# Every public URL name, and the addresses of it to fetch for the given hidden reports.
SURFACES = {
    "reports:home": lambda reports: ["/"],
    "reports:list": list_urls,
    "reports:detail": lambda reports: [r.get_absolute_url() for r in reports],
    "reports:file": lambda reports: [
        a.get_absolute_url() for r in reports for a in r.attachments.all()
    ],
    "reports:preview": lambda reports: [
        a.get_preview_url() for r in reports for a in r.attachments.all()
    ],
    "reports:image": lambda reports: [r.image_url(n) for r in reports for n in r.image_names],
    "reports:citation": lambda reports: [
        f"/reports/{r.slug}/citation.{fmt}" for r in reports for fmt in ("bib", "ris", "json")
    ],
    "reports:countries": lambda reports: ["/countries/", "/countries/?sort=name"],
    "reports:country": lambda reports: [r.country.get_absolute_url() for r in reports],
    "reports:country_feed": lambda reports: [f"/countries/{r.country.slug}/feed/" for r in reports],
    "reports:stages": lambda reports: ["/stages/"],
    "reports:stage": lambda reports: [f"/stages/{n}/" for n in range(1, 11)],
    "reports:stage_feed": lambda reports: [f"/stages/{n}/feed/" for n in range(1, 11)],
    "reports:recommendations": lambda reports: (
        ["/recommendations/"]
        + [f"/recommendations/?addressee={a.slug}" for a in addressees(reports)]
        + [f"/recommendations/?country={r.country.slug}" for r in reports]
    ),
    "reports:addressee": lambda reports: [a.get_absolute_url() for a in addressees(reports)],
    "reports:feed": lambda reports: ["/feeds/reports/"],
    "reports:changes_feed": lambda reports: ["/feeds/changes/"],
    "opendata:cap": lambda reports: [f"/reports/{r.slug}/cap.xml" for r in reports],
    "opendata:cap_feed": lambda reports: ["/feeds/cap/"],
    "opendata:cap_cancel": lambda reports: [
        f"/feeds/cap/cancel/{c.identifier}.xml" for c in CapCancellation.objects.all()
    ],
    "opendata:data": lambda reports: ["/data/"],
    "opendata:file": lambda reports: [f"/data/{name}" for name in data.FILES],
    "reports:country_changes_feed": lambda reports: [
        f"/countries/{r.country.slug}/changes/feed/" for r in reports
    ],
    "sharing:card": lambda reports: [
        f"/reports/{r.slug}/card-{card_version(r)}.png" for r in reports
    ],
    # Page cards are pictures: followed from any version to the current one, which a hidden
    # report must not change (tests/test_page_metadata.py compares their versions).
    "sharing:home_card": lambda reports: ["/card-0.png"],
    "sharing:country_card": lambda reports: [
        f"/countries/{r.country.slug}/card-0.png" for r in reports
    ],
    "sharing:stage_card": lambda reports: [f"/stages/{n}/card-0.png" for n in range(1, 11)],
    # Pages staff write: every page in the database (the tests below make only hidden ones),
    # and the identity's files, which all pages name.
    "pages:page": lambda reports: [p.get_absolute_url() for p in Page.objects.all()],
    "pages:logo": lambda reports: [Identity.current().logo_url() or "/site/logo-x.svg"],
    "pages:accent": lambda reports: [Identity.current().accent_url()],
    "pages:card": lambda reports: [Identity.current().card_url()],
    "alerts:subscribe": lambda reports: ["/subscribe/"],
    "alerts:sent": lambda reports: ["/subscribe/sent/"],
    "alerts:confirm": lambda reports: ["/subscribe/confirm/not-a-token/"],
    "alerts:manage": lambda reports: ["/subscribe/manage/not-a-token/"],
    "alerts:unsubscribe": lambda reports: ["/subscribe/unsubscribe/not-a-token/"],
    "sitemap": lambda reports: ["/sitemap.xml"],
    "sitemap_part": lambda reports: [f"/sitemap-{section}.xml" for section in SITEMAPS],
    "robots": lambda reports: ["/robots.txt"],
    "healthz": lambda reports: ["/healthz"],
    "api:index": lambda reports: ["/api/"],
    "api:explorer": lambda reports: ["/api/explorer/"],
    "api:schema": lambda reports: ["/api/schema/"],
    "api:root": lambda reports: ["/api/v1/"],
    "api:reports": lambda reports: (
        [
            "/api/v1/reports/",
            "/api/v1/reports/?page_size=100&stage=5&year=2023",
            "/api/v1/reports/?language=fr",
        ]
        + [f"/api/v1/reports/?country={r.country.slug}" for r in reports]
    ),
    "api:report": lambda reports: [f"/api/v1/reports/{r.slug}/" for r in reports],
    "api:countries": lambda reports: ["/api/v1/countries/"],
    "api:changes": lambda reports: (
        ["/api/v1/changes/?page_size=100"]
        + [f"/api/v1/changes/?country={r.country.slug}" for r in reports]
    ),
    "api:country": lambda reports: [f"/api/v1/countries/{r.country.slug}/" for r in reports],
    "api:stages": lambda reports: ["/api/v1/stages/"],
    "api:stage": lambda reports: [f"/api/v1/stages/{n}/" for n in range(1, 11)],
    "api:recommendations": lambda reports: (
        ["/api/v1/recommendations/?page_size=100"]
        + [f"/api/v1/recommendations/?addressee={a.slug}" for a in addressees(reports)]
    ),
    "api:addressees": lambda reports: ["/api/v1/addressees/?page_size=100"],
    "api:addressee": lambda reports: [f"/api/v1/addressees/{a.slug}/" for a in addressees(reports)],
    "api:unknown": lambda reports: ["/api/v1/nothing/"],
}

# Addresses of hidden reports themselves: these must be 404, not merely free of canaries.
MUST_BE_404 = {
    "reports:detail",
    "reports:file",
    "reports:preview",
    "reports:citation",
    "reports:addressee",
    "sharing:card",
    "reports:image",
    "api:report",
    "api:addressee",
    "opendata:cap",
    "pages:page",
}


def addressees(reports):
    return [rec.addressee for r in reports for rec in r.recommendations.all()]


def public_url_names(patterns=None, namespace=None):
    """Every named address, looking inside includes and the per-language patterns."""
    names = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if str(pattern.pattern).startswith("admin/"):
            continue  # staff pages: behind sign-in, tested in their own modules
        if hasattr(pattern, "url_patterns"):
            names |= public_url_names(pattern.url_patterns, pattern.namespace or namespace)
        elif pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def body(response):
    """Everything a response tells: its headers and its content."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return str(response.headers) + content.decode("latin-1")


def leaks(canaries, reports, expect_404=True):
    """Fetch every surface anonymously; return (url, canary) for each canary found."""
    client = Client()
    found = []
    for name, addresses in SURFACES.items():
        for url in addresses(reports):
            response = client.get(url, follow=True)
            if expect_404 and name in MUST_BE_404:
                assert response.status_code == 404, url
            text = body(response)
            found += [(url, canary) for canary in canaries if canary in text]
    return found


def test_every_public_url_is_checked():
    assert public_url_names() == set(SURFACES)


def test_no_public_surface_shows_a_draft_an_in_review_or_a_scheduled_report(hidden):
    factories.published_report(title="A public report")
    assert leaks(hidden, list(hidden.values())) == []


def test_an_unpublished_report_disappears_from_every_surface(editor):
    report = hidden_report(
        "CANARYUNPUBLISHED4",
        status=Status.PUBLISHED,
        published_at=timezone.now() - timedelta(days=1),
    )
    # While public the canary is found on every kind of surface: the search does see.
    found = {url for url, _ in leaks(["CANARYUNPUBLISHED4"], [report], expect_404=False)}
    assert {
        "/",
        "/reports/",
        report.get_absolute_url(),
        "/stages/5/",
        "/countries/",
        "/feeds/reports/",
        "/recommendations/",
        "/feeds/changes/",
        f"/countries/{report.country.slug}/changes/feed/",
        f"/reports/{report.slug}/cap.xml",
        "/feeds/cap/",
        "/data/assessments.csv",
        "/data/assessments.json",
        "/data/recommendations.csv",
        "/data/changes.json",
    } <= found
    assert report.attachments.get().get_absolute_url() in found

    workflow.report_unpublish(report, user=editor)
    assert leaks(["CANARYUNPUBLISHED4"], [report]) == []


def test_no_public_surface_shows_a_draft_or_in_review_page():
    """Pages staff write, in each state that must never show, placed in both menus."""
    canaries = ["CANARYPAGEDRAFT5", "CANARYPAGEREVIEW6"]
    states = [(Page.Status.DRAFT, Page.Menu.HEADER), (Page.Status.IN_REVIEW, Page.Menu.FOOTER)]
    for canary, (status, menu) in zip(canaries, states, strict=True):
        Page.objects.create(
            title=f"Page {canary}",
            slug=canary.lower(),
            summary=f"Summary {canary}",
            body=f"<p>Body {canary}</p>",
            menu_label=f"Label {canary}",
            menu=menu,
            status=status,
        )
    report = factories.published_report(title="A public report")
    # The public report's own addresses answer 200; the hidden pages' must be 404.
    assert leaks(canaries, [report], expect_404=False) == []
    client = Client()
    assert [client.get(p.get_absolute_url()).status_code for p in Page.objects.all()] == [404] * 2


def test_an_unpublished_page_disappears_from_every_surface(editor):
    from pages import workflow as page_workflow

    page = Page.objects.create(
        title="Page CANARYPAGE7", slug="canary-page", status=Page.Status.PUBLISHED
    )
    report = factories.published_report(title="A public report")
    found = {url for url, _ in leaks(["CANARYPAGE7"], [report], expect_404=False)}
    assert {"/", "/reports/", "/pages/canary-page/"} <= found
    page_workflow.take("unpublish", page, user=editor)
    assert leaks(["CANARYPAGE7"], [report], expect_404=False) == []
    assert Client().get("/pages/canary-page/").status_code == 404
