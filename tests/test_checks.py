"""Checks before publishing: accessibility of the text, the PDF against the page, evidence
for each stage. Errors block publication on the server; warnings are shown."""

import json

import pytest
from django.core.exceptions import ValidationError

from reports import checks, workflow
from reports.models import Report, Stage, StageEvidence

from . import factories
from .test_admin import formset, report_form

pytestmark = pytest.mark.django_db


def codes(report):
    return {(f.level, f.code) for f in checks.check(report)}


def draft(body="<p>The report's text.</p>", **fields):
    return factories.draft_report(body=body, **fields)


# Accessibility of the text ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("<h2>Background</h2><h4>Detail</h4>", "skipped_heading"),
        ("<h3>Starts too deep</h3>", "skipped_heading"),
        ("<h2></h2><p>Text.</p>", "empty_heading"),
        (
            '<p>Read the resolution <a href="https://example.org/r">click here</a>.</p>',
            "vague_link",
        ),
        ('<p>See <a href="https://example.org/r">here</a>.</p>', "vague_link"),
        ('<p>Read <a href="https://example.org/r">more</a></p>', "vague_link"),
    ],
    ids=["h2-to-h4", "first-heading-h3", "empty-heading", "click-here", "here", "more"],
)
def test_each_accessibility_error_is_found(body, code):
    assert ("error", code) in codes(draft(body))


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("<p>THE ARMY HAS CLOSED EVERY ROAD NORTH</p>", "all_capitals"),
        (
            '<p>See <a href="https://example.org/r">https://example.org/r</a>.</p>',
            "address_as_link",
        ),
    ],
    ids=["capitals", "address-as-link-text"],
)
def test_each_accessibility_warning_is_found(body, code):
    assert ("warning", code) in codes(draft(body))


def test_a_well_written_text_passes():
    body = (
        "<h2>Background</h2><p>The UN and the AU met.</p><h3>Mopti</h3>"
        '<p>Read <a href="https://example.org/r">the Security Council resolution</a>.</p>'
        "<h2>Outlook</h2>"
    )
    assert codes(draft(body)) == set()


@pytest.mark.parametrize(
    ("alt", "code"),
    [
        ("", "image_without_description"),
        ("IMG_2041.jpg", "image_description_says_nothing"),
        ("photo", "image_description_says_nothing"),
    ],
)
def test_a_lead_image_needs_a_description_that_says_what_it_shows(alt, code):
    report = draft()
    Report.objects.filter(pk=report.pk).update(lead_image="images/a.jpg", lead_image_alt=alt)
    report.refresh_from_db()
    assert ("error", code) in codes(report)


# Errors block on the server ------------------------------------------------------------------


@pytest.mark.parametrize("step", ["publish", "schedule"])
def test_an_error_blocks_publishing_and_scheduling_in_the_workflow(editor, step):
    report = draft("<h2>A</h2><h4>B</h4>")
    at = (
        {"at": factories.timezone.now() + factories.timedelta(days=2)} if step == "schedule" else {}
    )
    with pytest.raises(ValidationError) as refused:
        workflow.take(step, report, user=editor, **at)
    assert "jumps from level 2 to level 4" in " ".join(refused.value.messages)
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT


def test_an_error_blocks_a_publish_request_posted_by_hand(editor_client):
    report = draft('<p><a href="https://example.org">click here</a></p>')
    page = editor_client.get(f"/admin/reports/report/{report.pk}/workflow/publish/")
    html = page.content.decode()
    assert "says nothing about where it leads" in html
    assert "Fix the errors above before you publish now" in html
    assert 'type="submit" class="default"' not in html
    response = editor_client.post(
        f"/admin/reports/report/{report.pk}/workflow/publish/", follow=True
    )
    assert "says nothing about where it leads" in response.content.decode()
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT


def test_an_error_blocks_publishing_pending_changes(editor):
    live = factories.published_report()
    copy = workflow.report_propose_changes(live, user=editor)
    Report.objects.filter(pk=copy.pk).update(body="<h3>Too deep</h3>")
    copy.refresh_from_db()
    with pytest.raises(ValidationError):
        workflow.report_publish_changes(copy, user=editor, note="Rewrote the opening.")
    assert Report.objects.filter(pk=copy.pk).exists()
    live.refresh_from_db()
    assert live.body == "<p>The report's text.</p>"


def test_warnings_are_shown_and_may_be_published_past(editor_client):
    report = draft("<p>THE ARMY HAS CLOSED EVERY ROAD NORTH</p>")
    report.stages.set(Stage.objects.filter(number=8))
    page = editor_client.get(
        f"/admin/reports/report/{report.pk}/workflow/publish/"
    ).content.decode()
    assert (
        "written in capitals" in page and "Stage 8 (Persecution) is ticked with no evidence" in page
    )
    assert 'value="Publish now despite the warnings"' in page
    editor_client.post(f"/admin/reports/report/{report.pk}/workflow/publish/")
    report.refresh_from_db()
    assert report.status == Report.Status.PUBLISHED


def test_the_report_form_shows_each_finding_with_where_to_fix_it(editor_client):
    report = draft("<h2>A</h2><h4>B</h4>")
    html = editor_client.get(f"/admin/reports/report/{report.pk}/change/").content.decode()
    assert "Checks before publishing" in html
    assert f'href="/admin/reports/report/{report.pk}/change/#id_body">Fix it in “Text”' in html


