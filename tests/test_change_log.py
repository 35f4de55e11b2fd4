"""A report that changes its country's alert level or stages is published with a reason;
each country page and two Atom feeds list the dated changes with their reasons, and only
those of reports that are public."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from alerts.models import Subscriber
from reports import workflow
from reports.models import AlertLevel, Report, Stage, StatusChange

from . import factories

pytestmark = pytest.mark.django_db

REASON = "Armed groups began killing civilians of one community in the centre."


def step_url(report, step):
    return f"/admin/reports/report/{report.pk}/workflow/{step}/"


@pytest.fixture
def previous():
    """Mali's public report readers have now: Genocide Warning, stages 5 and 6."""
    report = factories.published_report(
        alert_level=AlertLevel.WARNING,
        title="Mali Country Report 2022",
        published_at=timezone.now() - timedelta(days=300),
    )
    report.stages.set(Stage.objects.filter(number__in=[5, 6]))
    return report


def draft(level=AlertLevel.EMERGENCY, stages=(5, 6, 8), **fields):
    report = factories.draft_report(alert_level=level, title="Mali Country Report 2023", **fields)
    report.stages.set(Stage.objects.filter(number__in=stages))
    return report


def test_publishing_a_report_that_changes_nothing_asks_for_no_reason(editor_client, previous):
    report = draft(level=AlertLevel.WARNING, stages=(5, 6))
    page = editor_client.get(step_url(report, "publish"))
    assert 'name="reason"' not in page.content.decode()

    assert editor_client.post(step_url(report, "publish")).status_code == 302
    assert Report.objects.get(pk=report.pk).is_public
    assert not StatusChange.objects.exists()


def test_the_first_report_on_a_country_asks_for_no_reason(editor_client):
    report = draft()
    assert 'name="reason"' not in editor_client.get(step_url(report, "publish")).content.decode()
    assert editor_client.post(step_url(report, "publish")).status_code == 302
    assert Report.objects.get(pk=report.pk).is_public


def test_a_new_level_is_published_only_with_a_reason_shown_beside_the_field(
    editor_client, previous
):
    report = draft()
    page = editor_client.get(step_url(report, "publish")).content.decode()
    assert 'name="reason"' in page
    assert "Genocide Warning → Genocide Emergency; stages added: 8. Persecution" in page

    refused = editor_client.post(step_url(report, "publish"), {"reason": "  "})
    assert refused.status_code == 200
    assert "say why" in refused.context["form"].errors["reason"][0]
    assert Report.objects.get(pk=report.pk).status == Report.Status.DRAFT
    assert not StatusChange.objects.exists()

    assert editor_client.post(step_url(report, "publish"), {"reason": REASON}).status_code == 302
    change = StatusChange.objects.get()
    assert (change.country, change.report) == (report.country, report)
    assert (change.level_from, change.level_to) == ("warning", "emergency")
    assert (change.stages_added, change.stages_removed) == ([8], [])
    assert change.reason == REASON
    assert change.changed_at == Report.objects.get(pk=report.pk).published_at


def test_the_server_refuses_a_change_without_a_reason_whoever_asks(editor, previous):
    report = draft(level=AlertLevel.WARNING, stages=(5,))
    with pytest.raises(ValidationError) as refused:
        workflow.take("publish", report, user=editor)
    assert refused.value.code == "reason_required"
    assert "stages removed: 6. Polarization" in refused.value.messages[0]
    assert Report.objects.get(pk=report.pk).status == Report.Status.DRAFT

    workflow.take("publish", report, user=editor, reason="The militias were disarmed.")
    assert StatusChange.objects.get().stages_removed == [6]


def test_a_reason_asked_for_after_the_page_was_drawn_is_asked_beside_the_field(
    editor_client, editor
):
    report = draft()
    assert 'name="reason"' not in editor_client.get(step_url(report, "publish")).content.decode()
    # Meanwhile another editor publishes a report with another level on the same country.
    other = draft(level=AlertLevel.WATCH, stages=())
    workflow.take("publish", other, user=editor, at=timezone.now() - timedelta(days=1))

    response = editor_client.post(step_url(report, "publish"))
    assert response.status_code == 200
    assert "say why" in response.context["form"].errors["reason"][0]
    assert Report.objects.get(pk=report.pk).status == Report.Status.DRAFT


def test_the_country_page_lists_dated_changes_with_their_reasons(client, editor, previous):
    report = draft()
    with time_machine.travel("2026-12-04 09:00Z"):
        workflow.take("publish", report, user=editor, reason=REASON)
        page = client.get(f"/countries/{report.country.slug}/").content.decode()
    assert "Changes of assessment" in page
    assert "Genocide Warning → Genocide Emergency; stages added: 8. Persecution</strong>" in page
    assert '<time datetime="2026-12-04T09:00:00+00:00">4 Dec 2026</time>: ' + REASON in page


