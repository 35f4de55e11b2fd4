"""The bulk downloads of /data/: every public assessment, recommendation and change of
assessment, as CSV and JSON, described by a Frictionless data package (`datapackage.json`).

Built only from what `Report.objects.public()` allows, in a fixed number of queries
whatever the number of reports, and kept in the page cache's store under the content
version (genocidewatch/pagecache.py): the first reader after a change builds a file and
saves it in storage, every other reader is sent the saved file (by the proxy when there is
one, as PDFs are), and any change to what public pages show (a scheduled report's time
coming included) starts a new version, so a file is never older than the last change. See
`stored_file`.
"""

import csv
import io
import json
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from genocidewatch import pagecache
from genocidewatch.links import link
from reports.models import AlertLevel, Recommendation, Report, StatusChange

logger = logging.getLogger(__name__)
# How long the name of a built file is kept. Files of an old content version are never read
# again.
KEPT_SECONDS = 24 * 3600
# Built files are saved in storage in this folder, named by their content version. Rebuilt
# from the database whenever needed, so not one of storedfiles.Folder: never backed up, and
# never taken for an orphan.
FOLDER = "data"
# A file of an earlier version is removed when a later one is saved, once it is this old: a
# reader handed it (through the proxy, or a signed address) just before a change still gets it.
FORMER_KEPT_SECONDS = 3600
# How long a reader waits for another one's build of the same file before building it.
BUILD_WAIT = 10
LEVELS = [level.value for level in AlertLevel]
STAGE_NUMBERS = r"^([0-9]+( [0-9]+)*)?$"


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    description: str
    constraints: dict | None = None
    listed: bool = False  # stage numbers: space-separated in CSV, a list in JSON

    def schema(self, fmt):
        field = {"name": self.name, "description": self.description}
        if self.listed:
            if fmt == "json":
                field.update(type="array")
            else:
                field.update(type="string", constraints={"pattern": STAGE_NUMBERS})
            return field
        field["type"] = self.type
        if self.constraints:
            field["constraints"] = self.constraints
        return field


REPORT_URL = Field("report_url", "string", gettext_noop("The report's page."), {"required": True})
ISO_CODE = Field(
    "iso_code",
    "string",
    gettext_noop("The country's ISO 3166-1 alpha-2 code."),
    {"required": True, "pattern": "^[A-Z]{2}$"},
)

# The tables' headings on /data/ (the template translates the capitalised table name).
TABLE_HEADINGS = (
    gettext_noop("Assessments"),
    gettext_noop("Recommendations"),
    gettext_noop("Changes"),
)

TABLES = {
    "assessments": (
        gettext_noop(
            "Every public report: the country's alert level and stages of genocide it found."
        ),
        [
            Field(
                "report_id", "integer", gettext_noop("Our id of the report."), {"required": True}
            ),
            Field("country", "string", gettext_noop("The country's name."), {"required": True}),
            ISO_CODE,
            Field(
                "year", "integer", gettext_noop("The year the report covers."), {"required": True}
            ),
            Field("title", "string", gettext_noop("The report's title."), {"required": True}),
            Field(
                "published_at",
                "datetime",
                gettext_noop("When the report became public (UTC)."),
                {"required": True},
            ),
            Field(
                "alert_level",
                "string",
                gettext_noop("watch, warning or emergency."),
                {"required": True, "enum": LEVELS},
            ),
            Field(
                "alert_level_name",
                "string",
                gettext_noop("The alert level's name."),
                {"required": True},
            ),
            Field(
                "stages",
                "string",
                gettext_noop("The stages of genocide found (1 to 10)."),
                listed=True,
            ),
            REPORT_URL,
        ],
    ),
    "recommendations": (
        gettext_noop("What each public report asks, and of whom, in the report's order."),
        [
            Field(
                "report_id",
                "integer",
                gettext_noop("The report (assessments.report_id)."),
                {"required": True},
            ),
            REPORT_URL,
            Field("country", "string", gettext_noop("The report's country."), {"required": True}),
            ISO_CODE,
            Field(
                "order",
                "integer",
                gettext_noop("Its place in the report's list."),
                {"required": True},
            ),
            Field("addressee", "string", gettext_noop("Who is asked to act."), {"required": True}),
            Field("text", "string", gettext_noop("What they should do."), {"required": True}),
        ],
    ),
    "changes": (
        gettext_noop("Dated changes of a country's alert level or stages, with the reason given."),
        [
            Field(
                "change_id", "integer", gettext_noop("Our id of the change."), {"required": True}
            ),
            Field("country", "string", gettext_noop("The country's name."), {"required": True}),
            ISO_CODE,
            Field(
                "changed_at",
                "datetime",
                gettext_noop("When the change became public (UTC)."),
                {"required": True},
            ),
            Field(
                "level_from",
                "string",
                gettext_noop("The alert level before."),
                {"required": True, "enum": LEVELS},
            ),
            Field(
                "level_to",
                "string",
                gettext_noop("The alert level after."),
                {"required": True, "enum": LEVELS},
            ),
            Field(
                "stages_added",
                "string",
                gettext_noop("Stages found that were not before."),
                listed=True,
            ),
            Field("stages_removed", "string", gettext_noop("Stages no longer found."), listed=True),
            Field(
                "reason",
                "string",
                gettext_noop(
                    "Why, as published (empty for changes made before reasons were asked for)."
                ),
            ),
            Field(
                "report_id",
                "integer",
                gettext_noop("The report that made the change."),
                {"required": True},
            ),
            REPORT_URL,
        ],
    ),
}
FILES = {
    "datapackage.json": "application/json",
    **{
        f"{table}.{fmt}": MEDIA
        for table in TABLES
        for fmt, MEDIA in (("csv", "text/csv"), ("json", "application/json"))
    },
}
CONTENT_TYPES = {name: f"{media}; charset=utf-8" for name, media in FILES.items()}


