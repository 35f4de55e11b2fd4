"""Following and sharing: social cards, email alerts with double opt-in, one email per report."""

import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from PIL import Image

from alerts import subscriptions as alerts
from alerts.models import Delivery, Subscriber
from reports import workflow
from reports.models import AlertLevel, Report, Stage

from . import factories

pytestmark = pytest.mark.django_db


def og_image(client, report):
    html = client.get(report.get_absolute_url()).content.decode()
    return re.search(r'<meta property="og:image" content="([^"]+)"', html).group(1)


# Social cards


def test_the_social_card_is_a_1200_by_630_picture_named_in_the_page(client):
    report = factories.published_report()
    html = client.get(report.get_absolute_url()).content.decode()
    url = og_image(client, report)
    assert '<meta property="og:image:width" content="1200">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert f'<meta name="twitter:image" content="{url}">' in html
    assert 'property="og:image:alt"' in html
    response = client.get(url)
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert image.size == (1200, 630)


def test_the_card_changes_when_the_headline_does(client, stored_files):
    report = factories.published_report()
    first = og_image(client, report)
    client.get(first)
    report.headline_override = "Mali: the killing of civilians must stop"
    report.save()
    second = og_image(client, report)
    assert second != first
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    assert len([name for name in stored_files() if name.startswith("cards/")]) == 2


def test_a_drafts_card_is_404_for_the_public(client):
    report = factories.draft_report()
    from sharing.cards import card_version

    url = f"/reports/{report.slug}/card-{card_version(report)}.png"
    assert client.get(url).status_code == 404


# Subscribing


def subscribe(client, email, **fields):
    return client.post("/subscribe/", {"email": email, "what": "all", **fields})


def confirmation_link(message):
    return re.search(r"http://\S+/subscribe/confirm/\S+/", message.body).group(0)


def test_subscribing_sends_only_a_confirmation_until_the_link_is_followed(client, mailoutbox):
    response = subscribe(client, "Reader@Example.org")
    assert response.status_code == 302 and response["Location"] == "/subscribe/sent/"
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["reader@example.org"]
    assert not Subscriber.objects.exists()

    link = confirmation_link(mailoutbox[0])
    path = link.split("127.0.0.1:8000", 1)[1]
    page = client.get(path)
    assert "Yes, send me alerts" in page.content.decode()
    assert not Subscriber.objects.exists()  # a link preview or scanner confirms nothing
    client.post(path)
    subscriber = Subscriber.objects.get()
    assert subscriber.confirmed_at is not None and subscriber.all_reports


def test_the_form_answers_the_same_for_new_pending_and_confirmed_addresses(client, mailoutbox):
    Subscriber.objects.create(email="confirmed@example.org", confirmed_at=timezone.now())
    subscribe(Client(), "pending@example.org")
    answers = []
    for email in ["new@example.org", "pending@example.org", "confirmed@example.org"]:
        response = Client().post("/subscribe/", {"email": email, "what": "all"}, follow=True)
        answers.append((response.status_code, response.redirect_chain, response.content))
    assert answers[0] == answers[1] == answers[2]


def test_an_expired_or_altered_confirmation_link_is_refused(client, mailoutbox):
    subscribe(client, "late@example.org")
    path = confirmation_link(mailoutbox[0]).split("127.0.0.1:8000", 1)[1]
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        assert client.post(path).status_code == 400
    assert client.post(path.replace("/confirm/", "/confirm/x")).status_code == 400
    assert not Subscriber.objects.exists()


def test_subscribing_is_rate_limited_per_address_and_per_client(client, mailoutbox, settings):
    settings.SUBSCRIBE_LIMIT_PER_ADDRESS = 2
    settings.SUBSCRIBE_LIMIT_PER_CLIENT = 4  # refused attempts count too
    assert subscribe(client, "a@example.org").status_code == 302
    assert subscribe(client, "a@example.org").status_code == 302
    assert subscribe(client, "a@example.org").status_code == 429
    assert subscribe(client, "b@example.org").status_code == 302
    assert subscribe(client, "c@example.org").status_code == 429  # fourth from this client
    assert len(mailoutbox) == 3


def test_a_bad_address_or_no_country_chosen_is_a_message_beside_the_field(client, mailoutbox):
    factories.published_report()  # a country to choose from
    html = client.post("/subscribe/", {"email": "not-an-address", "what": "all"}).content
    assert b"Enter a valid email address." in html
    html = client.post("/subscribe/", {"email": "x@example.org", "what": "countries"}).content
    assert b"Choose at least one country" in html
    assert mailoutbox == []


@pytest.fixture
def subscriber():
    return Subscriber.objects.create(email="reader@example.org", confirmed_at=timezone.now())


