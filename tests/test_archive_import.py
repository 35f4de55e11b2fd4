"""Reports from the old site come in from a manifest and its PDFs, once, whole or not at
all, and their old addresses lead to the new pages."""

import csv
import io
import json
import zipfile
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models.signals import post_save
from django.test import Client
from reversion.models import Version

from alerts import subscriptions
from alerts.models import Announcement
from archive.models import Redirect
from audit.models import AuditEvent
from reports.models import Addressee, Attachment, Author, Country, Recommendation, Report

from . import factories

pytestmark = pytest.mark.django_db

COLUMNS = [
    "title",
    "country",
    "year",
    "level",
    "stages",
    "published",
    "byline",
    "summary",
    "body",
    "recommendations",
    "pdfs",
    "old address",
    "status",
]


def entry(n=1, **values):
    row = {
        "title": f"Mali Country Report 20{20 + n}",
        "country": "Mali",
        "year": str(2020 + n),
        "level": "emergency",
        "stages": "5, 6, 8",
        "published": f"20{20 + n}-12-04",
        "byline": "Esme Matthews; Jo Okafor",
        "summary": "A summary in two sentences. It is short.",
        "body": "<p>First paragraph.</p><p>Second paragraph.</p>",
        "recommendations": "France: should press for a new mission.",
        "pdfs": f"pdfs/mali-{n}.pdf",
        "old address": f"https://www.genocidewatch.com/post/mali-country-report-20{20 + n}",
        "status": "",
    }
    row.update(values)
    return row


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "pdfs").mkdir()
    for n in range(1, 4):
        (tmp_path / "pdfs" / f"mali-{n}.pdf").write_bytes(factories.pdf_bytes(f"Edition {n}"))
    return tmp_path


def write_csv(folder, rows, name="manifest.csv"):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    path = folder / name
    path.write_text(out.getvalue())
    return path


def run(manifest, *options):
    out = io.StringIO()
    try:
        call_command("import_archive", str(manifest), *options, stdout=out)
    except CommandError as error:
        return out.getvalue() + f"\n{error}"
    return out.getvalue()


def counts():
    return [
        model.objects.count()
        for model in (Report, Attachment, Recommendation, Addressee, Author, Country, Redirect)
    ]


# Written over several lines of the CSV file, as a spreadsheet saves them.
TEXT = "First paragraph.\n\nSecond paragraph."
RECOMMENDATIONS = (
    "France: should press for a new mission.\nThe UN Security Council: should authorise it."
)


def test_a_dry_run_says_what_would_be_created_and_changes_nothing(folder, stored_files):
    long_entry = entry(1, body=TEXT, recommendations=RECOMMENDATIONS)
    manifest = write_csv(folder, [long_entry, entry(2)])
    output = run(manifest, "--dry-run")
    assert "Dry run of manifest.csv: 2 reports would be created, 0 already imported" in output
    assert "line 2 “Mali Country Report 2021”: would create" in output
    assert "line 6 “Mali Country Report 2022”: would create" in output
    assert "old address /post/mali-country-report-2021 answers 301 with it" in output
    assert "3 stages, 2 authors, 2 recommendations, 1 PDF" in output
    assert "new country: Mali" in output
    assert "new addressee: The UN Security Council" in output
    assert Report.objects.count() == 0
    assert counts() == [0, 0, 0, 0, 0, 0, 0]
    assert stored_files() == []