# PDF against page ----------------------------------------------------------------------------


def edition_saying(report, text):
    return factories.attachment(report, content=factories.pdf_bytes(text))


def test_a_pdf_of_another_country_or_year_is_a_warning_naming_what_is_missing():
    report = draft(title="Mali Country Report 2023", year=2023, country=factories.country("ML"))
    edition_saying(report, "Sudan Country Report 2019")
    [finding] = checks.pdf_findings(report)
    assert finding.level == "warning"
    assert "the country (Mali)" in finding.message and "the year (2023)" in finding.message
    assert "the title" in finding.message


def test_a_pdf_missing_an_addressee_is_named_in_the_warning():
    report = draft(title="Mali Country Report 2023", year=2023, country=factories.country("ML"))
    factories.furnish(report, stages=(), recommendations=0, attachments=0, authors=0)
    report.recommendations.create(
        addressee=factories.addressee("The UN Security Council"), text="should act."
    )
    report.recommendations.create(addressee=factories.addressee("France"), text="should act.")
    edition_saying(report, "Mali Country Report 2023. France should act.")
    [finding] = checks.pdf_findings(report)
    assert "the addressee The UN Security Council" in finding.message
    assert "France" not in finding.message.split("addressee")[1]


def test_the_right_pdf_passes():
    report = draft(title="Mali Country Report 2023", year=2023, country=factories.country("ML"))
    edition_saying(report, "Mali Country Report 2023, on the situation in Mali.")
    assert checks.pdf_findings(report) == []


def test_replacing_the_pdf_with_the_wrong_one_warns_at_once(editor_client):
    editor_client.post("/admin/reports/report/add/", report_form())
    report = Report.objects.get()
    data = report_form(
        attachments=[factories.pdf_upload(content=factories.pdf_bytes("Sudan 2019"))],
        seen_version=str(report.edit_version),
        _continue="1",
    )
    data.update(
        formset(
            "authorships",
            [
                {
                    "id": report.authorships.get().pk,
                    "author": report.authorships.get().author_id,
                    "order": "0",
                }
            ],
            initial=1,
            min_num=1,
        )
    )
    data.update(
        formset(
            "recommendations",
            [
                {"id": r.pk, "addressee": r.addressee_id, "order": r.order, "text": r.text}
                for r in report.recommendations.all()
            ],
            initial=2,
        )
    )
    response = editor_client.post(f"/admin/reports/report/{report.pk}/change/", data, follow=True)
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert warnings and "does not mention the country (Mali)" in warnings[0]


# Evidence for each stage ---------------------------------------------------------------------


def test_a_ticked_stage_without_evidence_is_a_warning():
    report = draft()
    report.stages.set(Stage.objects.filter(number__in=[5, 8]))
    StageEvidence.objects.create(
        report=report, stage=Stage.objects.get(number=5), note="Militias armed."
    )
    assert [f.message.split(" is ticked")[0] for f in checks.evidence_findings(report)] == [
        "Stage 8 (Persecution)"
    ]


def test_evidence_is_written_in_the_report_form_and_kept_in_revisions(editor_client):
    data = report_form(
        evidence_8="Fulani villages were burned in Mopti in March.",
        source_8="https://example.org/mopti",
        evidence_3="Not ticked, so not kept.",
    )
    editor_client.post("/admin/reports/report/add/", data)
    report = Report.objects.get()
    [kept] = report.stage_evidence.all()
    assert (kept.stage.number, kept.note, kept.source) == (
        8,
        "Fulani villages were burned in Mopti in March.",
        "https://example.org/mopti",
    )
    from reversion.models import Version

    assert Version.objects.get_for_object(kept).exists()


def test_an_evidence_source_that_is_not_an_address_is_refused_beside_the_field(editor_client):
    response = editor_client.post(
        "/admin/reports/report/add/", report_form(evidence_8="x", source_8="not a url at all")
    )
    assert "source_8" in response.context["adminform"].form.errors
    assert not Report.objects.exists()


def test_readers_see_why_each_stage_and_citations_carry_it(client):
    report = factories.published_report()
    report.stages.set(Stage.objects.filter(number=8))
    StageEvidence.objects.create(
        report=report,
        stage=Stage.objects.get(number=8),
        note="Fulani villages were burned.",
        source="https://example.org/mopti",
    )
    html = client.get(report.get_absolute_url()).content.decode()
    assert "Why stage 8 (Persecution):" in html and "Fulani villages were burned." in html
    assert 'href="https://example.org/mopti"' in html
    csl = json.loads(client.get(report.get_absolute_url() + "citation.json").content)
    assert "Why stage 8 (Persecution): Fulani villages were burned." in csl[0]["note"]
    assert "Fulani villages were burned." in html.split("application/ld+json")[1]


def test_pending_changes_carry_the_evidence_and_publish_it(editor):
    live = factories.published_report()
    live.stages.set(Stage.objects.filter(number=8))
    StageEvidence.objects.create(report=live, stage=Stage.objects.get(number=8), note="Old note.")
    copy = workflow.report_propose_changes(live, user=editor)
    assert copy.stage_evidence.get().note == "Old note."
    copy.stage_evidence.update(note="New note.")
    workflow.report_publish_changes(copy, user=editor, note="Updated the evidence.")
    assert live.stage_evidence.get().note == "New note."
