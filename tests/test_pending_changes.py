"""Changes to a published report are proposed, reviewed and published with a note; readers
see only what an editor approved, and the report keeps its addresses and its date."""

import pytest
from django.test import Client
from reversion.models import Version

from audit.models import AuditEvent
from reports.models import Attachment, Correction, Report

from . import factories
from .test_admin import change_form

pytestmark = pytest.mark.django_db


def admin_url(report, suffix):
    return f"/admin/reports/report/{report.pk}/{suffix}"


@pytest.fixture
def live():
    report = factories.published_report(
        title="Mali Country Report 2023", summary="The approved summary."
    )
    factories.furnish(report)
    return report


def propose(client, report):
    response = client.post(admin_url(report, "changes/"))
    assert response.status_code == 302
    return Report.objects.get(revises=report)


def test_a_published_report_is_not_changed_in_place_even_by_an_editor(editor_client, live):
    response = editor_client.post(
        admin_url(live, "change/"), change_form(live, summary="Changed without review.")
    )
    assert response.status_code == 403
    live.refresh_from_db()
    assert live.summary == "The approved summary."
    page = editor_client.get(admin_url(live, "change/")).content.decode()
    assert "Propose changes" in page


def test_proposed_changes_stay_private_until_an_editor_publishes_them(client, author, live):
    client.force_login(author)
    changes = propose(client, live)
    assert changes.title == live.title and changes.status == Report.Status.DRAFT
    assert list(changes.stages.all()) == list(live.stages.all())
    assert changes.recommendations.count() == live.recommendations.count()
    data = change_form(changes, summary="A corrected summary.")
    data["_workflow"] = "submit"
    client.post(admin_url(changes, "change/"), data)
    client.post(admin_url(changes, "workflow/submit/"))
    changes.refresh_from_db()
    assert changes.status == Report.Status.IN_REVIEW

    reader = Client().get(live.get_absolute_url()).content.decode()
    assert "The approved summary." in reader and "A corrected summary." not in reader
    assert Client().get(changes.get_absolute_url()).status_code == 404
    assert "A corrected summary." not in Client().get("/reports/").content.decode()


def test_staff_see_the_pending_version_at_the_public_address_under_a_banner(editor_client, live):
    changes = propose(editor_client, live)
    changes.summary = "A corrected summary."
    changes.save()
    page = editor_client.get(live.get_absolute_url())
    html = page.content.decode()
    assert "Pending changes, not public." in html and "A corrected summary." in html
    assert "no-store" in page["Cache-Control"]


def test_the_editor_sees_a_word_diff_and_must_write_a_note_for_readers(editor_client, live):
    changes = propose(editor_client, live)
    changes.summary = "The corrected summary."
    changes.save()
    page = editor_client.get(admin_url(changes, "workflow/publish_changes/")).content.decode()
    assert "<del>approved</del>" in page and "<ins>corrected</ins>" in page

    response = editor_client.post(admin_url(changes, "workflow/publish_changes/"), {"note": ""})
    assert "Say in a sentence what changed" in response.content.decode()
    live.refresh_from_db()
    assert live.summary == "The approved summary."
    assert Report.objects.filter(pk=changes.pk).exists()


def test_published_changes_reach_readers_with_their_note_and_the_same_date(editor_client, live):
    first_published = live.published_at
    edition = live.attachments.get()
    changes = propose(editor_client, live)
    changes.summary = "The corrected summary."
    changes.save()
    Client().get(live.get_absolute_url())  # a reader's copy in the page cache

    response = editor_client.post(
        admin_url(changes, "workflow/publish_changes/"),
        {"note": "Corrected the number of people displaced."},
    )
    assert response.status_code == 302
    assert response["Location"] == admin_url(live, "change/")
    live.refresh_from_db()
    assert live.summary == "The corrected summary."
    assert live.published_at == first_published and live.is_public
    assert not Report.objects.filter(pk=changes.pk).exists()
    assert not Version.objects.get_for_object(changes).exists()  # never recoverable alone
    assert live.attachments.get().pk == edition.pk  # the PDF keeps its address

    html = Client().get(live.get_absolute_url()).content.decode()
    assert "The corrected summary." in html
    assert "Updated <time" in html and "Corrected the number of people displaced." in html
    assert Correction.objects.get(report=live).made_by.username == "editor"
    assert AuditEvent.objects.filter(action="changes_published", object_id=str(live.pk)).exists()
    assert (
        Version.objects.get_for_object(live)
        .first()
        .revision.comment.startswith("Published changes: Corrected")
    )


