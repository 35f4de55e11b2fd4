"""Fill the benchmark's database: 10,000 published reports (or BENCH_REPORTS) across 60
countries, each with three stages, two recommendations, an author and a PDF edition, plus one
report (the one measured) with 5 MB, 50 MB and 200 MB editions. Prints what the benchmark
needs as JSON.

Rows are written in bulk, not through the admin: the benchmark measures reading. Run by
bench/run.py with the benchmark's environment; a database that already holds the reports is
left as it is.
"""

import hashlib
import io
import json
import os
import re
import sys
from datetime import timedelta
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "genocidewatch.settings")

import django  # noqa: E402
from pypdf import PdfWriter  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_countries import countries  # noqa: E402

from reports import search  # noqa: E402
from reports.models import (  # noqa: E402
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

# BENCH_REPORTS: fewer for a quicker seed (bench/faults.py's own cluster, say).
REPORTS = int(os.environ.get("BENCH_REPORTS", 10_000))
COUNTRIES = 60
MEASURED_SLUG = "bench-mali-country-report"
DRAFT_SLUG = "faults-run-draft"  # not "bench-…": the seeded reports are found by that
BIG_FILES = {"5 MB": 5, "50 MB": 50, "200 MB": 200}

PARAGRAPH = (
    "<p>Armed groups moved into the {region} in {year}, and the state's forces answered "
    "with operations in which villagers of one community were detained and killed. "
    "Displacement grew each season, and local militias organised along ethnic lines.</p>"
)


def small_pdf(text):
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def big_pdf(megabytes):
    """A valid PDF padded to the size: readers download it; nobody parses it here."""
    head = small_pdf(f"{megabytes} MB edition")
    padding = megabytes * 1_000_000 - len(head) - 16
    return head + b"\n%" + os.urandom(padding // 2).hex().encode()[:padding] + b"\n%%EOF\n"


def store(name, content):
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(content))
    return name


def attachment_row(report, name, content, original):
    return Attachment(
        report=report,
        file=name,
        original_name=original,
        size=len(content),
        page_count=1,
        sha256=hashlib.sha256(content).hexdigest(),
    )


@transaction.atomic
def seed():
    now = timezone.now()
    codes = [code for code, _ in list(countries)[:COUNTRIES]]
    for code in codes:
        Country.objects.get_or_create(code=code)
    country_rows = list(Country.objects.filter(code__in=codes).order_by("code"))
    addressees = [
        Addressee.objects.get_or_create(
            name=f"The Bench Body {i}", defaults={"slug": f"bench-{i}"}
        )[0]
        for i in range(30)
    ]
    authors = [Author.objects.get_or_create(name=f"Bench Author {i}")[0] for i in range(12)]
    stages = list(Stage.objects.order_by("number"))
    levels = [AlertLevel.WATCH, AlertLevel.WARNING, AlertLevel.EMERGENCY]

    reports = []
    for i in range(REPORTS):
        country = country_rows[i % len(country_rows)]
        year = 2000 + i % 26
        slug = MEASURED_SLUG if i == 0 else f"bench-{country.slug}-{year}-{i}"
        reports.append(
            Report(
                country=country,
                year=year,
                alert_level=levels[i % 3],
                title=f"{country.name} Country Report {year}",
                slug=slug,
                summary=f"Early warning for {country.name}: the situation in {year}, the "
                "stages reached and what governments should do now.",
                body="".join(PARAGRAPH.format(region=f"region {n}", year=year) for n in range(8)),
                status=Report.Status.PUBLISHED,
                published_at=now - timedelta(hours=i + 1),
            )
        )
    Report.objects.bulk_create(reports, batch_size=500)
    reports = list(Report.objects.filter(slug__startswith="bench-").order_by("pk"))

    Through = Report.stages.through
    Through.objects.bulk_create(
        [
            Through(report_id=r.pk, stage_id=stages[(i + k) % len(stages)].pk)
            for i, r in enumerate(reports)
            for k in range(3)
        ],
        batch_size=2000,
    )
    Recommendation.objects.bulk_create(
        [
            Recommendation(
                report=r,
                addressee=addressees[(i + k) % len(addressees)],
                text="should protect civilians and support accountability.",
                order=k,
            )
            for i, r in enumerate(reports)
            for k in range(2)
        ],
        batch_size=2000,
    )
    Authorship.objects.bulk_create(
        [
            Authorship(report=r, author=authors[i % len(authors)], order=0)
            for i, r in enumerate(reports)
        ],
        batch_size=2000,
    )
    editions = []
    for n in range(10):
        content = small_pdf(f"Edition {n}")
        name = store(f"bench/edition-{n}.pdf", content)
        editions.append((name, content))
    Attachment.objects.bulk_create(
        [
            attachment_row(r, *editions[i % len(editions)], original=f"{r.slug}.pdf")
            for i, r in enumerate(reports)
        ],
        batch_size=2000,
    )
    measured = reports[0]
    for label, megabytes in BIG_FILES.items():
        content = big_pdf(megabytes)
        name = store(f"bench/edition-{megabytes}mb.pdf", content)
        Attachment.objects.create(
            report=measured,
            file=name,
            original_name=f"Mali {label}.pdf",
            size=len(content),
            page_count=1,
            sha256=hashlib.sha256(content).hexdigest(),
        )
    for pk in Report.objects.values_list("pk", flat=True):
        search.refresh(pk)


def staff_session():
    user, _ = User.objects.get_or_create(
        username="bench-editor", defaults={"is_staff": True, "is_superuser": True}
    )
    user.set_password(os.urandom(16).hex())
    user.save()
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    session = store_class()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def saved_edits(report_id):
    """The load run's edit numbers found in the report's revisions (bench/load.py)."""
    from reversion.models import Version

    numbers = set()
    for version in Version.objects.get_for_object_reference(Report, report_id):
        found = re.search(r"load run edit (\d+)", version.field_dict.get("title", ""))
        if found:
            numbers.add(int(found.group(1)))
    return sorted(numbers)


def draft():
    """A new draft beside the measured report, for bench/faults.py's editor (a published
    report is changed through a working copy, reports/changes.py; a draft by saving its
    form). New for each run, so its history holds that run's saves only."""
    Report.objects.filter(slug=DRAFT_SLUG).delete()
    measured = Report.objects.get(slug=MEASURED_SLUG)
    made = Report.objects.get(slug=MEASURED_SLUG)
    made.pk = None
    made._state.adding = True
    made.slug = DRAFT_SLUG
    made.status = Report.Status.DRAFT
    made.published_at = None
    made.save()
    made.stages.set(measured.stages.all())
    for authorship in measured.authorships.all():
        Authorship.objects.create(report=made, author=authorship.author, order=0)
    return {"report_id": made.pk, "report_url": made.get_absolute_url()}


if __name__ == "__main__":
    if sys.argv[1:2] == ["--edits"]:
        print(json.dumps(saved_edits(int(sys.argv[2]))))
        sys.exit(0)
    if sys.argv[1:2] == ["--draft"]:
        print(json.dumps(draft()))
        sys.exit(0)
    if not Report.objects.filter(slug=MEASURED_SLUG).exists():
        seed()
        if connection.vendor == "postgresql":
            # What autovacuum does soon after a bulk load on a live server: statistics for
            # the planner, and the visibility map that lets index-only scans skip the table.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
    measured = Report.objects.get(slug=MEASURED_SLUG)
    other = Report.objects.filter(slug__startswith="bench-").exclude(pk=measured.pk).first()
    files = {
        round(a.size / 1_000_000): a.get_absolute_url()
        for a in measured.attachments.filter(size__gt=1_000_000)
    }
    print(
        json.dumps(
            {
                "reports": Report.objects.public().count(),
                "countries": Country.objects.count(),
                "report_url": measured.get_absolute_url(),
                "report_id": measured.pk,
                "other_report_id": other.pk,
                "small_file": measured.attachments.filter(size__lt=1_000_000)
                .first()
                .get_absolute_url(),
                "country_slug": measured.country.slug,
                "country_name": measured.country.name,
                "files": files,
                "session": staff_session(),
                "session_cookie": settings.SESSION_COOKIE_NAME,
            }
        )
    )