def test_a_signed_link_changes_what_a_subscriber_receives(client, subscriber):
    mali = factories.published_report().country
    path = alerts.manage_link(subscriber).split("127.0.0.1:8000", 1)[1]
    response = client.post(path, {"what": "countries", "countries": [mali.pk]})
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert not subscriber.all_reports
    assert list(subscriber.countries.all()) == [mali]


def test_one_click_unsubscribe_works_without_a_csrf_cookie(subscriber):
    path = alerts.unsubscribe_link(subscriber).split("127.0.0.1:8000", 1)[1]
    client = Client(enforce_csrf_checks=True)
    assert "Unsubscribe" in client.get(path).content.decode()
    assert Subscriber.objects.exists()
    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Subscriber.objects.exists()


# Alerts


@pytest.fixture
def audience(subscriber):
    mali = factories.country("ML")
    sudan = factories.country("SD")
    mali_only = Subscriber.objects.create(
        email="mali@example.org", all_reports=False, confirmed_at=timezone.now()
    )
    mali_only.countries.add(mali)
    sudan_only = Subscriber.objects.create(
        email="sudan@example.org", all_reports=False, confirmed_at=timezone.now()
    )
    sudan_only.countries.add(sudan)
    Subscriber.objects.create(email="pending@example.org")  # never confirmed
    return {"all": subscriber, "mali": mali_only, "sudan": sudan_only}


def draft_on_mali(**fields):
    report = factories.draft_report(country=factories.country("ML"), **fields)
    report.stages.set(Stage.objects.filter(number__in=[5, 8]))
    factories.attachment(report)
    return report


def test_publishing_sends_each_matching_subscriber_one_complete_email(
    audience, editor, mailoutbox, django_capture_on_commit_callbacks
):
    report = draft_on_mali()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.report_publish(report, user=editor)
    assert sorted(m.to[0] for m in mailoutbox) == ["mali@example.org", "reader@example.org"]
    message = mailoutbox[0]
    assert message.subject == f"{report.headline}: {report.title}"
    html = message.alternatives[0][0]
    for part in (message.body, html):
        assert report.summary in part
        assert "5. Organization" in part and "8. Persecution" in part
        assert f"http://127.0.0.1:8000{report.get_absolute_url()}" in part
        assert report.attachments.get().get_absolute_url() in part
        assert "/subscribe/unsubscribe/" in part and "/subscribe/manage/" in part
    assert message.extra_headers["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_each_subscriber_gets_one_email_however_often_the_sending_runs(
    audience, editor, mailoutbox, django_capture_on_commit_callbacks
):
    report = draft_on_mali()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.report_publish(report, user=editor)
    call_command("send_due_alerts", stdout=io.StringIO())
    alerts.send_report_alerts.call(report.pk)  # the task run again, as a retry would
    alerts.send_report_alerts.call(report.pk)
    assert len(mailoutbox) == 2
    assert Delivery.objects.count() == 2


def test_a_scheduled_report_is_announced_once_its_time_has_come(
    audience, editor, mailoutbox, django_capture_on_commit_callbacks
):
    report = draft_on_mali()
    when = timezone.now() + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.report_publish(report, user=editor, at=when)
    call_command("send_due_alerts", stdout=io.StringIO())
    assert mailoutbox == []
    with time_machine.travel(when + timedelta(minutes=1)):
        call_command("send_due_alerts", stdout=io.StringIO())
        call_command("send_due_alerts", stdout=io.StringIO())
    assert len(mailoutbox) == 2


def test_drafts_and_unpublished_reports_send_nothing(audience, editor, mailoutbox):
    report = draft_on_mali()
    call_command("send_due_alerts", stdout=io.StringIO())
    alerts.send_report_alerts.call(report.pk)
    assert mailoutbox == []


def test_level_change_subscribers_hear_only_of_changes(editor, mailoutbox):
    watcher = Subscriber.objects.create(
        email="changes@example.org", level_changes_only=True, confirmed_at=timezone.now()
    )
    first = factories.published_report(
        alert_level=AlertLevel.WARNING, published_at=timezone.now() - timedelta(days=30)
    )
    same = factories.published_report(alert_level=AlertLevel.WARNING)
    assert list(alerts.recipients(same)) == []
    changed = factories.published_report(alert_level=AlertLevel.EMERGENCY)
    assert list(alerts.recipients(changed)) == [watcher]
    assert first.country == changed.country


def test_alerts_need_a_public_report(audience):
    report = draft_on_mali()
    assert alerts.send_report_alerts.call(report.pk) == 0
    assert Report.objects.get(pk=report.pk).status == "draft"