def _time(moment):
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _url(path):
    return settings.SITE_URL.rstrip("/") + path


def _report_urls():
    """A function giving a report's page address from its slug, without matching the URL
    patterns again for each of thousands of reports."""
    before, after = _url(link("reports:detail", slug="SLUG")).split("SLUG")
    return lambda slug: f"{before}{slug}{after}"


def assessment_rows():
    report_url = _report_urls()
    labels = {level.value: level.label for level in AlertLevel}
    public = Report.objects.public()
    stages = {}
    through = Report.stages.through.objects.filter(report__in=public)
    for report_id, number in through.values_list("report_id", "stage__number").order_by(
        "stage__number"
    ):
        stages.setdefault(report_id, []).append(number)
    rows = public.order_by("country__name", "-published_at", "pk").values_list(
        "pk",
        "country__name",
        "country__code",
        "year",
        "title",
        "published_at",
        "alert_level",
        "slug",
    )
    for pk, country, code, year, title, published_at, level, slug in rows:
        yield {
            "report_id": pk,
            "country": country,
            "iso_code": code,
            "year": year,
            "title": title,
            "published_at": _time(published_at),
            "alert_level": level,
            "alert_level_name": labels[level],
            "stages": stages.get(pk, []),
            "report_url": report_url(slug),
        }


def recommendation_rows():
    report_url = _report_urls()
    rows = (
        Recommendation.objects.filter(report__in=Report.objects.public())
        .order_by("report__country__name", "-report__published_at", "report_id", "order", "pk")
        .values_list(
            "report_id",
            "report__slug",
            "report__country__name",
            "report__country__code",
            "order",
            "addressee__name",
            "text",
        )
    )
    for report_id, slug, country, code, order, addressee, text in rows:
        yield {
            "report_id": report_id,
            "report_url": report_url(slug),
            "country": country,
            "iso_code": code,
            "order": order,
            "addressee": addressee,
            "text": text,
        }


def change_rows():
    report_url = _report_urls()
    rows = (
        StatusChange.objects.public()
        .order_by("country__name", "-changed_at", "-pk")
        .values_list(
            "pk",
            "country__name",
            "country__code",
            "changed_at",
            "level_from",
            "level_to",
            "stages_added",
            "stages_removed",
            "reason",
            "report_id",
            "report__slug",
        )
    )
    for (
        pk,
        country,
        code,
        changed_at,
        before,
        after,
        added,
        removed,
        reason,
        report_id,
        slug,
    ) in rows:
        yield {
            "change_id": pk,
            "country": country,
            "iso_code": code,
            "changed_at": _time(changed_at),
            "level_from": before,
            "level_to": after,
            "stages_added": sorted(added),
            "stages_removed": sorted(removed),
            "reason": reason,
            "report_id": report_id,
            "report_url": report_url(slug),
        }


ROWS = {
    "assessments": assessment_rows,
    "recommendations": recommendation_rows,
    "changes": change_rows,
}


def _csv(table, rows):
    out = io.StringIO()
    fields = [field.name for field in TABLES[table][1]]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                name: " ".join(map(str, value)) if isinstance(value, list) else value
                for name, value in row.items()
            }
        )
    return out.getvalue().encode()


def _json(rows):
    # Labels are translatable (lazy) strings: written out as text, in English (see build).
    return json.dumps(list(rows), ensure_ascii=False, separators=(",", ":"), default=str).encode()


