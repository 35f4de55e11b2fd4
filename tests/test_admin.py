import json

import pytest
from django.test import Client

from reports.models import Addressee, Attachment, Recommendation, Report, Stage
from reports.times import local_and_utc

from . import factories
from .conftest import files_of

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/reports/report/add/"


def formset(prefix, rows, initial=0, min_num=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": str(min_num),
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{field}": value for field, value in row.items()})
    return data


def report_form(*, attachments=(), recommendations=None, authors=None, **fields):
    """What the admin's add form posts for a complete report."""
    if recommendations is None:
        recommendations = [
            {
                "addressee": factories.addressee("France").pk,
                "order": "0",
                "text": "should urge a new peace operation.",
            },
            {
                "addressee": factories.addressee("Mali").pk,
                "order": "1",
                "text": "should expel foreign mercenaries.",
            },
        ]
    if authors is None:
        authors = [{"author": factories.author("Esme Matthews").pk, "order": "0"}]
    data = {
        "country": "ML",
        "year": "2023",
        "alert_level": "emergency",
        "title": "Mali Country Report 2023",
        "slug": "mali-country-report-2023",
        "summary": "Persecution of the Fulani and attacks on civilians.",
        "body": "<h2>Background</h2><p>Militants seized the <strong>north</strong>.</p>",
        "stages": [
            str(pk)
            for pk in Stage.objects.filter(number__in=[5, 6, 8]).values_list("pk", flat=True)
        ],
        "status": "draft",
        "published_at_0": "",
        "published_at_1": "",
        "headline_override": "",
        **formset("authorships", authors, min_num=1),
        **formset("recommendations", recommendations),
        **formset(
            "attachments",
            [
                {"file": upload, "title": "", "language": "en", "preview_page": "1"}
                for upload in attachments
            ],
        ),
    }
    data.update(fields)
    return data


def test_the_add_form_speaks_to_editors(editor_client):
    html = editor_client.get(ADD_URL).content.decode()
    assert "What the report is" in html
    assert "Stages of genocide" in html
    assert 'type="checkbox" name="stages"' in html
    assert "5 · Organization" in html
    assert "Byline (one or more authors, in order)" in html
    assert "Recommendations (each addressed to someone)" in html
    assert "PDF editions" in html
    assert "data-django-prose-editor-configurable" in html
    # The slug is filled in from the title as the editor types.
    assert "&quot;name&quot;: &quot;slug&quot;" in html
    assert "&quot;dependency_list&quot;: [&quot;title&quot;]" in html
    # The addressee is picked by autocomplete, with "add another" beside it.
    assert "admin-autocomplete" in html
    assert "/admin/reports/addressee/add/" in html


def test_staff_add_a_complete_report_with_inlines(editor_client, stored_files):
    upload = factories.pdf_upload("Mali Report 2023.pdf")
    response = editor_client.post(ADD_URL, report_form(attachments=[upload]))
    assert response.status_code == 302, response.context and response.context["errors"]
    report = Report.objects.get(slug="mali-country-report-2023")
    assert report.status == Report.Status.DRAFT
    assert [s.number for s in report.stages.all()] == [5, 6, 8]
    assert [r.addressee.name for r in report.recommendations.all()] == ["France", "Mali"]
    assert [a.name for a in report.authors] == ["Esme Matthews"]
    attachment = report.attachments.get()
    assert attachment.original_name == "Mali Report 2023.pdf"
    assert attachment.page_count == 1
    assert attachment.size == len(factories.pdf_bytes())
    assert len(attachment.sha256) == 64
    assert stored_files() == files_of(attachment)


def change_form(report, **fields):
    """What the admin's change form posts for an existing report, its rows as they are."""
    data = report_form(
        recommendations=[],
        authors=[],
        title=report.title,
        slug=report.slug,
        seen_version=str(report.edit_version),
        **formset(
            "authorships",
            [
                {"id": a.pk, "report": report.pk, "author": a.author_id, "order": a.order}
                for a in report.authorships.all()
            ],
            initial=report.authorships.count(),
            min_num=1,
        ),
    )
    data.update(
        formset(
            "recommendations",
            [
                {
                    "id": r.pk,
                    "report": report.pk,
                    "addressee": r.addressee_id,
                    "text": r.text,
                    "order": r.order,
                }
                for r in report.recommendations.all()
            ],
            initial=report.recommendations.count(),
        )
    )
    data.update(
        formset(
            "attachments",
            [
                {
                    "id": a.pk,
                    "report": report.pk,
                    "title": a.title,
                    "language": a.language,
                    "preview_page": a.preview_page,
                }
                for a in report.attachments.all()
            ],
            initial=report.attachments.count(),
        )
    )
    data.update(fields)
    return data


def test_publishing_is_a_step_taken_after_saving_not_a_field(editor_client):
    public = Client()
    editor_client.post(ADD_URL, report_form())
    report = Report.objects.get()
    assert public.get(report.get_absolute_url()).status_code == 404

    # A status in the posted form is ignored: only the workflow step publishes.
    data = change_form(report, status="published", summary="Corrected summary.")
    data["_workflow"] = "publish"
    response = editor_client.post(f"/admin/reports/report/{report.pk}/change/", data)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/reports/report/{report.pk}/workflow/publish/"
    report.refresh_from_db()
    assert (report.status, report.summary) == (Report.Status.DRAFT, "Corrected summary.")

    response = editor_client.post(response["Location"])
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.PUBLISHED
    assert report.published_at is not None
    assert public.get(report.get_absolute_url()).status_code == 200


def test_hostile_html_from_the_editor_is_sanitised_before_it_is_stored(editor_client):
    body = '<p>Safe</p><script>alert(1)</script><p onmouseover="x()">Hover</p>'
    editor_client.post(ADD_URL, report_form(body=body))
    stored = Report.objects.get().body
    assert stored == "<p>Safe</p><p>Hover</p>"


def test_a_scheduled_report_is_shown_as_scheduled_in_the_list(editor_client):
    factories.scheduled_report(title="Due next week")
    html = editor_client.get("/admin/reports/report/").content.decode()
    assert "Scheduled for" in html


def test_each_row_of_the_list_has_the_checkbox_django_draws_for_actions(editor_client):
    report = factories.draft_report(title='Fish & "Chips" Report')
    html = editor_client.get("/admin/reports/report/").content.decode()
    assert (
        f'<input type="checkbox" name="_selected_action" value="{report.pk}" '
        'class="action-select" aria-label="Select this object for an action - '
        'Fish &amp; &quot;Chips&quot; Report">'
    ) in html


def test_the_list_shows_each_report_with_its_country_level_language_state_and_time(
    editor_client,
):
    published = factories.published_report(title="The 2023 Report")
    factories.draft_report(title="Sudan Draft")
    html = editor_client.get("/admin/reports/report/").content.decode()
    row = html[html.index("The 2023 Report") :].split("</tr>")[0]
    assert "Mali" in row
    assert "Emergency" in row
    assert "English" in row
    assert "Published" in row
    assert local_and_utc(published.published_at) in row
    draft_row = html[html.index("Sudan Draft") :].split("</tr>")[0]
    assert "Draft" in draft_row


def test_the_staff_search_finds_part_of_a_word_in_the_title_summary_or_body(editor_client):
    factories.draft_report(title="Sudan Country Report", summary="Sieges of cities.")
    factories.draft_report(title="Mali Country Report", body="<p>Militants seized towns.</p>")
    factories.draft_report(title="Niger Country Report")

    def found(words):
        html = editor_client.get("/admin/reports/report/", {"q": words}).content.decode()
        return {name for name in ("Sudan", "Mali", "Niger") if f"{name} Country Report" in html}

    assert found("SUDAN") == {"Sudan"}
    assert found("siege") == {"Sudan"}
    assert found("ilitant") == {"Mali"}
    assert found("country rep") == {"Sudan", "Mali", "Niger"}


def assert_refused(response, message, stored_files):
    assert response.status_code == 200
    errors = " ".join(str(e) for e in response.context["inline_admin_formsets"][2].formset.errors)
    assert message in errors, errors
    html = response.content.decode()
    assert message in html.replace("&#x27;", "'")
    assert not Report.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_files() == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"<html><body>not a pdf</body></html>", "This file is not a PDF"),
        ("report.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 200, "This file is not a PDF"),
        ("report.pdf", b"%PDF-1.7\nthis is not really a pdf at all\n%%EOF", "cannot be read"),
        ("report.pdf", factories.pdf_bytes()[:200], "cannot be read"),
        ("report.pdf", factories.encrypted_pdf_bytes(), "password-protected or encrypted"),
        ("report.pdf", factories.pdf_with_javascript(), "contains scripts or actions"),
        ("report.pdf", factories.pdf_with_hidden_javascript_name(), "contains scripts or actions"),
        ("report.pdf", factories.pdf_with_launch_action(), "contains scripts or actions"),
        ("report.pdf", factories.pdf_with_embedded_file(), "carries other files inside it"),
        (
            "report.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>',
            "This file is not a PDF",
        ),
    ],
    ids=[
        "html",
        "png",
        "garbage-after-header",
        "truncated",
        "encrypted",
        "javascript",
        "hidden-javascript",
        "launch-action",
        "embedded-file",
        "svg",
    ],
)
def test_a_bad_upload_is_refused_beside_the_field_and_nothing_is_saved(
    editor_client, stored_files, name, content, message
):
    upload = factories.pdf_upload(name, content)
    response = editor_client.post(ADD_URL, report_form(attachments=[upload]))
    assert_refused(response, message, stored_files)


