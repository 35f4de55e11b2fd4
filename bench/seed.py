"""Fill the benchmark's database: BENCH_REPORTS published reports (10,000 unless set) across
60 countries, each with three stages, two recommendations, an author and a PDF edition, plus
one report (the one measured) with 5 MB, 50 MB and 200 MB editions. Prints what the
benchmark needs as JSON on its last line; progress goes to stderr.

Rows are written in bulk, not through the admin: the benchmark measures reading. On
PostgreSQL they go through COPY and the search vectors are filled by one UPDATE, the same
vectors reports/search.py makes report by report (100,000 reports in about a minute).
The PDF editions are ten small files shared by all the reports, saved once by name.

A database already holding BENCH_REPORTS bench reports is left as it is; one holding another
number is refused unless BENCH_RESEED=1, which empties it (on PostgreSQL: drops its schema and
migrates again; only when every report in it is the benchmark's) and seeds again.
Run by bench/run.py with the benchmark's environment.
"""

import hashlib
import io
import json
import os
import re
import sys
import time
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
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.html import strip_tags  # noqa: E402
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
PREFIX = "bench-"
MEASURED_SLUG = "bench-mali-country-report"
DRAFT_SLUG = "faults-run-draft"  # not "bench-…": the seeded reports are found by that
BIG_FILES = {"5 MB": 5, "50 MB": 50, "200 MB": 200}
EDITIONS = 10
RECOMMENDATION = "should protect civilians and support accountability."

PARAGRAPH = (
    "<p>Armed groups moved into the {region} in {year}, and the state's forces answered "
    "with operations in which villagers of one community were detained and killed. "
    "Displacement grew each season, and local militias organised along ethnic lines.</p>"
)


def say(message):
    print(f"[seed] {message}", file=sys.stderr, flush=True)


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


def stored(name, make):
    """The file `name` in storage, made and saved if missing (a database seeded earlier may
    meet an empty media folder); returns its name and content."""
    if default_storage.exists(name):
        with default_storage.open(name) as file:
            return name, file.read()
    content = make()
    return default_storage.save(name, ContentFile(content)), content


def edition_files():
    return [
        stored(f"bench/edition-{n}.pdf", lambda n=n: small_pdf(f"Edition {n}"))
        for n in range(EDITIONS)
    ]


def big_files():
    files = {}
    for label, megabytes in BIG_FILES.items():
        name = f"bench/edition-{megabytes}mb.pdf"
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(big_pdf(megabytes)))
        files[label] = name
    return files


def db_row(fields, instance):
    return [f.get_db_prep_save(f.pre_save(instance, add=True), connection) for f in fields]


def copy_rows(table, columns, rows):
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def insert(model, rows):
    """Write `rows` (unsaved instances) in bulk: through COPY on PostgreSQL, where it is
    several times faster than INSERTs, else with bulk_create."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create(rows, batch_size=500)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    table = connection.ops.quote_name(model._meta.db_table)
    copy_rows(table, [f.column for f in fields], (db_row(fields, row) for row in rows))


# reports/search.py's refresh(), in SQL: title and headline weigh most, then the summary,
# then the rest of the text (the `search_text` it stores).
VECTOR = """
    setweight(to_tsvector(%(config)s::regconfig,
        COALESCE(title, '') || ' ' || COALESCE(bench_headline, '')), 'A')
    || setweight(to_tsvector(%(config)s::regconfig, COALESCE(summary, '')), 'B')
    || setweight(to_tsvector(%(config)s::regconfig, COALESCE(search_text, '')), 'C')
