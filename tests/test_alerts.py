"""Following and sharing: social cards, email alerts with double opt-in, one email per report."""

import io
import os
import re
import shutil
import smtplib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path
from urllib.parse import quote

import pytest
import time_machine
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from PIL import Image

from alerts import subscriptions as alerts
from alerts.models import Announcement, Delivery, Subscriber
from reports import translations, workflow
from reports.models import AlertLevel, Report, Stage

from . import factories
from .measurements import SUMMARY
from .test_admin import change_form

ROOT = Path(__file__).resolve().parent.parent

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
    # A share made earlier still shows a picture: the current card's.
    old = client.get(first)
    assert old.status_code == 302
    assert old["Location"] == second.removeprefix("http://testserver")
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


def editable_draft(**fields):
    """A draft on Mali with what the admin's change form needs: a byline."""
    report = draft_on_mali(**fields)
    report.authorships.create(author=factories.author())
    return report


def test_publishing_sends_each_matching_subscriber_one_complete_email(
    audience, editor, mailoutbox, django_capture_on_commit_callbacks
):
    report = draft_on_mali()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.report_publish(report, user=editor)
    assert sorted(m.to[0] for m in mailoutbox) == ["mali@example.org", "reader@example.org"]
    message = mailoutbox[0]
    assert message.subject == report.full_title
    html = message.alternatives[0][0]
    for part in (message.body, html):
        assert report.summary in part
        assert "5. Organization" in part and "8. Persecution" in part
        assert f"http://127.0.0.1:8000{report.get_absolute_url()}" in part
        assert report.attachments.get().get_absolute_url() in part
        assert "/subscribe/unsubscribe/" in part and "/subscribe/manage/" in part
    assert message.extra_headers["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def french_translation(report, *, status=Report.Status.PUBLISHED, published_at=None):
    translated = translations.create(report, language="fr")
    translated.title = "Rapport pays Mali 2023"
    translated.summary = "Résumé en français du rapport."
    translated.status = status
    translated.published_at = published_at or timezone.now() - timedelta(minutes=1)
    translated.save()
    return translated


@pytest.fixture
def french_reader():
    return Subscriber.objects.create(
        email="lecteur@example.org", language="fr", confirmed_at=timezone.now()
    )


def test_a_french_subscriber_gets_the_public_french_translation(french_reader):
    report = factories.furnish(
        factories.published_report(title="Mali Country Report 2023", slug="mali-2023"),
        stages=(5, 8),
        recommendations=0,
        attachments=1,
    )
    french_translation(report)
    message = alerts.alert_message(french_reader, report)
    html = message.alternatives[0][0]
    assert "Rapport pays Mali 2023" in message.subject
    for part in (message.body, html):
        assert "Résumé en français du rapport." in part
        assert "http://127.0.0.1:8000/fr/reports/mali-2023/" in part
        assert "pas encore disponible" not in part
        assert "Mali Country Report 2023" not in part
        assert report.attachments.get().get_absolute_url() in part  # the PDF edition offered


@pytest.mark.parametrize(
    "status, published_at",
    [
        (Report.Status.DRAFT, None),
        (Report.Status.IN_REVIEW, None),
        (Report.Status.PUBLISHED, timezone.now() + timedelta(days=3)),  # scheduled
    ],
)
def test_a_french_subscriber_gets_the_original_while_the_translation_is_not_public(
    french_reader, status, published_at
):
    report = factories.furnish(
        factories.published_report(title="Mali Country Report 2023", slug="mali-2023"),
        recommendations=0,
        attachments=0,
    )
    french_translation(report, status=status, published_at=published_at)
    message = alerts.alert_message(french_reader, report)
    assert "Mali Country Report 2023" in message.subject
    assert "Ce rapport n’est pas encore disponible dans votre langue" in message.body
    assert report.summary in message.body
    assert "Rapport pays Mali 2023" not in message.body
    assert "Résumé en français" not in message.body
    # The French page, which shows the original and says it is not translated yet.
    assert "http://127.0.0.1:8000/fr/reports/mali-2023/" in message.body


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


# When alerts go out: after the publication is committed, about that report, once


def publish_now_in_the_admin(client, report):
    """The editor's "Save and publish now": the change form, then the workflow step."""
    data = change_form(report)
    data["_workflow"] = "publish"
    step = client.post(f"/admin/reports/report/{report.pk}/change/", data)
    assert step.status_code == 302
    # The reason is asked only when the report changes its country's level or stages.
    response = client.post(step["Location"], {"reason": "The situation worsened."})
    assert response.status_code == 302


@pytest.mark.django_db(transaction=True)
def test_save_and_publish_now_emails_about_this_report_once_it_is_committed(
    migrated_data, editor_client, mailoutbox
):
    Subscriber.objects.create(email="reader@example.org", confirmed_at=timezone.now())
    # An earlier public report nobody announced: what the alert used to be about.
    earlier = factories.published_report(country=factories.country("ML"), title="Earlier")
    report = editable_draft(title="Mali Country Report 2024")

    publish_now_in_the_admin(editor_client, report)

    (message,) = mailoutbox
    report.refresh_from_db()
    # The country is named once: not "…: Mali: Mali Country Report 2024".
    assert message.subject == "Genocide Emergency Alert: Mali Country Report 2024"
    assert report.get_absolute_url() in message.body
    assert [d.report_id for d in Delivery.objects.all()] == [report.pk]
    assert Announcement.objects.filter(report=report).exists()
    assert not Announcement.objects.filter(report=earlier).exists()

    call_command("send_due_alerts", stdout=io.StringIO())  # the safety net, for `earlier`
    assert [m.subject for m in mailoutbox] == [
        report.full_title,
        earlier.full_title,
    ]


@pytest.mark.django_db(transaction=True)
def test_a_failed_publication_sends_nothing(migrated_data, editor, mailoutbox):
    Subscriber.objects.create(email="reader@example.org", confirmed_at=timezone.now())
    report = editable_draft()
    with pytest.raises(RuntimeError), transaction.atomic():
        workflow.report_publish(report, user=editor)
        raise RuntimeError("the editor's request failed after the step")
    assert mailoutbox == []
    assert Report.objects.get(pk=report.pk).status == Report.Status.DRAFT


@pytest.fixture
def database_tasks(settings):
    """Tasks go to the database queue, as in production, for `db_worker` to run."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def queued_runs(report):
    return sorted(
        t.run_after
        for t in DBTaskResult.objects.filter(task_path__endswith="send_report_alerts")
        if t.args_kwargs["args"] == [report.pk]
    )


def run_the_worker_once():
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_a_scheduled_report_is_queued_for_its_time_and_a_stale_task_sends_nothing(
    migrated_data, database_tasks, editor, mailoutbox
):
    Subscriber.objects.create(email="reader@example.org", confirmed_at=timezone.now())
    report = editable_draft()
    first = (timezone.now() + timedelta(hours=1)).replace(microsecond=0)
    later = first + timedelta(hours=1)
    workflow.report_publish(report, user=editor, at=first)
    workflow.report_publish(Report.objects.get(pk=report.pk), user=editor, at=later)
    assert queued_runs(report) == [first, later]

    run_the_worker_once()
    with time_machine.travel(first + timedelta(minutes=1)):
        run_the_worker_once()  # the task for the first time: the report is not public yet
    assert mailoutbox == []
    with time_machine.travel(later + timedelta(minutes=1)):
        run_the_worker_once()
        call_command("send_due_alerts", stdout=io.StringIO())
        run_the_worker_once()
    assert [m.to for m in mailoutbox] == [["reader@example.org"]]


@pytest.mark.django_db(transaction=True)
def test_a_report_unpublished_before_its_time_is_never_announced(
    migrated_data, database_tasks, editor, mailoutbox
):
    Subscriber.objects.create(email="reader@example.org", confirmed_at=timezone.now())
    report = editable_draft()
    when = timezone.now() + timedelta(hours=1)
    report = workflow.report_publish(report, user=editor, at=when)
    workflow.report_unpublish(report, user=editor)
    with time_machine.travel(when + timedelta(minutes=1)):
        run_the_worker_once()
        call_command("send_due_alerts", stdout=io.StringIO())
        run_the_worker_once()
    assert mailoutbox == []
    assert not Announcement.objects.exists()


def test_with_the_immediate_backend_a_scheduled_report_waits_for_the_safety_net(
    audience, editor, mailoutbox, django_capture_on_commit_callbacks
):
    # The immediate backend cannot run a task later, so nothing is queued for the future.
    report = draft_on_mali()
    when = timezone.now() + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.report_publish(report, user=editor, at=when)
    assert mailoutbox == []
    with time_machine.travel(when + timedelta(minutes=1)):
        call_command("send_due_alerts", stdout=io.StringIO())
    assert len(mailoutbox) == 2


def database_url():
    """The address of the test database, for another process to use it."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    login = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{login}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while not (found := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"Waited {seconds} s for {what}")
        time.sleep(0.1)
    return found


@pytest.fixture
def worker(tmp_path, database_tasks):
    """`manage.py db_worker` in a process of its own on the test database, printing the
    emails it sends; yields a function returning what it has printed so far."""
    output = tmp_path / "worker.log"
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "TASKS_BACKEND": "database",
        "EMAIL_URL": "consolemail://",
        "PYTHONUNBUFFERED": "1",
    }
    with output.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        printed = lambda: output.read_text(errors="replace")  # noqa: E731
        wait_for(lambda: "Starting worker" in printed(), 30, "the worker to start")
        yield printed
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_the_worker_announces_a_report_published_now_at_once_and_a_scheduled_one_at_its_time(
    migrated_data, editor, worker
):
    Subscriber.objects.create(email="reader@example.org", confirmed_at=timezone.now())
    now_draft = editable_draft(title="Published now")
    clicked = time.monotonic()
    now_report = workflow.report_publish(now_draft, user=editor)
    subject = f"Subject: {now_report.full_title}"
    wait_for(lambda: subject in worker(), 30, "the alert of the report published now")
    delay = time.monotonic() - clicked
    SUMMARY.append(f"alerts: 'publish now' to the email on the console of db_worker: {delay:.2f} s")

    scheduled = workflow.report_publish(
        editable_draft(title="Scheduled"), user=editor, at=timezone.now() + timedelta(seconds=3)
    )
    later = f"Subject: {scheduled.full_title}"
    printed = wait_for(lambda: later in (text := worker()) and text, 30, "the scheduled alert")
    (sent_later,) = Delivery.objects.filter(report=scheduled, status=Delivery.Status.SENT)
    assert sent_later.sent_at >= scheduled.published_at
    assert printed.count(subject) == 1 and printed.count(later) == 1
    assert Delivery.objects.count() == 2