def test_an_empty_upload_is_refused(editor_client, stored_files):
    upload = factories.pdf_upload("report.pdf", b"")
    response = editor_client.post(ADD_URL, report_form(attachments=[upload]))
    assert_refused(response, "The submitted file is empty.", stored_files)


def test_an_upload_over_the_size_limit_is_refused(editor_client, stored_files, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    upload = factories.pdf_upload("report.pdf", factories.pdf_bytes("x" * 5000))
    response = editor_client.post(ADD_URL, report_form(attachments=[upload]))
    assert_refused(response, "the largest PDF the site accepts is 1000", stored_files)


def test_a_pdf_that_takes_too_long_to_check_is_refused(editor_client, stored_files, settings):
    settings.PDF_CHECK_SECONDS = 0.01  # the checking process is stopped at its deadline
    upload = factories.pdf_upload("report.pdf")
    response = editor_client.post(ADD_URL, report_form(attachments=[upload]))
    assert_refused(response, "too complex to check within the limits", stored_files)


def test_a_pdf_named_otherwise_is_judged_by_its_content(editor_client):
    upload = factories.pdf_upload("scan.bin", content_type="application/octet-stream")
    response = editor_client.post(ADD_URL, report_form(attachments=[upload]))
    assert response.status_code == 302
    assert Attachment.objects.get().original_name == "scan.bin.pdf"


def test_a_report_needs_at_least_one_author(editor_client):
    response = editor_client.post(ADD_URL, report_form(authors=[]))
    assert response.status_code == 200
    assert "Add at least one author: every report carries a byline." in response.content.decode()
    assert not Report.objects.exists()


def test_a_recommendation_needs_an_addressee(editor_client):
    rows = [{"addressee": "", "order": "0", "text": "should act."}]
    response = editor_client.post(ADD_URL, report_form(recommendations=rows))
    assert response.status_code == 200
    assert not Report.objects.exists()
    assert not Recommendation.objects.exists()


def test_a_duplicate_slug_is_a_message_beside_the_field(editor_client):
    factories.report(slug="mali-country-report-2023")
    response = editor_client.post(ADD_URL, report_form())
    assert response.status_code == 200
    assert "Report with this Slug already exists." in response.content.decode()
    assert Report.objects.count() == 1


def test_a_forged_post_without_the_csrf_token_changes_nothing(editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post(ADD_URL, report_form())
    assert response.status_code == 403
    assert not Report.objects.exists()


def test_the_public_cannot_reach_the_admin_forms(client):
    response = client.post(ADD_URL, report_form())
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert not Report.objects.exists()


def test_the_report_list_filters_and_searches(editor_client):
    factories.published_report(title="Mali Country Report 2023", body="<p>Ogossagou</p>")
    factories.draft_report(title="Sudan alert", country=factories.country("SD"))
    html = editor_client.get("/admin/reports/report/?status__exact=draft").content.decode()
    assert "Sudan alert" in html
    assert "Mali Country Report 2023" not in html
    html = editor_client.get("/admin/reports/report/?q=Ogossagou").content.decode()
    assert "Mali Country Report 2023" in html
    assert "Sudan alert" not in html
    stage = Stage.objects.get(number=5)
    assert (
        editor_client.get(f"/admin/reports/report/?stages__id__exact={stage.pk}").status_code == 200
    )
    assert (
        editor_client.get(
            "/admin/reports/report/?year=2023&alert_level__exact=emergency"
        ).status_code
        == 200
    )


def test_the_change_form_links_to_the_page_on_the_site(editor_client):
    report = factories.draft_report()
    html = editor_client.get(f"/admin/reports/report/{report.pk}/change/").content.decode()
    assert "View on site" in html


def test_addressees_are_found_by_autocomplete(editor_client):
    factories.addressee("France", kind=Addressee.Kind.STATE)
    factories.addressee("The UN Security Council", kind=Addressee.Kind.UN_BODY)
    response = editor_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "reports",
            "model_name": "recommendation",
            "field_name": "addressee",
            "term": "Secur",
        },
    )
    assert [r["text"] for r in json.loads(response.content)["results"]] == [
        "The UN Security Council"
    ]