def test_an_import_creates_public_reports_with_their_original_dates_and_everything_named(
    folder, client
):
    manifest = write_csv(folder, [entry(1, body=TEXT, recommendations=RECOMMENDATIONS)])
    output = run(manifest)
    assert "Imported manifest.csv: 1 report created" in output
    report = Report.objects.public().get()
    assert report.published_at == datetime(2021, 12, 4, tzinfo=UTC)
    assert report.updated_at == report.published_at
    assert report.headline == "Genocide Emergency Alert: Mali"
    assert report.slug == "mali-country-report-2021"
    assert [s.number for s in report.stages.all()] == [5, 6, 8]
    assert [a.name for a in report.authors] == ["Esme Matthews", "Jo Okafor"]
    assert [(r.addressee.name, r.text) for r in report.recommendations.all()] == [
        ("France", "should press for a new mission."),
        ("The UN Security Council", "should authorise it."),
    ]
    assert report.body == "<p>First paragraph.</p><p>Second paragraph.</p>"
    edition = report.attachments.get()
    assert edition.page_count == 1 and len(edition.sha256) == 64 and edition.preview
    response = client.get(edition.get_absolute_url())
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    # A revision and an audit event say where it came from.
    history = Version.objects.get_for_object(report)
    assert history.count() == 1
    assert "manifest.csv, line 2" in history.get().revision.comment
    assert AuditEvent.objects.get(action="add").detail.startswith("Imported from the archive")


def test_importing_twice_creates_nothing_twice(folder, stored_files):
    manifest = write_csv(folder, [entry(1), entry(2)])
    run(manifest)
    before, files = counts(), stored_files()
    output = run(manifest)
    assert "0 reports created, 2 already imported, 0 refused" in output
    assert "line 3 “Mali Country Report 2022”: already imported, skipped" in output
    assert counts() == before and stored_files() == files


def test_an_entry_without_an_old_address_is_known_by_country_year_and_title(folder):
    manifest = write_csv(folder, [entry(1, **{"old address": ""})])
    run(manifest)
    again = write_csv(folder, [entry(1, title="MALI COUNTRY REPORT 2021", **{"old address": ""})])
    assert "1 already imported" in run(again)
    assert Report.objects.count() == 1


def test_an_old_address_given_later_is_added_to_the_report_already_imported(folder):
    run(write_csv(folder, [entry(1, **{"old address": ""})]))
    output = run(write_csv(folder, [entry(1)]))
    assert "its old address /post/mali-country-report-2021 now leads to it" in output
    assert Client().get("/post/mali-country-report-2021")["Location"] == (
        "/reports/mali-country-report-2021/"
    )


def test_a_json_manifest_says_the_line_each_entry_starts_on(folder):
    reports = [entry(1), entry(2, year="twenty")]
    for report in reports:
        report["stages"] = [5, "Stage 6", "Persecution"]
        report["byline"] = ["Esme Matthews"]
        report["recommendations"] = [{"addressee": "France", "text": "should act."}]
        report["pdfs"] = [{"path": report["pdfs"], "title": "French edition", "language": "fr"}]
    path = folder / "manifest.json"
    path.write_text(json.dumps({"reports": reports}, indent=2))
    output = run(path)
    assert "1 report created, 0 already imported, 1 refused" in output
    lines = path.read_text().splitlines()
    second = next(i for i, text in enumerate(lines, 1) if "Mali Country Report 2022" in text)
    start = max(i for i in range(1, second) if lines[i - 1].strip() == "{")
    assert f"line {start} “Mali Country Report 2022”: refused" in output
    report = Report.objects.get()
    assert [s.number for s in report.stages.all()] == [5, 6, 8]
    edition = report.attachments.get()
    assert (edition.title, edition.language) == ("French edition", "fr")


def pdf(folder, name, content):
    (folder / "pdfs" / name).write_bytes(content)
    return f"pdfs/{name}"


