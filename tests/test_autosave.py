"""Autosave: what an editor writes is kept on the server without a revision, never over
someone else's save, and offered back after a session ends or the browser crashes."""

import pytest
from django.contrib.sessions.models import Session
from reversion.models import Version

from reports.models import Autosave, Report

from . import factories

pytestmark = pytest.mark.django_db


def urls(report):
    base = f"/admin/reports/report/{report.pk}/"
    return base + "autosave/", base + "change/"


def test_autosave_keeps_the_text_without_a_revision_or_touching_the_report(editor_client, editor):
    report = factories.draft_report(body="<p>Saved text.</p>")
    autosave_url, _ = urls(report)
    response = editor_client.post(
        autosave_url,
        {
            "body": "<p>Newer text.</p><script>x()</script>",
            "title": "New title",
            "seen_version": str(report.edit_version),
        },
    )
    assert response.status_code == 200
    assert "saved_at" in response.json() and response.json()["csrf"]
    kept = Autosave.objects.get(report=report, user=editor)
    assert kept.fields["body"] == "<p>Newer text.</p>"
    assert kept.fields["title"] == "New title"
    report.refresh_from_db()
    assert (report.body, report.edit_version) == ("<p>Saved text.</p>", 0)
    assert not Version.objects.get_for_object(report).exists()
    # A second autosave replaces the first: one per person and report.
    editor_client.post(autosave_url, {"body": "<p>Newest.</p>", "seen_version": "0"})
    assert Autosave.objects.get().fields["body"] == "<p>Newest.</p>"


def test_an_autosave_on_top_of_a_newer_save_overwrites_nothing_and_says_so(
    editor_client, editor, author
):
    report = factories.draft_report(body="<p>Theirs.</p>", updated_by=author)
    Report.objects.filter(pk=report.pk).update(edit_version=3)  # saved three times since
    autosave_url, change_url = urls(report)
    response = editor_client.post(autosave_url, {"body": "<p>Mine.</p>", "seen_version": "1"})
    assert response.status_code == 409
    assert "author saved this report after you opened it" in response.json()["message"]
    report.refresh_from_db()
    assert report.body == "<p>Theirs.</p>"
    assert Autosave.objects.get().based_on_version == 1
    # Restored and saved, the text meets the stale-edit check like any other save.
    page = editor_client.get(change_url + "?restore=1")
    form = page.context["adminform"].form
    assert form.initial["body"] == "<p>Mine.</p>"
    assert form["seen_version"].value() == 1


def test_after_the_session_ends_the_autosave_is_refused_then_offered_at_next_sign_in(
    client, editor
):
    report = factories.draft_report(body="<p>Saved text.</p>")
    autosave_url, change_url = urls(report)
    client.force_login(editor)
    client.post(
        autosave_url, {"body": "<p>Written before the session ended.</p>", "seen_version": "0"}
    )
    Session.objects.all().delete()  # the session expires

    refused = client.post(autosave_url, {"body": "<p>After.</p>", "seen_version": "0"})
    assert refused.status_code == 401
    assert "Your session has ended" in refused.json()["message"]
    assert Autosave.objects.get().fields["body"] == "<p>Written before the session ended.</p>"

    client.force_login(editor)
    page = client.get(change_url).content.decode()
    assert "Unsaved text was kept for you." in page
    restored = client.get(change_url + "?restore=1")
    assert restored.context["adminform"].form.initial["body"] == (
        "<p>Written before the session ended.</p>"
    )
    assert "The form shows the text autosaved at" in restored.content.decode()


def test_a_real_save_forgets_the_autosave(editor_client, editor):
    from .test_admin import report_form

    editor_client.post(
        "/admin/reports/report/autosave/", {"title": "A new report", "body": "<p>x</p>"}
    )
    assert Autosave.objects.filter(report=None, user=editor).exists()
    assert (
        "Unsaved text was kept" in editor_client.get("/admin/reports/report/add/").content.decode()
    )
    editor_client.post("/admin/reports/report/add/", report_form())
    assert not Autosave.objects.exists()


def test_text_already_saved_is_not_offered(editor_client, editor):
    report = factories.draft_report(body="<p>Same.</p>")
    autosave_url, change_url = urls(report)
    editor_client.post(autosave_url, {"body": "<p>Same.</p>", "seen_version": "0"})
    assert "Unsaved text" not in editor_client.get(change_url).content.decode()


def test_discarding_the_autosave_removes_it(editor_client):
    report = factories.draft_report()
    autosave_url = urls(report)[0]
    editor_client.post(autosave_url, {"body": "<p>Draft.</p>", "seen_version": "0"})
    editor_client.post(autosave_url, {"discard": "1"})
    assert not Autosave.objects.exists()


def test_someone_who_may_not_change_the_report_cannot_autosave_it(client, author):
    report = factories.report(status=Report.Status.IN_REVIEW)
    client.force_login(author)
    response = client.post(urls(report)[0], {"body": "<p>x</p>"})
    assert response.status_code == 403
    assert not Autosave.objects.exists()


def test_the_form_page_carries_the_autosave_script_and_no_inline_script(editor_client):
    report = factories.draft_report()
    html = editor_client.get(urls(report)[1]).content.decode()
    assert 'id="autosave-status"' in html and "js/desk" in html
    assert 'data-seconds="30"' in html
