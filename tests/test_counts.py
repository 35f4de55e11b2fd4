"""Readers' page views and PDF downloads are counted per report per day, and nothing about
the readers is kept."""

import io
import os
from datetime import date, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reports import counts
from reports.models import DailyCount

from . import factories

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0"


@pytest.fixture(autouse=True)
def written_at_once(settings):
    """Counts are written at every counted hit here, so each test reads them at once; one
    test below shows them held and written together."""
    settings.COUNTS_FLUSH_SECONDS = 0
    counts.pending.take()


@pytest.fixture
def reader():
    return Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.77")


@pytest.fixture
def report():
    return factories.furnish(
        factories.published_report(slug="mali-2023"), recommendations=1, attachments=1
    )


def numbers(report):
    found = counts.for_report(report)
    return found.views, found.downloads


def download(client, attachment, **headers):
    response = client.get(attachment.get_absolute_url(), **headers)
    b"".join(response.streaming_content)  # the count is written once the file is sent
    return response


def test_each_reader_view_of_a_report_page_is_counted(reader, report):
    assert numbers(report) == (0, 0)
    reader.get(report.get_absolute_url())
    reader.get(report.get_absolute_url())
    assert numbers(report) == (2, 0)
    assert DailyCount.objects.get().day == timezone.localdate()


@pytest.fixture(params=["local memory", "redis"])
def page_cache(request, settings):
    settings.PAGE_CACHE_SECONDS = 600
    if request.param == "redis":
        from .test_page_cache import redis_answers

        if not redis_answers():
            if os.environ.get("REQUIRE_REDIS"):
                pytest.fail("Redis is not answering on 127.0.0.1:6379 (REQUIRE_REDIS is set)")
            pytest.skip("Redis is not running on 127.0.0.1:6379")
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/9"),
            }
        }
    from django.core.cache import cache

    cache.clear()


def test_pages_served_from_the_page_cache_are_counted_too(reader, report, page_cache):
    assert reader.get(report.get_absolute_url())["X-Page-Cache"] == "miss"
    with CaptureQueriesContext(connection) as queries:
        assert reader.get(report.get_absolute_url())["X-Page-Cache"] == "hit"
    # A stored page costs one statement to count, and nothing else of the database.
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 1 and statements[0].startswith("INSERT INTO")
    assert numbers(report) == (2, 0)


def test_counts_are_held_in_memory_and_written_together(reader, report, settings):
    settings.COUNTS_FLUSH_SECONDS = 3600
    counts.pending.take()  # starts the interval now
    for _ in range(5):
        reader.get(report.get_absolute_url())
    download(reader, report.attachments.get())
    assert not DailyCount.objects.exists()
    with CaptureQueriesContext(connection) as queries:
        counts.flush()
    inserts = [q["sql"] for q in queries if q["sql"].startswith("INSERT INTO")]
    assert len(inserts) == 2  # one per report, day and kind, for six readers
    assert numbers(report) == (5, 1)


def test_a_reader_asking_whether_their_copy_is_current_counts_as_a_view(reader, report):
    etag = reader.get(report.get_absolute_url())["ETag"]
    assert reader.get(report.get_absolute_url(), HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert numbers(report) == (2, 0)


def test_pdf_downloads_are_counted_and_a_viewers_later_byte_ranges_are_not(reader, report):
    edition = report.attachments.get()
    assert download(reader, edition).status_code == 200
    assert download(reader, edition, HTTP_RANGE="bytes=0-99").status_code == 206
    assert download(reader, edition, HTTP_RANGE="bytes=100-199").status_code == 206
    assert numbers(report) == (0, 2)


def test_nothing_about_the_reader_is_kept_and_no_cookie_is_set(reader, report):
    canary = "Mozilla/5.0 CanaryBrowser-4471"
    response = reader.get(report.get_absolute_url(), HTTP_USER_AGENT=canary)
    download(reader, report.attachments.get(), HTTP_REFERER="https://referrer.example/x")
    assert not response.cookies and "Set-Cookie" not in response
    assert numbers(report) == (1, 1)
    assert {f.name for f in DailyCount._meta.get_fields()} == {
        "id",
        "report",
        "day",
        "views",
        "downloads",
    }
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    everything = out.getvalue()
    for trace in ("203.0.113.77", "CanaryBrowser", "referrer.example"):
        assert trace not in everything


@pytest.mark.parametrize(
    "user_agent",
    [
        "",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "facebookexternalhit/1.1",
        "WhatsApp/2.23.20.0",
        "curl/8.5.0",
        "python-requests/2.32.3",
        "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/131.0",
        "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
    ],
)
def test_bots_and_tools_are_not_counted(report, user_agent):
    client = Client(HTTP_USER_AGENT=user_agent)
    assert client.get(report.get_absolute_url()).status_code == 200
    download(client, report.attachments.get())
    assert numbers(report) == (0, 0)


def test_head_requests_staff_and_other_pages_are_not_counted(reader, report, editor_client):
    assert reader.head(report.get_absolute_url()).status_code == 200
    reader.get("/reports/")
    reader.get(f"{report.get_absolute_url()}citation.bib")
    reader.get("/reports/no-such-report/")
    editor_client.get(report.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
    download(editor_client, report.attachments.get(), HTTP_USER_AGENT=BROWSER)
    assert numbers(report) == (0, 0)
    assert not DailyCount.objects.exists()


def test_a_report_readers_cannot_see_is_not_counted(reader):
    draft = factories.draft_report(slug="draft-2023")
    assert reader.get(draft.get_absolute_url()).status_code == 404
    assert not DailyCount.objects.exists()


def test_counts_are_kept_per_day_and_summed_over_thirty_days(reader):
    report = factories.published_report(published_at=timezone.now() - timedelta(days=60))
    today = timezone.localdate()
    for days_ago, views in ((40, 3), (29, 2), (1, 1), (0, 2)):
        with time_machine.travel(timezone.now() - timedelta(days=days_ago), tick=False):
            for _ in range(views):
                reader.get(report.get_absolute_url())
    found = counts.for_report(report)
    assert (found.views, found.total_views) == (5, 8)
    assert [(day, views) for day, views, _ in found.days] == [
        (today, 2),
        (today - timedelta(days=1), 1),
        (today - timedelta(days=29), 2),
    ]


def test_the_most_read_reports_come_first(reader, report):
    other = factories.published_report(slug="sudan-2023")
    for _ in range(3):
        reader.get(other.get_absolute_url())
    reader.get(report.get_absolute_url())
    download(reader, report.attachments.get())
    top = counts.top_reports(30)
    assert [(r.report.slug, r.views, r.downloads) for r in top] == [
        ("sudan-2023", 3, 0),
        ("mali-2023", 1, 1),
    ]
    assert counts.top_reports(30, limit=1)[0].report == other


def test_staff_see_a_reports_counts_on_its_admin_page(reader, report, editor_client):
    reader.get(report.get_absolute_url())
    download(reader, report.attachments.get())
    DailyCount.objects.create(report=report, day=date(2020, 1, 1), views=40, downloads=4)
    html = editor_client.get(f"/admin/reports/report/{report.pk}/change/").content.decode()
    assert "Readers" in html
    assert '<th scope="row">Last 30 days</th><td>1</td><td>1</td>' in html
    assert '<th scope="row">Since counting began</th><td>41</td><td>5</td>' in html
