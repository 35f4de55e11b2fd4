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

Counting a hit adds one to a number in the process's memory; every `COUNTS_FLUSH_SECONDS`
(10 by default), after a counted response has been sent, the process writes what it holds
in one transaction: one upsert per report and day, so one commit for many readers. A commit
costs milliseconds (measured 6 to 30 ms on the development machine, PostgreSQL and SQLite),
far more than serving a stored page (about 1 ms): written per hit it would cut a worker's
throughput many times over. What a process holds is also written when it exits and before
staff read the numbers in that process; a worker killed outright loses its last seconds.
A failure to write is logged and never turns into an error page.
"""

import atexit
import logging
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

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
VIEW, DOWNLOAD = "views", "downloads"
# A report's page and its PDF editions in the public URL map (reports/urls.py; a contract),
# with a language prefix or none. Matched here rather than by resolve(), which costs a
# hundred times more and runs before every stored page.
_ADDRESS = re.compile(
    r"^/(?:(?P<language>[a-z]{2,3}(?:-[a-z0-9]+)?)/)?reports/(?P<slug>[-\w]+)/"
    r"(?:files/\d+/(?P<filename>[^/]+))?$"
)


def is_bot(user_agent):
    agent = user_agent.lower()
    return not agent.strip() or any(word in agent for word in BOT_WORDS)


def _report_address(path):
    """(kind, slug) when `path` is a report's page or one of its PDF editions."""
    match = _ADDRESS.match(path)
    if match is None or match["filename"] == "preview.webp":
        return None
    language = match["language"]
    if language and language not in {code for code, _ in settings.LANGUAGES}:
        return None
    return (DOWNLOAD if match["filename"] else VIEW), match["slug"]


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


def record(slug, kind, *, day=None, n=1):
    """Add `n` views or downloads to the report's count for `day` (today): one statement,
    the row made on the day's first."""
    table = connection.ops.quote_name(DailyCount._meta.db_table)
    reports = connection.ops.quote_name(Report._meta.db_table)
    column = connection.ops.quote_name(kind)
    other = connection.ops.quote_name(DOWNLOAD if kind == VIEW else VIEW)
    day_column = connection.ops.quote_name("day")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (report_id, {day_column}, {column}, {other}) "  # noqa: S608 - names from the models
            f"SELECT id, %s, %s, 0 FROM {reports} WHERE slug = %s "
            f"ON CONFLICT (report_id, {day_column}) "
            f"DO UPDATE SET {column} = {table}.{column} + excluded.{column}",
            [day or timezone.localdate(), n, slug],
        )


class _Pending:
    """This process's counts not yet written: {(slug, kind, day): n}."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts = Counter()
        self.written_at = time.monotonic()

    def add(self, slug, kind, day):
        with self.lock:
            self.counts[slug, kind, day] += 1

    def due(self):
        return time.monotonic() - self.written_at >= settings.COUNTS_FLUSH_SECONDS

    def take(self):
        with self.lock:
            taken, self.counts = self.counts, Counter()
            self.written_at = time.monotonic()
        return taken

    def put_back(self, counts):
        with self.lock:
            self.counts.update(counts)


pending = _Pending()


def flush():
    """Write this process's pending counts, in one transaction."""
    taken = pending.take()
    if not taken:
        return
    try:
        with transaction.atomic():
            for (slug, kind, day), n in sorted(taken.items()):
                record(slug, kind, day=day, n=n)
    except Exception:
        pending.put_back(taken)  # rolled back whole: nothing is counted twice
        logger.exception("Could not write %s counts", sum(taken.values()))


@atexit.register
def _flush_at_exit():
    try:
        flush()
    except Exception:  # the database may be gone already
        logger.exception("Could not write the counts at exit")


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
            pending.add(slug, kind, timezone.localdate())
            if pending.due():
                # Once the response has been sent: the reader never waits for the write.
                response._resource_closers.append(flush)
        return response


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
    flush()
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
    flush()
    since = timezone.localdate() - timedelta(days=days - 1)
    rows = list(
        DailyCount.objects.filter(day__gte=since)
        .values("report")
        .annotate(views=Sum("views"), downloads=Sum("downloads"))
        .order_by("-views", "-downloads", "report")[:limit]
    )
    reports = Report.objects.select_related("country").in_bulk([row["report"] for row in rows])
    return [Read(reports[row["report"]], row["views"], row["downloads"]) for row in rows]