def descriptor():
    resources = []
    for table, (description, fields) in TABLES.items():
        for fmt, media in (("csv", "text/csv"), ("json", "application/json")):
            resource = {
                "name": table if fmt == "csv" else f"{table}-json",
                # Read as a table, row by row, in JSON as in CSV.
                "type": "table",
                "path": f"{table}.{fmt}",
                "title": f"{table.capitalize()} ({fmt.upper()})",
                "description": description,
                "format": fmt,
                "mediatype": media,
                "encoding": "utf-8",
                "schema": {"fields": [field.schema(fmt) for field in fields]},
            }
            key = (
                "report_id"
                if table == "assessments"
                else "change_id"
                if table == "changes"
                else None
            )
            if key:
                resource["schema"]["primaryKey"] = [key]
            if table != "assessments":
                resource["schema"]["foreignKeys"] = [
                    {
                        "fields": ["report_id"],
                        "reference": {
                            "resource": "assessments" if fmt == "csv" else "assessments-json",
                            "fields": ["report_id"],
                        },
                    }
                ]
            resources.append(resource)
    return {
        "name": "genocide-early-warning-assessments",
        "title": f"{settings.SITE_NAME}: assessments, recommendations and changes",
        "description": "Every public country report's alert level and stages of genocide, "
        "its recommendations, and the dated changes of each country's assessment with the "
        "reasons given.",
        "homepage": _url(link("opendata:data")),
        "version": "1.0.0",
        "created": _time(timezone.now()),
        "licenses": [
            {
                "name": settings.DATA_LICENCE_NAME,
                "title": settings.DATA_LICENCE_TITLE,
                "path": settings.DATA_LICENCE_URL,
            }
        ],
        "sources": [{"title": settings.SITE_NAME, "path": _url("/")}],
        "resources": resources,
    }


def build(name):
    """The bytes of one file, read from the database now."""
    with translation.override(settings.LANGUAGE_CODE):
        if name == "datapackage.json":
            return json.dumps(descriptor(), ensure_ascii=False, indent=1).encode()
        table, fmt = name.rsplit(".", 1)
        rows = ROWS[table]()
        return _csv(table, rows) if fmt == "csv" else _json(rows)


@dataclass(frozen=True)
class StoredFile:
    """A file built for one content version and saved in storage."""

    name: str  # in default_storage
    version: str  # what its bytes are: the content version it was built from, and its name
    last_modified: datetime


def stored_file(name, *, missing=None):
    """One file as of the current content version, saved in storage; None when the cache that
    holds the version does not answer (the caller builds the file for its reader then).
    `missing`: a saved name found gone from storage, to be saved again.

    The first reader after a change builds the file and saves it under a name of that version;
    readers arriving meanwhile wait for it (up to `BUILD_WAIT` seconds, then build it
    themselves), so a change does not set every reader building. Every later reader is handed
    the saved file, sent like any stored file (by the proxy when there is one), so a reader
    costs a cache read, not a copy and hash of the whole file.
    """
    try:
        version, started = pagecache.current_version_and_start()
        key = f"data:{version}:{name}"
        store = caches[settings.PAGE_CACHE_ALIAS]
        saved = store.get(key)
        if saved == missing:
            saved = None
        if saved is None and not store.add(f"{key}:building", 1, timeout=BUILD_WAIT):
            saved = _wait_for(store, key, missing)
    except Exception:
        logger.exception("Page cache unavailable")
        return None
    if saved is None:
        saved = _save(name, version)
        try:
            store.set(key, saved, timeout=KEPT_SECONDS)
            store.delete(f"{key}:building")
        except Exception:
            logger.exception("Could not keep the name of the data file %s", name)
    return StoredFile(name=saved, version=f"{version}-{name}", last_modified=started)


def _save(name, version):
    # Never written over: a second builder (one that waited too long) gets a name of its own,
    # so nobody is handed a file while it is being written.
    saved = default_storage.save(f"{FOLDER}/{version}-{name}", ContentFile(build(name)))
    _remove_former_files(version)
    return saved


def _remove_former_files(version):
    """Files of earlier versions, once no reader can still be on the way to one."""
    try:
        _, names = default_storage.listdir(FOLDER)
        kept_since = timezone.now() - timedelta(seconds=FORMER_KEPT_SECONDS)
        for filename in names:
            path = f"{FOLDER}/{filename}"
            if not filename.startswith(f"{version}-") and (
                default_storage.get_modified_time(path) < kept_since
            ):
                default_storage.delete(path)
    except Exception:
        logger.exception("Could not remove former data files")


def _wait_for(store, key, missing):
    deadline = time.monotonic() + BUILD_WAIT
    while time.monotonic() < deadline:
        time.sleep(0.05)
        found = store.get(key)
        if found is not None and found != missing:
            return found
    return None
