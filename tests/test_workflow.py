"""Roles, states, revisions, concurrent edits and the audit log, through the admin's real forms."""

from datetime import timedelta

import pytest
import reversion
import time_machine
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from reversion.models import Version

from audit.models import AuditEvent
from reports.models import Attachment, Recommendation, Report

from . import factories
from .conftest import files_of
from .test_admin import ADD_URL, change_form, report_form

pytestmark = pytest.mark.django_db

Status = Report.Status


def admin_url(report, suffix):
    return f"/admin/reports/report/{report.pk}/{suffix}"


def with_revision(report, comment="Saved."):
    """Save a revision of the report as the admin would."""
    with reversion.create_revision():
        reversion.set_comment(comment)
        reversion.add_to_revision(report)
    return Version.objects.get_for_object(report).first()


def editable_report(**fields):
    report = factories.report(**fields)
    report.authorships.create(author=factories.author())
    Recommendation.objects.create(
        report=report, addressee=factories.addressee("France"), text="should act.", order=0
    )
    return report


def draft():
    return editable_report(status=Status.DRAFT)


def in_review():
    return editable_report(status=Status.IN_REVIEW)


def published():
    return editable_report(status=Status.PUBLISHED, published_at=timezone.now() - timedelta(days=1))


# Each action: do it through the admin as the given client; return whether it took effect.


def act_view(client):
    return client.get("/admin/reports/report/").status_code == 200


def act_add(client):
    client.post(ADD_URL, report_form())
    return Report.objects.filter(slug="mali-country-report-2023").exists()


def _change(client, report):
    client.post(admin_url(report, "change/"), change_form(report, summary="Changed here."))
    report.refresh_from_db()
    return report.summary == "Changed here."


def act_change_draft(client):
    return _change(client, draft())


def act_change_in_review(client):
    return _change(client, in_review())


def act_change_published(client):
    return _change(client, published())


def act_submit(client):
    report = draft()
    client.post(admin_url(report, "workflow/submit/"))
    report.refresh_from_db()
    return report.status == Status.IN_REVIEW


def act_publish(client):
    report = in_review()
    client.post(admin_url(report, "workflow/publish/"))
    return Report.objects.public().filter(pk=report.pk).exists()


def act_schedule(client):
    report = draft()
    when = timezone.localtime() + timedelta(days=2)
    client.post(
        admin_url(report, "workflow/schedule/"),
        {"publish_at_0": when.strftime("%Y-%m-%d"), "publish_at_1": when.strftime("%H:%M:%S")},
    )
    report.refresh_from_db()
    return report.status == Status.PUBLISHED and report.is_scheduled


def act_unpublish(client):
    report = published()
    client.post(admin_url(report, "workflow/unpublish/"))
    report.refresh_from_db()
    return report.status == Status.DRAFT


def act_return(client):
    report = in_review()
    client.post(admin_url(report, "workflow/return/"), {"note": "Add sources."})
    report.refresh_from_db()
    return report.status == Status.DRAFT and report.review_note == "Add sources."


def act_delete(client):
    report = draft()
    client.post(admin_url(report, "delete/"), {"post": "yes"})
    return not Report.objects.filter(pk=report.pk).exists()


def act_delete_from_list(client):
    report = draft()
    client.post(
        "/admin/reports/report/",
        {"action": "delete_selected", "_selected_action": [report.pk], "post": "yes"},
    )
    return not Report.objects.filter(pk=report.pk).exists()


def act_recover(client):
    report = draft()
    data = change_form(report)
    version = with_revision(report)
    pk = report.pk
    report.delete()
    client.post(f"/admin/reports/report/recover/{version.pk}/", data)
    return Report.objects.filter(pk=pk).exists()


def act_restore(client):
    report = draft()
    report.title = "First title"
    report.save()
    old = with_revision(report)
    data = change_form(report)
    report.title = "Second title"
    report.save()
    with_revision(report)
    client.post(admin_url(report, f"history/{old.pk}/"), data)
    report.refresh_from_db()
    return report.title == "First title"