def test_a_typo_fix_may_go_without_a_note(editor_client, live):
    changes = propose(editor_client, live)
    changes.title = "Mali Country Report, 2023"
    changes.save()
    editor_client.post(admin_url(changes, "workflow/publish_changes/"), {"minor": "on"})
    live.refresh_from_db()
    assert live.title == "Mali Country Report, 2023"
    assert "Typing errors corrected." in Client().get(live.get_absolute_url()).content.decode()


def test_an_author_cannot_publish_changes_and_an_editor_can_return_them(
    client, author, editor, live
):
    client.force_login(author)
    changes = propose(client, live)
    client.post(admin_url(changes, "workflow/submit/"))
    assert (
        client.post(admin_url(changes, "workflow/publish_changes/"), {"note": "x"}).status_code
        == 403
    )

    client.force_login(editor)
    client.post(admin_url(changes, "workflow/return/"), {"note": "Cite the source."})
    changes.refresh_from_db()
    assert changes.status == Report.Status.DRAFT and changes.review_note == "Cite the source."


def test_a_replaced_pdf_in_the_changes_keeps_the_editions_address(
    django_capture_on_commit_callbacks, editor_client, live, stored_files
):
    from reports import uploads

    edition = live.attachments.get()
    old_file = edition.file.name
    changes = propose(editor_client, live)
    clone = changes.attachments.get()
    uploads.attach_pdf(clone, factories.pdf_upload("new.pdf", factories.pdf_bytes("New text")))
    clone.save()
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            admin_url(changes, "workflow/publish_changes/"), {"note": "A corrected PDF."}
        )
    updated = Attachment.objects.get(pk=edition.pk)
    assert updated.report_id == live.pk and updated.file.name != old_file
    assert b"New text" in b"".join(Client().get(updated.get_absolute_url()).streaming_content)


def test_proposing_twice_opens_the_same_changes(editor_client, live):
    assert propose(editor_client, live) == propose(editor_client, live)


def test_pending_changes_appear_on_no_public_surface(editor_client, live):
    changes = propose(editor_client, live)
    changes.title = "Canary title 7f3a"
    changes.summary = "Canary summary 7f3a"
    changes.save()
    reader = Client()
    for url in [
        "/",
        "/reports/",
        "/reports/?q=canary",
        f"/countries/{live.country.slug}/",
        "/feeds/reports/",
        f"/countries/{live.country.slug}/feed/",
        "/sitemap.xml",
        "/sitemap-reports.xml",
        "/recommendations/",
        live.get_absolute_url(),
        f"{live.get_absolute_url()}citation.ris",
    ]:
        response = reader.get(url, follow=True)
        body = response.content if not response.streaming else b"".join(response.streaming_content)
        assert b"7f3a" not in body, url
        assert changes.slug.encode() not in body, url


def test_changes_that_move_the_alert_level_are_emailed_to_the_countrys_subscribers(
    django_capture_on_commit_callbacks, editor_client, live, mailoutbox
):
    from django.utils import timezone

    from alerts.models import Subscriber

    watcher = Subscriber.objects.create(
        email="watcher@example.org",
        all_reports=False,
        level_changes_only=True,
        confirmed_at=timezone.now(),
    )
    watcher.countries.add(live.country)
    changes = propose(editor_client, live)
    changes.alert_level = "warning"
    changes.save()
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            admin_url(changes, "workflow/publish_changes/"),
            {
                "note": "Violence has eased since the ceasefire in the centre.",
                "reason": "Killings stopped after the June ceasefire held for three months.",
            },
        )
    (message,) = mailoutbox
    assert message.to == ["watcher@example.org"]
    assert message.subject.startswith("Alert level changed: ")
    assert "changed from Genocide Emergency to Genocide Warning" in message.body
    assert "Violence has eased" in message.body
    assert "Why: Killings stopped after the June ceasefire" in message.body

    # A later typo fix leaves the level as it is: nobody is emailed.
    changes = propose(editor_client, live)
    changes.title = "Mali Country Report, 2023"
    changes.save()
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(admin_url(changes, "workflow/publish_changes/"), {"minor": "on"})
    assert len(mailoutbox) == 1