def test_a_new_addressee_can_be_added_from_the_recommendation_popup(editor_client):
    response = editor_client.post(
        "/admin/reports/addressee/add/?_to_field=id&_popup=1",
        {
            "name": "The African Union",
            "slug": "african-union",
            "kind": "regional",
            "_popup": "1",
            "_to_field": "id",
        },
    )
    assert response.status_code == 200
    assert Addressee.objects.filter(name="The African Union").exists()


def test_stages_can_be_reworded_but_not_added_or_deleted(editor_client):
    stage = Stage.objects.get(number=5)
    assert editor_client.get("/admin/reports/stage/add/").status_code == 403
    assert editor_client.get(f"/admin/reports/stage/{stage.pk}/delete/").status_code == 403
    response = editor_client.post(
        f"/admin/reports/stage/{stage.pk}/change/", {"description": "Reworded."}
    )
    assert response.status_code == 302
    stage.refresh_from_db()
    assert (stage.description, stage.name, stage.number) == ("Reworded.", "Organization", 5)


def test_follow_links_are_managed_in_the_admin(admin_client):
    response = admin_client.post(
        "/admin/follow/followlink/add/",
        {"platform": "youtube", "url": "https://video.example/gw", "label": "", "order": "1"},
    )
    assert response.status_code == 302
    html = Client().get("/").content.decode()
    assert 'href="https://video.example/gw"' in html