BAD = [
    ({"title": ""}, "title: missing"),
    ({"country": "Narnia"}, "country: “Narnia” is not a country we know"),
    ({"year": "20x3"}, "year: “20x3” is not a year"),
    ({"year": "1900"}, "year: 1900 is outside 1945–2100"),
    ({"level": "purple"}, "level: “purple” is not one of watch, warning, emergency"),
    ({"stages": "5, 11"}, "stages: “11” is not one of the ten stages"),
    ({"published": "yesterday"}, "published: “yesterday” is not a date"),
    ({"published": "2999-01-01"}, "published: in the future"),
    ({"published": ""}, "published: missing"),
    ({"summary": ""}, "summary: missing"),
    ({"summary": "x" * 401}, "summary: 401 characters; at most 400"),
    ({"recommendations": "no addressee here"}, "recommendation 1: write it as"),
    ({"status": "maybe"}, "status: “maybe” is neither"),
    ({"pdfs": "pdfs/missing.pdf"}, "pdf 1 (pdfs/missing.pdf): no such file beside the manifest"),
    (
        {"pdfs": "../outside.pdf"},
        "pdf 1 (../outside.pdf): give a path inside the manifest's folder",
    ),
    ({"pdfs": "/etc/hostname"}, "pdf 1 (/etc/hostname): give a path inside the manifest's"),
    ({"old address": "/"}, "old_address: the home page cannot be an old address"),
]


@pytest.mark.parametrize(("values", "problem"), BAD, ids=[p for _, p in BAD])
def test_a_bad_entry_is_reported_by_line_and_skipped_while_the_good_ones_are_imported(
    folder, values, problem, stored_files
):
    manifest = write_csv(folder, [entry(1), entry(2, **values), entry(3)])
    output = run(manifest)
    assert "2 reports created, 0 already imported, 1 refused" in output
    title = values.get("title", "Mali Country Report 2022")
    assert f"line 3 “{title}”: refused" in output or "line 3: refused" in output
    assert f"problem: {problem}" in output
    assert sorted(Report.objects.values_list("year", flat=True)) == [2021, 2023]
    assert len(stored_files()) == 4  # two PDFs and their previews


BAD_PDFS = [
    (b"<html>not a pdf</html>", "This file is not a PDF"),
    (factories.encrypted_pdf_bytes(), "password-protected or encrypted"),
    (factories.pdf_with_javascript(), "contains scripts or actions"),
    (factories.pdf_with_embedded_file(), "carries other files inside it"),
    (b"", "The file is empty"),
]


@pytest.mark.parametrize(("content", "message"), BAD_PDFS, ids=[m for _, m in BAD_PDFS])
def test_a_bad_pdf_refuses_its_entry_and_stores_nothing(folder, content, message, stored_files):
    good = entry(1)
    good["pdfs"] = f"pdfs/mali-1.pdf; {pdf(folder, 'bad.pdf', content)}"
    output = run(write_csv(folder, [good]))
    assert "problem: pdf 2 (pdfs/bad.pdf): " in output and message in output
    assert Report.objects.count() == 0 and stored_files() == []


def test_a_country_is_given_by_name_or_code_and_one_not_yet_on_the_site_is_added(folder):
    factories.country("ML", name="Republic of Mali", slug="mali")
    rows = [entry(1, country="ML"), entry(2, country="republic of mali"), entry(3, country="Chad")]
    output = run(write_csv(folder, rows))
    assert "3 reports created" in output and "new country: Chad" in output
    assert list(Report.objects.order_by("year").values_list("country__name", flat=True)) == [
        "Republic of Mali",
        "Republic of Mali",
        "Chad",
    ]


def test_two_entries_for_the_same_report_are_a_problem_on_the_second(folder):
    output = run(write_csv(folder, [entry(1), entry(1, pdfs="")]))
    assert "line 3 “Mali Country Report 2021”: refused" in output
    assert "problem: the same report as line 2" in output
    assert Report.objects.count() == 1


def test_an_entry_that_fails_while_being_created_leaves_no_row_and_no_file(folder, stored_files):
    # Another process announces the report while its PDF is being stored: the import's own
    # record of the announcement then hits the database's one-per-report rule.
    def announce_meanwhile(sender, instance, created, **kwargs):
        if created:
            Announcement.objects.create(report=instance.report)

    post_save.connect(announce_meanwhile, sender=Attachment, dispatch_uid="test-race")
    try:
        output = run(write_csv(folder, [entry(1)]))
    finally:
        post_save.disconnect(dispatch_uid="test-race", sender=Attachment)
    assert "line 2 “Mali Country Report 2021”: failed, nothing imported" in output
    assert "problem: the database refused it (IntegrityError" in output
    assert counts() == [0, 0, 0, 0, 0, 0, 0]
    assert stored_files() == []
    # Whole or nothing: the same manifest imports cleanly afterwards.
    assert "1 report created" in run(write_csv(folder, [entry(1)]))