def test_scheduling_asks_for_the_reason_and_the_change_shows_when_the_report_does(
    editor_client, client, previous
):
    report = draft()
    page = editor_client.get(step_url(report, "schedule")).content.decode()
    assert 'name="publish_at_0"' in page and 'name="reason"' in page
    at = timezone.now() + timedelta(days=2)
    response = editor_client.post(
        step_url(report, "schedule"),
        {"publish_at_0": f"{at:%Y-%m-%d}", "publish_at_1": f"{at:%H:%M:%S}", "reason": REASON},
    )
    assert response.status_code == 302
    assert Report.objects.get(pk=report.pk).is_scheduled
    addresses = [f"/countries/{report.country.slug}/", "/feeds/changes/"]
    addresses.append(f"/countries/{report.country.slug}/changes/feed/")
    for address in addresses:
        assert REASON not in client.get(address).content.decode(), address
    with time_machine.travel(at + timedelta(minutes=1)):
        for address in addresses:
            assert REASON in client.get(address).content.decode(), address


def test_an_unpublished_report_takes_its_change_out_of_the_log_and_asks_again(
    editor_client, client, editor, previous
):
    report = draft()
    workflow.take("publish", report, user=editor, reason=REASON)
    workflow.take("unpublish", Report.objects.get(pk=report.pk), user=editor)
    assert not StatusChange.objects.exists()
    for address in [
        f"/countries/{report.country.slug}/",
        "/feeds/changes/",
        f"/countries/{report.country.slug}/changes/feed/",
    ]:
        assert REASON not in client.get(address).content.decode(), address

    # Published again, it is compared with the country's reports as they are then.
    page = editor_client.get(step_url(report, "publish")).content.decode()
    assert 'name="reason"' in page
    editor_client.post(step_url(report, "publish"), {"reason": "Killings resumed in June."})
    assert StatusChange.objects.get().reason == "Killings resumed in June."


def test_the_log_never_shows_a_change_of_a_report_that_is_not_public(client, previous):
    hidden = draft()
    # Rows as a restore or the shell could leave them: the report is a draft again.
    StatusChange.objects.create(
        country=hidden.country,
        report=hidden,
        changed_at=timezone.now(),
        level_from="warning",
        level_to="emergency",
        reason="A reason from a report that is not public.",
    )
    for address in [
        f"/countries/{previous.country.slug}/",
        "/feeds/changes/",
        f"/countries/{previous.country.slug}/changes/feed/",
    ]:
        assert b"not public" not in client.get(address).content, address


def test_published_changes_that_move_the_stages_need_a_reason_and_are_logged(
    editor_client, client, previous
):
    from .test_pending_changes import propose

    changes = propose(editor_client, previous)
    changes.stages.add(Stage.objects.get(number=7))
    page = editor_client.get(step_url(changes, "publish_changes")).content.decode()
    assert "stages added: 7. Preparation" in page

    refused = editor_client.post(step_url(changes, "publish_changes"), {"note": "Added stage 7."})
    assert refused.status_code == 200
    assert "reason" in refused.context["form"].errors
    assert Report.objects.filter(pk=changes.pk).exists()

    editor_client.post(
        step_url(changes, "publish_changes"),
        {"note": "Added stage 7.", "reason": "Weapons were handed out to militias in May."},
    )
    change = StatusChange.objects.get()
    assert change.correction == previous.corrections.get()
    assert (change.level_from, change.level_to, change.stages_added) == ("warning", "warning", [7])
    page = client.get(f"/countries/{previous.country.slug}/").content.decode()
    assert "stages added: 7. Preparation" in page
    assert "Weapons were handed out to militias in May." in page


def test_both_feeds_carry_the_changes_with_their_reasons(client, editor, previous):
    report = draft()
    workflow.take("publish", report, user=editor, reason=REASON)
    elsewhere = factories.published_report(country=factories.country("SD"), title="Sudan")
    later = factories.draft_report(
        country=elsewhere.country, alert_level=AlertLevel.WATCH, title="Sudan 2024"
    )
    workflow.take("publish", later, user=editor, reason="Fighting ended in Darfur.")

    every = client.get("/feeds/changes/")
    assert every["Content-Type"].startswith("application/atom+xml")
    body = every.content.decode()
    assert REASON in body and "Fighting ended in Darfur." in body
    assert "Mali: Genocide Warning → Genocide Emergency" in body
    assert f"/countries/{report.country.slug}/#change-" in body

    mali = client.get(f"/countries/{report.country.slug}/changes/feed/").content.decode()
    assert REASON in mali and "Fighting ended" not in mali


def test_level_change_subscribers_get_the_reason_in_their_alert(
    django_capture_on_commit_callbacks, editor, previous, mailoutbox
):
    watcher = Subscriber.objects.create(
        email="watcher@example.org",
        all_reports=False,
        level_changes_only=True,
        confirmed_at=timezone.now(),
    )
    watcher.countries.add(previous.country)
    report = draft()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.take("publish", report, user=editor, reason=REASON)
    (message,) = mailoutbox
    assert message.to == ["watcher@example.org"]
    assert "What changed for Mali: Genocide Warning → Genocide Emergency" in message.body
    assert f"Why: {REASON}" in message.body
    html = message.alternatives[0].content
    assert f"Why: {REASON}" in html