def test_a_follow_link_must_be_a_web_address(admin_client):
    response = admin_client.post(
        "/admin/follow/followlink/add/",
        {"platform": "youtube", "url": "javascript:alert(1)", "label": "", "order": "1"},
    )
    assert response.status_code == 200
    assert "Enter a valid URL." in response.content.decode()


def test_saving_a_report_without_choosing_a_new_file_keeps_its_pdf(editor_client, stored_files):
    report = factories.draft_report()
    report.authorships.create(author=factories.author())
    attachment = factories.attachment(report, name="kept.pdf")
    page = editor_client.get(f"/admin/reports/report/{report.pk}/change/").content.decode()
    assert f'href="{attachment.get_absolute_url()}"' in page
    assert "/media/" not in page
    data = change_form(report)
    data["attachments-0-title"], data["attachments-0-language"] = "New title", "fr"
    response = editor_client.post(f"/admin/reports/report/{report.pk}/change/", data)
    assert response.status_code == 302
    attachment.refresh_from_db()
    assert (attachment.title, attachment.language) == ("New title", "fr")
    assert attachment.original_name == "kept.pdf"
    assert stored_files() == files_of(attachment)


def test_an_editor_picks_the_preview_page_in_the_form(editor_client):
    report = factories.draft_report()
    report.authorships.create(author=factories.author())
    attachment = factories.attachment(report, content=factories.pdf_bytes("Page text. " * 900))
    assert attachment.page_count >= 2
    data = change_form(report)
    data["attachments-0-preview_page"] = "2"
    assert editor_client.post(f"/admin/reports/report/{report.pk}/change/", data).status_code == 302
    attachment.refresh_from_db()
    assert attachment.preview_page == 2

    data = change_form(report)
    data["attachments-0-preview_page"] = "99"
    response = editor_client.post(f"/admin/reports/report/{report.pk}/change/", data)
    assert response.status_code == 200
    assert "choose one of them" in response.content.decode()