def test_citations_name_the_update_readers_were_told_of(editor_client, live):
    changes = propose(editor_client, live)
    changes.summary = "The corrected summary."
    changes.save()
    editor_client.post(
        admin_url(changes, "workflow/publish_changes/"), {"note": "Corrected a figure."}
    )
    reader = Client()
    for fmt in ("bib", "ris", "json"):
        body = reader.get(f"{live.get_absolute_url()}citation.{fmt}").content.decode()
        assert "Corrected a figure." in body, fmt
    page = reader.get(live.get_absolute_url()).content.decode()
    assert f", updated {live.corrections.get().made_at.year})" in page


def test_a_published_reports_admin_page_shows_its_text_as_readers_see_it(editor_client, live):
    live.body = "<p>Militants seized the <strong>north</strong>.</p>"
    live.save()
    html = editor_client.get(admin_url(live, "change/")).content.decode()
    assert "<p>Militants seized the <strong>north</strong>.</p>" in html
    assert "&lt;p&gt;" not in html


def test_changes_begun_before_the_live_report_changed_are_not_published_over_it(
    editor_client, editor, live
):
    from reports import workflow

    changes = propose(editor_client, live)
    changes.summary = "Old proposal."
    changes.save()
    live = workflow.report_unpublish(live, user=editor)
    live = workflow.report_publish(live, user=editor)
    response = editor_client.post(
        admin_url(changes, "workflow/publish_changes/"), {"note": "An old proposal."}, follow=True
    )
    assert "has changed since these changes were started" in response.content.decode()
    live.refresh_from_db()
    assert live.summary == "The approved summary."
    assert not live.corrections.exists()


def test_changes_saved_after_the_editor_looked_at_them_are_not_published_unseen(
    editor_client, live
):
    changes = propose(editor_client, live)
    seen = changes.edit_version
    changes.summary = "A change nobody reviewed."
    changes.edit_version += 1
    changes.save()
    response = editor_client.post(
        admin_url(changes, "workflow/publish_changes/"),
        {"note": "Reviewed.", "seen_version": seen},
        follow=True,
    )
    assert "Someone saved these changes after you opened this page" in response.content.decode()
    live.refresh_from_db()
    assert live.summary == "The approved summary."


def test_the_revision_of_published_changes_holds_the_new_byline_and_recommendations(
    editor_client, live
):
    changes = propose(editor_client, live)
    changes.recommendations.update(text="should act now.")
    editor_client.post(admin_url(changes, "workflow/publish_changes/"), {"note": "Sharper."})
    revision = Version.objects.get_for_object(live).first().revision
    kept = {v.content_type.model for v in revision.version_set.all()}
    assert {"authorship", "recommendation", "attachment"} <= kept
    texts = [
        v.field_dict["text"]
        for v in revision.version_set.all()
        if v.content_type.model == "recommendation"
    ]
    assert texts and all(text == "should act now." for text in texts)


def test_deleted_changes_are_never_offered_for_recovery(editor_client, live):
    changes = propose(editor_client, live)
    editor_client.post(admin_url(changes, "delete/"), {"post": "yes"})
    assert not Report.objects.filter(pk=changes.pk).exists()
    assert Report.objects.filter(pk=live.pk).exists()
    assert not Version.objects.get_deleted(Report).filter(object_id=str(changes.pk)).exists()


def test_a_level_change_on_an_older_report_emails_nobody(
    django_capture_on_commit_callbacks, editor_client, live, mailoutbox
):
    from django.utils import timezone

    from alerts.models import Subscriber

    Subscriber.objects.create(email="all@example.org", confirmed_at=timezone.now())
    factories.published_report(country=live.country, year=2024, slug="mali-2024")
    changes = propose(editor_client, live)
    changes.alert_level = "watch"
    changes.save()
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(admin_url(changes, "workflow/publish_changes/"), {"note": "Revised."})
    assert mailoutbox == []


def test_staff_can_still_read_the_published_version_while_changes_are_pending(editor_client, live):
    changes = propose(editor_client, live)
    changes.summary = "A corrected summary."
    changes.save()
    html = editor_client.get(f"{live.get_absolute_url()}?published").content.decode()
    assert "The approved summary." in html and "Pending changes, not public." not in html


def test_changes_to_a_scheduled_report_leave_no_public_update_note(editor_client):
    report = factories.scheduled_report(summary="Before.")
    factories.furnish(report)
    changes = propose(editor_client, report)
    changes.summary = "After."
    changes.save()
    editor_client.post(admin_url(changes, "workflow/publish_changes/"), {"note": "Fixed."})
    report.refresh_from_db()
    assert report.summary == "After." and report.is_scheduled
    assert not report.corrections.exists()