ACTIONS = {
    "view": act_view,
    "add": act_add,
    "change draft": act_change_draft,
    "change in review": act_change_in_review,
    "change published": act_change_published,
    "submit": act_submit,
    "publish": act_publish,
    "schedule": act_schedule,
    "unpublish": act_unpublish,
    "return": act_return,
    "delete": act_delete,
    "delete from the list": act_delete_from_list,
    "recover": act_recover,
    "restore": act_restore,
}

ALLOWED = {
    "anonymous": set(),
    "author": {"view", "add", "change draft", "submit"},
    # Nobody changes a published report in place: its changes are proposed and reviewed.
    "editor": set(ACTIONS) - {"change published"},
    "superuser": set(ACTIONS) - {"change published"},
}


@pytest.fixture
def client_as(client, author, editor, admin_user):
    def log_in(role):
        users = {"author": author, "editor": editor, "superuser": admin_user}
        if role in users:
            client.force_login(users[role])
        return client

    return log_in


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ALLOWED)
def test_permission_matrix(client_as, role, action):
    assert ACTIONS[action](client_as(role)) is (action in ALLOWED[role])


def test_an_author_sees_but_cannot_change_a_report_in_review(client, author):
    client.force_login(author)
    report = in_review()
    response = client.get(admin_url(report, "change/"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="summary"' not in html
    assert "Save and" not in html


def test_the_roles_exist_and_are_assignable(admin_client, django_user_model):
    assert set(Group.objects.values_list("name", flat=True)) >= {"Author", "Editor"}
    user = django_user_model.objects.create_user("newcomer", is_staff=True)
    response = admin_client.get(f"/admin/auth/user/{user.pk}/change/")
    assert "Editor" in response.content.decode()


# States


def test_the_buttons_offered_follow_the_role_and_the_state(client, author, editor):
    report = draft()
    client.force_login(author)
    html = client.get(admin_url(report, "change/")).content.decode()
    assert "Save and submit for review" in html
    assert "Save and publish now" not in html
    client.force_login(editor)
    html = client.get(admin_url(report, "change/")).content.decode()
    assert "Save and submit for review" in html
    assert "Save and publish now" in html
    assert "Save and schedule" in html
    assert "Save and unpublish" not in html


def test_publishing_records_who_and_when(client, editor):
    client.force_login(editor)
    report = in_review()
    client.post(admin_url(report, "workflow/publish/"))
    report.refresh_from_db()
    assert report.published_by == editor
    assert timezone.now() - report.published_at < timedelta(minutes=1)


def test_a_step_that_does_not_apply_to_the_state_changes_nothing(client, editor):
    client.force_login(editor)
    report = published()
    response = client.post(admin_url(report, "workflow/submit/"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.PUBLISHED
    assert not AuditEvent.objects.filter(action="submit").exists()


def test_an_unknown_step_is_404(client, editor):
    client.force_login(editor)
    assert client.post(admin_url(draft(), "workflow/launch/")).status_code == 404


def test_a_schedule_in_the_past_is_refused_beside_the_field(client, editor):
    client.force_login(editor)
    report = draft()
    response = client.post(
        admin_url(report, "workflow/schedule/"),
        {"publish_at_0": "2020-01-01", "publish_at_1": "10:00:00"},
    )
    assert response.status_code == 200
    assert "Choose a time in the future" in response.content.decode()
    report.refresh_from_db()
    assert report.status == Status.DRAFT


def test_a_scheduled_report_becomes_public_when_its_time_comes_without_any_job(client, editor):
    public = Client()
    client.force_login(editor)
    report = draft()
    factories.attachment(report)
    publish_at = timezone.now() + timedelta(hours=3)
    when = timezone.localtime(publish_at)
    client.post(
        admin_url(report, "workflow/schedule/"),
        {"publish_at_0": when.strftime("%Y-%m-%d"), "publish_at_1": when.strftime("%H:%M:%S")},
    )
    report.refresh_from_db()
    html = client.get("/admin/reports/report/").content.decode()
    assert "Scheduled for" in html and report.state in html
    assert report.state.endswith("UTC")
    file_url = report.attachments.get().get_absolute_url()
    assert public.get(report.get_absolute_url()).status_code == 404
    assert public.get(file_url).status_code == 404

    with time_machine.travel(publish_at + timedelta(seconds=1)):
        assert public.get(report.get_absolute_url()).status_code == 200
        assert public.get(file_url).status_code == 200
        assert report.title in public.get("/reports/").content.decode()


def test_editors_have_a_waiting_for_review_view(client, editor):
    client.force_login(editor)
    waiting = in_review()
    other = draft()
    html = client.get("/admin/reports/report/?state=in_review").content.decode()
    assert "Waiting for review" in html
    assert waiting.title in html
    assert other.title not in html


def test_a_returned_report_shows_the_editors_note_to_the_author(client, author, editor):
    client.force_login(editor)
    report = in_review()
    client.post(admin_url(report, "workflow/return/"), {"note": "Please add the sources."})
    client.force_login(author)
    html = client.get(admin_url(report, "change/")).content.decode()
    assert "Please add the sources." in html
    assert 'name="summary"' in html  # a draft again: the author can edit it


# Concurrent edits


def test_a_save_on_top_of_someone_elses_keeps_both_and_says_who(client, editor, django_user_model):
    report = draft()
    first, second = Client(), Client()
    first.force_login(editor)
    colleague = django_user_model.objects.create_user("colleague", is_staff=True)
    colleague.groups.add(Group.objects.get(name="Editor"))
    second.force_login(colleague)
    opened_first = change_form(report, summary="First person's summary.")
    opened_second = change_form(report, summary="Second person's summary.")

    assert first.post(admin_url(report, "change/"), opened_first).status_code == 302
    response = second.post(admin_url(report, "change/"), opened_second)

    assert response.status_code == 200
    html = response.content.decode()
    assert "editor saved this report on" in html
    assert "Second person&#x27;s summary." in html or "Second person's summary." in html
    report.refresh_from_db()
    assert report.summary == "First person's summary."

    # Having seen the message and merged by hand, the second person saves again.
    merged = dict(opened_second, summary="Both summaries, merged.")
    merged["seen_version"] = str(response.context["adminform"].form["seen_version"].value())
    assert second.post(admin_url(report, "change/"), merged).status_code == 302
    report.refresh_from_db()
    assert report.summary == "Both summaries, merged."


def test_a_workflow_step_in_between_also_counts_as_a_save(client, editor):
    client.force_login(editor)
    report = draft()
    stale = change_form(report, summary="Typed before the report was submitted.")
    client.post(admin_url(report, "workflow/submit/"))
    response = client.post(admin_url(report, "change/"), stale)
    assert response.status_code == 200
    assert "saved this report on" in response.content.decode()


# Revisions


def test_every_admin_save_keeps_a_revision_with_its_parts(client, editor):
    client.force_login(editor)
    client.post(ADD_URL, report_form(attachments=[factories.pdf_upload()]))
    report = Report.objects.get()
    client.post(admin_url(report, "change/"), change_form(report, summary="Second."))
    versions = Version.objects.get_for_object(report)
    assert versions.count() == 2
    latest = versions.first().revision
    assert latest.user == editor
    kinds = {v.content_type.model for v in latest.version_set.all()}
    assert kinds == {"report", "authorship", "recommendation", "attachment"}


def test_the_history_lists_who_when_and_state_and_compares_two_revisions(client, editor):
    client.force_login(editor)
    client.post(ADD_URL, report_form(summary="Militants seized the north."))
    report = Report.objects.get()
    client.post(
        admin_url(report, "change/"),
        change_form(report, summary="Militants seized the whole north."),
    )
    html = client.get(admin_url(report, "history/")).content.decode()
    assert "editor" in html and "Draft" in html
    new, old = Version.objects.get_for_object(report).order_by("-pk")[:2]
    html = client.get(
        admin_url(report, f"history/compare/?old={old.pk}&new={new.pk}")
    ).content.decode()
    assert "<dt>Summary</dt>" in html
    assert "<ins>whole</ins>" in html
    assert "<dt>Title</dt>" not in html


def test_restoring_keeps_the_current_publication_state_and_adds_a_revision(client, editor):
    client.force_login(editor)
    report = draft()
    old = with_revision(report)
    data = change_form(report)
    client.post(admin_url(report, "workflow/publish/"))
    versions_before = Version.objects.get_for_object(report).count()

    response = client.post(admin_url(report, f"history/{old.pk}/"), data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.PUBLISHED
    assert Version.objects.get_for_object(report).count() == versions_before + 1
    assert AuditEvent.objects.filter(action="restore", object_id=str(report.pk)).exists()


def test_a_deleted_report_is_recovered_with_its_parts_as_a_draft(client, editor, stored_files):
    client.force_login(editor)
    report = published()
    attachment = factories.attachment(report, name="edition.pdf")
    data = change_form(report)
    with_revision(report)
    client.post(admin_url(report, "delete/"), {"post": "yes"})
    assert not Report.objects.filter(pk=report.pk).exists()
    assert stored_files() == files_of(attachment)  # a revision still refers to it

    deleted = Version.objects.get_deleted(Report).first()
    html = client.get("/admin/reports/report/recover/").content.decode()
    assert report.title in html
    response = client.post(f"/admin/reports/report/recover/{deleted.pk}/", data)
    assert response.status_code == 302
    recovered = Report.objects.get(pk=report.pk)
    assert recovered.status == Status.DRAFT
    assert recovered.recommendations.count() == 1
    assert Attachment.objects.get(report=recovered).file.name == attachment.file.name
    assert Client().get(recovered.get_absolute_url()).status_code == 404


def test_only_those_who_may_recover_see_and_open_the_recover_list(client, editor, author):
    report = published()
    with_revision(report)
    client.force_login(editor)
    client.post(admin_url(report, "delete/"), {"post": "yes"})
    recover_list = "/admin/reports/report/recover/"
    assert recover_list in client.get("/admin/reports/report/").content.decode()
    assert report.title in client.get(recover_list).content.decode()

    client.force_login(author)
    changelist = client.get("/admin/reports/report/")
    assert changelist.status_code == 200
    assert recover_list not in changelist.content.decode()
    assert "Recover deleted" not in changelist.content.decode()
    refused = client.get(recover_list)
    assert refused.status_code == 403
    assert report.title not in refused.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_file_no_revision_refers_to_is_removed_after_commit(stored_files, migrated_data):
    attachment = factories.attachment(factories.draft_report())
    attachment.delete()
    assert stored_files() == []


# Audit


def test_each_workflow_step_writes_an_audit_event(client, editor):
    client.force_login(editor)
    report = draft()
    client.post(admin_url(report, "workflow/submit/"), REMOTE_ADDR="203.0.113.7")
    client.post(admin_url(report, "workflow/return/"), {"note": "Sources."})
    client.post(admin_url(report, "workflow/submit/"))
    when = timezone.localtime() + timedelta(days=1)
    client.post(
        admin_url(report, "workflow/schedule/"),
        {"publish_at_0": when.strftime("%Y-%m-%d"), "publish_at_1": when.strftime("%H:%M:%S")},
    )
    client.post(admin_url(report, "workflow/publish/"))
    client.post(admin_url(report, "workflow/unpublish/"))
    client.post(admin_url(report, "delete/"), {"post": "yes"})
    events = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert [e for e in events if e != "login"] == [
        "submit",
        "return",
        "submit",
        "schedule",
        "publish",
        "unpublish",
        "delete",
    ]
    first = AuditEvent.objects.get(action="submit", ip_address="203.0.113.7")
    assert (first.actor, first.actor_name, first.object_repr) == (editor, "editor", report.title)
    assert AuditEvent.objects.get(action="return").detail == "Sources."


def test_logins_and_failed_logins_are_audited_without_the_password(client, editor):
    client.post("/admin/login/", {"username": "editor", "password": "wrong-password"})
    client.post("/admin/login/", {"username": "editor", "password": "pw-editor-123"})
    failed = AuditEvent.objects.get(action="login_failed")
    assert failed.actor_name == "editor"
    assert "wrong-password" not in failed.detail
    assert AuditEvent.objects.get(action="login").actor == editor


def test_role_changes_are_audited(admin_client, django_user_model):
    user = django_user_model.objects.create_user("newcomer", is_staff=True)
    editor_group = Group.objects.get(name="Editor")
    response = admin_client.post(
        f"/admin/auth/user/{user.pk}/change/",
        {
            "username": "newcomer",
            "is_active": "on",
            "is_staff": "on",
            "groups": [editor_group.pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
            "usable_password": "false",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="role_change")
    assert event.object_repr == "newcomer"
    assert event.detail == "staff → Editor, staff"


def test_the_audit_log_is_append_only(admin_client, editor_client):
    event = AuditEvent.objects.create(action="login", actor_name="someone")
    with pytest.raises(Exception, match="cannot be changed"):
        event.save()
    with pytest.raises(Exception, match="cannot be deleted"):
        event.delete()
    assert admin_client.get("/admin/audit/auditevent/").status_code == 200
    assert admin_client.get("/admin/audit/auditevent/add/").status_code == 403
    assert (
        admin_client.post(
            f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    assert editor_client.get("/admin/audit/auditevent/").status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_each_state_is_one_rule_for_a_report_in_hand_and_for_the_database():
    reports = {
        Report.State.DRAFT: factories.draft_report(slug="a-draft"),
        Report.State.IN_REVIEW: factories.report(slug="in-review", status=Report.Status.IN_REVIEW),
        Report.State.SCHEDULED: factories.scheduled_report(slug="scheduled"),
        Report.State.PUBLIC: factories.published_report(slug="public"),
    }
    for state, report in reports.items():
        assert report.workflow_state == state
        assert list(Report.objects.in_state(state)) == [report]


def test_every_step_in_the_table_is_offered_as_a_button_somewhere(client, author, editor):
    from reports import workflow

    offered = set()
    for user in (author, editor):
        for state in Report.State:
            report = editable_report(
                slug=f"{user.username}-{state}",
                **{
                    Report.State.DRAFT: {},
                    Report.State.IN_REVIEW: {"status": Report.Status.IN_REVIEW},
                    Report.State.SCHEDULED: {
                        "status": Report.Status.PUBLISHED,
                        "published_at": timezone.now() + timedelta(days=1),
                    },
                    Report.State.PUBLIC: {
                        "status": Report.Status.PUBLISHED,
                        "published_at": timezone.now(),
                    },
                }[state],
            )
            client.force_login(user)
            html = client.get(admin_url(report, "change/")).content.decode()
            for step in workflow.steps_for(user, report):
                assert (
                    f'name="_workflow" value="{step.name}"' in html
                    or admin_url(report, f"workflow/{step.name}/") in html
                )
                offered.add(step.name)
            if state in (Report.State.PUBLIC, Report.State.SCHEDULED):
                client.post(admin_url(report, "changes/"))
                changes = Report.objects.get(revises=report)
                html = client.get(admin_url(changes, "change/")).content.decode()
                for step in workflow.steps_for(user, changes):
                    assert f'name="_workflow" value="{step.name}"' in html
                    offered.add(step.name)
    assert offered == set(workflow.STEPS)


def test_publishing_again_after_an_unpublish_keeps_the_first_publication_date(editor):
    from reports import workflow

    report = editable_report()
    first = timezone.now() - timedelta(days=30)
    with time_machine.travel(first, tick=False):
        workflow.report_publish(report, user=editor)
    report = workflow.report_unpublish(Report.objects.get(pk=report.pk), user=editor)
    again = workflow.report_publish(report, user=editor)
    assert again.published_at == first
    assert again.is_public


def test_an_editor_who_gives_a_time_moves_the_publication_date(editor):
    from reports import workflow

    report = editable_report()
    with time_machine.travel(timezone.now() - timedelta(days=30), tick=False):
        workflow.report_publish(report, user=editor)
    report = workflow.report_unpublish(Report.objects.get(pk=report.pk), user=editor)
    later = timezone.now() + timedelta(hours=2)
    scheduled = workflow.report_publish(report, user=editor, at=later)
    assert scheduled.published_at == later
    assert scheduled.is_scheduled