def test_the_body_goes_through_the_same_html_checks_as_the_editor(folder):
    body = '<p onclick="steal()">Text <b>bold</b></p><script>alert(1)</script><h2>Next</h2>'
    output = run(write_csv(folder, [entry(1, body=body)]))
    assert "body: markup the site does not allow is removed, its text kept (<b>, <script>" in output
    assert Report.objects.get().body == "<p>Text bold</p><h2>Next</h2>"


def test_a_draft_entry_stays_a_draft_and_its_old_address_leads_nowhere_yet(folder, editor):
    run(write_csv(folder, [entry(1, status="draft", published="")]))
    report = Report.objects.get()
    assert report.status == Report.Status.DRAFT and not Report.objects.public().exists()
    assert Client().get("/post/mali-country-report-2021").status_code == 404
    from reports import workflow

    workflow.report_publish(report, user=editor)
    assert Client().get("/post/mali-country-report-2021").status_code == 301


def test_imported_reports_are_never_emailed_to_subscribers(folder):
    run(write_csv(folder, [entry(1), entry(2, status="draft", published="")]))
    assert Announcement.objects.count() == 2
    assert subscriptions.announce_due_reports() == 0


# Old addresses --------------------------------------------------------------------------------


def test_an_old_address_answers_301_with_the_new_page_with_or_without_a_slash(folder):
    run(write_csv(folder, [entry(1)]))
    reader = Client()
    for address in ("/post/mali-country-report-2021", "/post/mali-country-report-2021/"):
        response = reader.get(address)
        assert response.status_code == 301
        assert response["Location"] == "/reports/mali-country-report-2021/"
    assert reader.head("/post/mali-country-report-2021").status_code == 301
    assert reader.get("/post/another-report").status_code == 404


@pytest.fixture
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600


def test_old_addresses_answer_through_the_page_cache(folder, page_cache_on):
    reader = Client()
    assert reader.get("/post/mali-country-report-2021").status_code == 404
    run(write_csv(folder, [entry(1)]))
    for _ in range(2):
        response = reader.get("/post/mali-country-report-2021")
        assert response.status_code == 301
        assert "X-Page-Cache" not in response  # never stored: looked up each time
    page = reader.get(response["Location"])
    assert page.status_code == 200 and page["X-Page-Cache"] == "miss"
    assert reader.get(response["Location"])["X-Page-Cache"] == "hit"


ADD_URL = "/admin/archive/redirect/add/"


def test_an_editor_adds_a_redirect_by_hand_and_the_next_reader_follows_it(
    editor_client, page_cache_on
):
    factories.published_report(slug="mali-2023", country=factories.country("ML", slug="mali"))
    reader = Client()
    assert reader.get("/countries/mali/")["X-Page-Cache"] == "miss"
    assert reader.get("/countries/mali/")["X-Page-Cache"] == "hit"
    response = editor_client.post(
        ADD_URL,
        {"old_path": "https://www.genocidewatch.com/mali-page/", "new_path": "/countries/mali/"},
    )
    assert response.status_code == 302
    assert Redirect.objects.get().old_path == "/mali-page"
    assert reader.get("/mali-page")["Location"] == "/countries/mali/"
    # Adding it retired the stored pages, as any change to what readers are shown does.
    assert reader.get("/countries/mali/")["X-Page-Cache"] == "miss"