"""


def insert_reports(rows):
    """Write reports given as (unsaved report, its headline), in order. On PostgreSQL they
    are copied into a temporary table and moved into place by one INSERT that computes
    their search vectors on the way, so each row is written once."""
    if connection.vendor != "postgresql":
        Report.objects.bulk_create((report for report, _ in rows), batch_size=500)
        return
    fields = [
        f for f in Report._meta.concrete_fields if not f.primary_key and f.name != "search_vector"
    ]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(Report._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE bench_reports ON COMMIT DROP AS SELECT {columns} "  # noqa: S608 - names from the model
            f"FROM {table} WITH NO DATA"
        )
        cursor.execute("ALTER TABLE bench_reports ADD COLUMN bench_headline text")
    copy_rows(
        "bench_reports",
        [*(f.column for f in fields), "bench_headline"],
        ([*db_row(fields, report), headline] for report, headline in rows),
    )
    with connection.cursor() as cursor:
        # Newest first is the order the rows were made in: ids follow it, as they would
        # with one INSERT per report.
        cursor.execute(
            f"INSERT INTO {table} ({columns}, search_vector) "  # noqa: S608 - names from the model
            f"SELECT {columns}, {VECTOR} FROM bench_reports ORDER BY published_at DESC",
            {"config": search.config(settings.LANGUAGE_CODE)},
        )


def attachment_row(report_id, name, content, original):
    return Attachment(
        report_id=report_id,
        file=name,
        original_name=original,
        size=len(content),
        page_count=1,
        sha256=hashlib.sha256(content).hexdigest(),
    )


@transaction.atomic
def seed():
    started = time.monotonic()
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
    headlines = {
        (c.pk, level): Report(country=c, alert_level=level).headline
        for c in country_rows
        for level in levels
    }
    bodies = {
        year: "".join(PARAGRAPH.format(region=f"region {n}", year=year) for n in range(8))
        for year in range(2000, 2026)
    }
    body_words = {year: strip_tags(body) for year, body in bodies.items()}

    def recommendations(i):
        return [addressees[(i + k) % len(addressees)] for k in range(2)]

    def rows():
        for i in range(REPORTS):
            country = country_rows[i % len(country_rows)]
            year = 2000 + i % 26
            level = levels[i % 3]
            summary = (
                f"Early warning for {country.name}: the situation in {year}, the "
                "stages reached and what governments should do now."
            )
            # reports/search.py's document(): headline, summary, body, recommendations
            # (the editions' text is empty: the seeded PDFs are blank pages).
            parts = [headlines[country.pk, level], summary, body_words[year]]
            parts += [f"{a.name} {RECOMMENDATION}" for a in recommendations(i)]
            report = Report(
                country=country,
                year=year,
                alert_level=level,
                title=f"{country.name} Country Report {year}",
                slug=MEASURED_SLUG if i == 0 else f"bench-{country.slug}-{year}-{i}",
                summary=summary,
                body=bodies[year],
                status=Report.Status.PUBLISHED,
                published_at=now - timedelta(hours=i + 1),
                search_text=" ".join(" ".join(parts).split()),
            )
            yield report, headlines[country.pk, level]

    insert_reports(rows())
    reports = list(
        Report.objects.filter(slug__startswith=PREFIX).order_by("pk").values_list("pk", "slug")
    )
    say(
        f"{len(reports):,} reports and their search vectors written "
        f"({time.monotonic() - started:.0f} s)"
    )

    Through = Report.stages.through
    insert(
        Through,
        (
            Through(report_id=pk, stage_id=stages[(i + k) % len(stages)].pk)
            for i, (pk, _) in enumerate(reports)
            for k in range(3)
        ),
    )
    insert(
        Recommendation,
        (
            Recommendation(report_id=pk, addressee=addressee, text=RECOMMENDATION, order=k)
            for i, (pk, _) in enumerate(reports)
            for k, addressee in enumerate(recommendations(i))
        ),
    )
    insert(
        Authorship,
        (
            Authorship(report_id=pk, author=authors[i % len(authors)], order=0)
            for i, (pk, _) in enumerate(reports)
        ),
    )
    editions = edition_files()
    insert(
        Attachment,
        (
            attachment_row(pk, *editions[i % len(editions)], original=f"{slug}.pdf")
            for i, (pk, slug) in enumerate(reports)
        ),
    )
    measured = reports[0][0]
    for label, name in big_files().items():
        size = default_storage.size(name)
        with default_storage.open(name) as file:
            digest = hashlib.file_digest(file, "sha256").hexdigest()
        Attachment.objects.create(
            report_id=measured,
            file=name,
            original_name=f"Mali {label}.pdf",
            size=size,
            page_count=1,
            sha256=digest,
        )
    say(f"stages, recommendations, authors, editions written ({time.monotonic() - started:.0f} s)")


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


def seeded_count():
    return Report.objects.filter(slug__startswith=PREFIX, translation_of__isnull=True).count()


def forget_bench_reports(held):
    if Report.objects.exclude(slug__startswith=PREFIX).exclude(slug=DRAFT_SLUG).exists():
        raise SystemExit(
            "[seed] this database holds reports the benchmark did not make: not reseeding it."
        )
    if connection.vendor != "postgresql":
        say(f"deleting {held:,} bench reports")
        Report.objects.filter(slug__startswith=PREFIX).delete()
        return
    # Deleting through the ORM runs each report's side effects (about 30 s a thousand):
    # a database holding only the benchmark's rows is emptied and migrated again instead.
    say(f"emptying the database ({held:,} bench reports) and migrating it again")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = connection.ops.quote_name(cursor.fetchone()[0])
        cursor.execute(f"DROP SCHEMA {schema} CASCADE")
        cursor.execute(f"CREATE SCHEMA {schema}")
    call_command("migrate", interactive=False, verbosity=0)


def ensure_seeded():
    held = seeded_count()
    if held == REPORTS:
        return
    if held:
        if os.environ.get("BENCH_RESEED") != "1":
            raise SystemExit(
                f"[seed] this database holds {held:,} bench reports, not BENCH_REPORTS="
                f"{REPORTS:,}: point DATABASE_URL at another database (one per size), or set "
                "BENCH_RESEED=1 to empty it and seed again."
            )
        forget_bench_reports(held)
    say(f"seeding {REPORTS:,} reports")
    started = time.monotonic()
    seed()
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load on a live server: statistics for
        # the planner, and the visibility map that lets index-only scans skip the table.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    say(f"seeded {REPORTS:,} reports in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--edits"]:
        print(json.dumps(saved_edits(int(sys.argv[2]))))
        sys.exit(0)
    if sys.argv[1:2] == ["--draft"]:
        print(json.dumps(draft()))
        sys.exit(0)
    ensure_seeded()
    edition_files()
    big_files()
    measured = Report.objects.get(slug=MEASURED_SLUG)
    other = Report.objects.filter(slug__startswith=PREFIX).exclude(pk=measured.pk).first()
    files = {
        round(a.size / 1_000_000): a.get_absolute_url()
        for a in measured.attachments.filter(size__gt=1_000_000)
    }
    print(
        json.dumps(
            {
                "reports": Report.objects.public().count(),
                "seeded": REPORTS,
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
