"""How often readers open each report and download its PDFs, counted without tracking them.

The server adds one to a number per report per day, and keeps nothing else: no cookie is
set, no address, user agent or referrer is stored, nothing is sent to anyone else.

What counts, decided once here and written in the README:
- a GET of a report's page answered 200 or 304 (a reader's browser asking whether its copy
  is current is a reader opening the page again; behind the shipped nginx it is also how a
  reader's visit reaches the site once nginx has the page), and a GET of a PDF edition
  answered 200, 304, 206 from its first byte (a viewer's later byte ranges are the same
  download) or, on object storage, 302 to the bucket;
- stored pages too: `CountingMiddleware` sits outside the page cache;
- not HEAD requests (link checkers, not readers), not staff (any request with a session:
  only staff have one, so their previews are never counted), not bots: a request whose
  User-Agent is empty or contains one of `BOT_WORDS`.

The count is written once the response has been sent (when the server closes it), as one
upsert statement, so a reader never waits for it and a failure never turns into an error
page.
"""

import logging
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Sum
from django.urls import Resolver404, resolve
from django.utils import timezone, translation

from .models import DailyCount, Report

logger = logging.getLogger(__name__)

BOT_WORDS = (
    "bot",
    "crawl",
    "spider",
    "slurp",
    "scrap",
    "preview",
    "externalhit",
    "whatsapp",
    "fetch",
    "monitor",
    "curl",
    "wget",
    "python",
    "http-client",
    "headless",
    "lighthouse",
)
_BOT = re.compile("|".join(re.escape(word) for word in BOT_WORDS), re.IGNORECASE)
VIEW, DOWNLOAD = "views", "downloads"


def is_bot(user_agent):
    return not user_agent.strip() or _BOT.search(user_agent) is not None


def _language_prefixes():
    return {code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE}


def _report_address(path):
    """(kind, slug) when `path` is a report's page or one of its PDF editions."""
    first, _, rest = path.lstrip("/").partition("/")
    if first in _language_prefixes():
        path = "/" + rest
    try:
        with translation.override(settings.LANGUAGE_CODE):
            match = resolve(path)
    except Resolver404:
        return None
    if match.namespace != "reports":
        return None
    if match.url_name == "detail":
        return VIEW, match.kwargs["slug"]
    if match.url_name == "file":
        return DOWNLOAD, match.kwargs["slug"]
    return None


def _answered(kind, request, response):
    status = response.status_code
    if status in (200, 304):
        return True
    if kind == DOWNLOAD:
        if status == 206:
            return request.headers.get("Range", "").replace(" ", "").startswith("bytes=0-")
        return status == 302 and settings.FILES_REDIRECT_TO_STORAGE
    return False


def what_to_count(request, response):
    """(kind, slug) when this request is a reader's view or download to count, else None."""
    if request.method != "GET" or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return None
    if is_bot(request.headers.get("User-Agent", "")):
        return None
    found = _report_address(request.path_info)
    if found is None or not _answered(found[0], request, response):
        return None
    return found


def record(slug, kind, *, day=None):
    """Add one view or download to the report's count for `day` (today): one statement,
    the row made on the day's first."""
    table = connection.ops.quote_name(DailyCount._meta.db_table)
    reports = connection.ops.quote_name(Report._meta.db_table)
    column = connection.ops.quote_name(kind)
    other = connection.ops.quote_name(DOWNLOAD if kind == VIEW else VIEW)
    day_column = connection.ops.quote_name("day")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (report_id, {day_column}, {column}, {other}) "  # noqa: S608 - names from the models
            f"SELECT id, %s, 1, 0 FROM {reports} WHERE slug = %s "
            f"ON CONFLICT (report_id, {day_column}) DO UPDATE SET {column} = {table}.{column} + 1",
            [day or timezone.localdate(), slug],
        )


class CountingMiddleware:
    """Count readers' views and downloads, stored pages included: first in MIDDLEWARE but
    for the proxy deadline, so it sees every answer the page cache gives."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        found = what_to_count(request, response)
        if found is not None:
            kind, slug = found
            day = timezone.localdate()
            response._resource_closers.append(lambda: _record_quietly(slug, kind, day))
        return response


def _record_quietly(slug, kind, day):
    try:
        record(slug, kind, day=day)
    except Exception:
        logger.exception("Could not count a %s", kind.rstrip("s"))


# What staff read: a report's numbers, and the most read reports.


@dataclass(frozen=True)
class Counts:
    views: int
    downloads: int
    total_views: int
    total_downloads: int
    days: list  # [(date, views, downloads)], newest first, only days with any


def for_report(report, *, days=30):
    """A report's views and downloads over the last `days` days (today included) and since
    counting began."""
    since = timezone.localdate() - timedelta(days=days - 1)
    rows = DailyCount.objects.filter(report=report)
    totals = rows.aggregate(views=Sum("views"), downloads=Sum("downloads"))
    recent = list(rows.filter(day__gte=since).values_list("day", "views", "downloads"))
    return Counts(
        views=sum(row[1] for row in recent),
        downloads=sum(row[2] for row in recent),
        total_views=totals["views"] or 0,
        total_downloads=totals["downloads"] or 0,
        days=recent,
    )


@dataclass(frozen=True)
class Read:
    report: Report
    views: int
    downloads: int


def top_reports(days=30, *, limit=10):
    """The most viewed reports over the last `days` days, with their views and downloads."""
    since = timezone.localdate() - timedelta(days=days - 1)
    rows = list(
        DailyCount.objects.filter(day__gte=since)
        .values("report")
        .annotate(views=Sum("views"), downloads=Sum("downloads"))
        .order_by("-views", "-downloads", "report")[:limit]
    )
    reports = Report.objects.select_related("country").in_bulk([row["report"] for row in rows])
    return [Read(reports[row["report"]], row["views"], row["downloads"]) for row in rows]