def test_a_redirect_to_a_report_follows_the_report(editor_client):
    report = factories.published_report(slug="mali-2023")
    editor_client.post(ADD_URL, {"old_path": "/old/mali", "report": report.pk})
    assert Client().get("/old/mali")["Location"] == "/reports/mali-2023/"
    assert "/reports/mali-2023/" in editor_client.get("/admin/archive/redirect/").content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"old_path": "/a", "new_path": "https://elsewhere.example/"}, "Give a page of this site"),
        ({"old_path": "/a", "new_path": "/a/"}, "would lead to itself"),
        ({"old_path": "/a"}, "Choose the report it leads to, or give an address"),
    ],
)
def test_a_redirect_that_cannot_work_is_refused_with_a_message(editor_client, data, message):
    response = editor_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Redirect.objects.exists()


def test_authors_neither_manage_redirects_nor_import(client, author):
    client.force_login(author)
    assert client.get("/admin/archive/redirect/").status_code == 403
    assert client.get("/admin/archive/import/").status_code == 403


# The admin upload ------------------------------------------------------------------------------


def zipped(folder, manifest, extra=()):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.write(manifest, "archive/manifest.csv")
        for path in sorted((folder / "pdfs").iterdir()):
            archive.write(path, f"archive/pdfs/{path.name}")
        for name, data in extra:
            archive.writestr(name, data)
    return out.getvalue()


def upload(client, data, name="old-site.zip"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        "/admin/archive/import/", {"archive": SimpleUploadedFile(name, data)}, follow=True
    )


def test_an_editor_uploads_an_archive_reads_the_dry_run_then_confirms(
    editor_client, folder, stored_files
):
    assert "Import from the archive" in editor_client.get("/admin/reports/report/").content.decode()
    page = editor_client.get("/admin/archive/import/").content.decode()
    assert "Upload and check (dry run)" in page
    manifest = write_csv(folder, [entry(1), entry(2, year="soon"), entry(3)])
    html = upload(editor_client, zipped(folder, manifest)).content.decode()
    assert "Dry run of old-site.zip: 2 reports would be created, 0 already imported, 1 refused" in (
        html
    )
    assert "year: “soon” is not a year" in html
    assert 'value="Import 2 reports"' in html
    assert Report.objects.count() == 0
    assert [name.split("/")[0] for name in stored_files()] == ["imports"]

    html = editor_client.post("/admin/archive/import/", {"confirm": "1"}, follow=True)
    html = html.content.decode()
    assert "Imported old-site.zip: 2 reports created" in html
    assert Report.objects.public().count() == 2
    assert not any(name.startswith("imports/") for name in stored_files())
    report = Report.objects.get(year=2021)
    assert report.published_by.username == "editor"
    assert AuditEvent.objects.filter(action="add", actor__username="editor").count() == 2
    # Confirming again finds nothing waiting.
    again = editor_client.post("/admin/archive/import/", {"confirm": "1"}, follow=True)
    assert "Nothing is waiting to be imported" in again.content.decode()
    assert Report.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"not a zip", "old-site.zip", "cannot be read"),
        (b"title\n", "old-site.txt", "Upload the manifest (.csv or .json) or a .zip"),
        (None, "old-site.zip", "names a file outside itself"),
        (b"\xff\xfe\x00", "manifest.csv", "not UTF-8 text"),
    ],
)
def test_an_unusable_upload_is_refused_beside_the_field_and_nothing_is_kept(
    editor_client, folder, stored_files, data, name, message
):
    if data is None:
        data = zipped(folder, write_csv(folder, [entry(1)]), extra=[("../evil.csv", "x")])
    html = upload(editor_client, data, name).content.decode()
    assert message in html
    assert stored_files() == [] and Report.objects.count() == 0


def test_a_bare_manifest_without_pdfs_can_be_uploaded(editor_client, folder):
    manifest = write_csv(folder, [entry(1, pdfs="")])
    upload(editor_client, manifest.read_bytes(), "manifest.csv")
    editor_client.post("/admin/archive/import/", {"confirm": "1"})
    assert Report.objects.public().get().attachments.count() == 0