# What editors see of a report's alerts


class RefusingBackend(locmem.EmailBackend):
    """A mail server that refuses one domain and takes everything else."""

    def send_messages(self, messages):
        for message in messages:
            if message.to[0].endswith("@refused.example.org"):
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"No such user")})
        return super().send_messages(messages)


def test_a_refused_send_is_recorded_and_the_others_still_go_out(
    audience, editor, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.MAILERS = {"default": {"BACKEND": "tests.test_alerts.RefusingBackend"}}
    refused = Subscriber.objects.create(
        email="gone@refused.example.org", confirmed_at=timezone.now()
    )
    report = draft_on_mali()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.report_publish(report, user=editor)
    assert len(mailoutbox) == 2
    failed = Delivery.objects.get(status=Delivery.Status.FAILED)
    assert failed.subscriber == refused
    assert failed.error.startswith("SMTPRecipientsRefused")
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 2


def alerts_page(report):
    return f"/admin/alerts/announcement/report/{report.pk}/"


def test_editors_preview_the_alert_and_see_who_was_sent_it(
    audience, editor, editor_client, settings, django_capture_on_commit_callbacks
):
    settings.MAILERS = {"default": {"BACKEND": "tests.test_alerts.RefusingBackend"}}
    Subscriber.objects.create(email="gone@refused.example.org", confirmed_at=timezone.now())
    report = draft_on_mali()

    change_page = editor_client.get(f"/admin/reports/report/{report.pk}/change/").content.decode()
    assert f'href="{alerts_page(report)}"' in change_page
    before = editor_client.get(alerts_page(report)).content.decode()
    assert "Not public: nothing is sent until the report is published." in before
    assert "It would go to 3 subscribers" in before
    assert report.full_title in before
    assert report.summary in before and "5. Organization" in before
    assert "&lt;http://127.0.0.1:8000/subscribe/unsubscribe/" in before
    html = editor_client.get(alerts_page(report) + "email.html")
    assert html["Content-Type"] == "text/html; charset=utf-8"
    assert report.summary in html.content.decode()
    assert "Read the report" in html.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        workflow.report_publish(report, user=editor)
    after = editor_client.get(alerts_page(report)).content.decode()
    assert "sent to 2 subscribers" in after and "1 failed" in after
    assert "gone@refused.example.org" in after and "SMTPRecipientsRefused" in after
    listing = editor_client.get("/admin/alerts/announcement/").content.decode()
    assert alerts_page(report) in listing
    assert 'href="/admin/alerts/announcement/"' in editor_client.get("/admin/").content.decode()


def test_authors_may_not_see_the_alert_page(author, client):
    client.force_login(author)
    report = draft_on_mali()
    assert client.get(alerts_page(report)).status_code == 403
    assert client.get(alerts_page(report) + "email.html").status_code == 403
    assert client.get("/admin/alerts/announcement/").status_code == 403
    assert "/admin/alerts/announcement/" not in client.get("/admin/").content.decode()
    change_page = client.get(f"/admin/reports/report/{report.pk}/change/").content.decode()
    assert alerts_page(report) not in change_page


# The email itself


def test_list_unsubscribe_is_a_plain_link_in_the_raw_message(
    subscriber, editor, mailoutbox, settings
):
    settings.SITE_URL = "https://reports.example.org"
    report = factories.published_report(title="A report with a long title to fill the header")
    alerts.send_report_alerts.call(report.pk)
    (message,) = mailoutbox
    raw = message.message().as_bytes()
    parsed = BytesParser(policy=policy.compat32).parsebytes(raw)
    link = parsed["List-Unsubscribe"]
    assert re.fullmatch(r"<https://reports\.example\.org/subscribe/unsubscribe/[^\s<>?]+/>", link)
    assert b"=?" not in raw.split(b"\n\n", 1)[0]  # no encoded-word among the headers
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = link.removeprefix("<https://reports.example.org").removesuffix(">")
    assert Client().post(path).status_code == 200
    assert not Subscriber.objects.exists()


def test_make_run_links_emails_to_the_port_it_serves_on():
    def dry_run(**environment):
        command = ["make", "--no-print-directory", "--dry-run", "--always-make", "run", "PORT=9301"]
        # Run from `make test`, this make would inherit the outer one's flags and level.
        outer = {"SITE_URL", "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"}
        env = {k: v for k, v in os.environ.items() if k not in outer} | environment
        result = subprocess.run(  # noqa: S603 - make, on our own Makefile
            command, cwd=ROOT, env=env, capture_output=True, text=True, check=True
        )
        return result.stdout.splitlines()[-1]

    assert dry_run().startswith("SITE_URL='http://127.0.0.1:9301' ")
    assert "runserver 127.0.0.1:9301" in dry_run()
    given = dry_run(SITE_URL="https://reports.example.org")
    assert given.startswith("SITE_URL='https://reports.example.org' ")


# Pages that show an address are private


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 600


def test_pages_showing_an_address_are_never_stored(client, subscriber, page_cache, mailoutbox):
    subscribe(Client(), "new@example.org")
    pages = {
        "confirm": confirmation_link(mailoutbox[0]),
        "manage": alerts.manage_link(subscriber),
        "unsubscribe": alerts.unsubscribe_link(subscriber),
    }
    for name, link in pages.items():
        path = link.split("127.0.0.1:8000", 1)[1]
        for _ in range(2):
            response = Client().get(path)
            assert response.status_code == 200, name
            assert response["Cache-Control"] == "private, no-store", name
            assert "X-Page-Cache" not in response, name
        assert "example.org" in response.content.decode(), name


def test_after_unsubscribing_the_address_is_shown_nowhere(subscriber, page_cache):
    reader = Client()
    path = alerts.unsubscribe_link(subscriber).split("127.0.0.1:8000", 1)[1]
    manage = alerts.manage_link(subscriber).split("127.0.0.1:8000", 1)[1]
    assert "reader@example.org" in reader.get(path).content.decode()
    assert "reader@example.org" in reader.get(manage).content.decode()
    reader.post(path)
    for url in (path, manage):
        response = Client().get(url)
        assert "reader@example.org" not in response.content.decode()
        assert response["Cache-Control"] == "private, no-store"
        assert "X-Page-Cache" not in response


@pytest.fixture
def nginx(tmp_path, live_server):
    """The shipped nginx configuration in front of the live test server."""
    executable = shutil.which("nginx")
    if executable is None:
        pytest.skip("nginx is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {
        **os.environ,
        "RUN_DIR": str(tmp_path),
        "APP_ADDRESS": live_server.url.removeprefix("http://"),
        "LISTEN": f"127.0.0.1:{port}",
    }
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        subprocess.run(  # noqa: S603 - our own script
            [sys.executable, str(ROOT / "deploy" / "render-nginx-conf")],
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    # As root, nginx's workers would otherwise run as nobody, who may not enter tmp_path.
    command = [executable, "-c", str(conf), "-p", str(tmp_path), "-g", "daemon off; user root;"]
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL)  # noqa: S603
    try:
        wait_for(lambda: _answers(port), 10, "nginx to answer")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _answers(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def through(proxy, path, method="GET"):
    request = urllib.request.Request(proxy + path, method=method)  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            return response.headers, response.read().decode()
    except urllib.error.HTTPError as error:  # an expired link's 400 is an answer too
        return error.headers, error.read().decode()


@pytest.mark.django_db(transaction=True)
def test_nginx_keeps_no_copy_of_a_page_showing_an_address(page_cache, nginx):
    subscriber = Subscriber.objects.create(email="reader@example.org", confirmed_at=timezone.now())
    path = alerts.unsubscribe_link(subscriber).split("127.0.0.1:8000", 1)[1]
    manage = alerts.manage_link(subscriber).split("127.0.0.1:8000", 1)[1]
    # A public page is stored, so the proxy does cache here.
    through(nginx, "/subscribe/sent/")
    assert through(nginx, "/subscribe/sent/")[0]["X-Proxy-Cache"] == "HIT"
    for url in (path, manage):
        for _ in range(2):
            headers, html = through(nginx, url)
            assert headers["X-Proxy-Cache"] != "HIT"
            assert headers["Cache-Control"] == "private, no-store"
            assert "reader@example.org" in html
    through(nginx, path, method="POST")
    for url in (path, manage):
        headers, html = through(nginx, url)
        assert "reader@example.org" not in html
        assert headers["X-Proxy-Cache"] != "HIT"
