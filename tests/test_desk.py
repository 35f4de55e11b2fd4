"""The editorial desk: the dashboard, time zones, countries, next year's report, messages."""

import re
import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from alerts.models import Delivery, Subscriber
from reports import counts, workflow
from reports.models import Country, DailyCount, FormerCountrySlug, Recommendation, Report
from staff.models import StaffProfile

from . import factories
from .test_admin import report_form

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/reports/report/add/"


def change_url(report):
    return f"/admin/reports/report/{report.pk}/change/"


# Countries -----------------------------------------------------------------------------------


def test_every_iso_country_is_offered_in_the_report_form(editor_client):
    html = editor_client.get(ADD_URL).content.decode()
    assert '<option value="TD">Chad</option>' in html
    assert '<option value="ZW">Zimbabwe</option>' in html
    assert html.count("<option value=") > 240
    # Picked from the list, never typed: no "add another country" pop-up.
    assert "add_id_country" not in html


def test_a_report_on_a_new_country_makes_its_row_and_address_once(editor_client):
    response = editor_client.post(ADD_URL, report_form(country="TD", title="Chad Report 2023"))
    assert response.status_code == 302
    chad = Country.objects.get(code="TD")
    assert (chad.name, chad.slug) == ("Chad", "chad")
    assert Report.objects.get().country == chad
    report_form_again = report_form(
        country="TD", title="Chad Report 2024", slug="chad-report-2024", year="2024"
    )
    editor_client.post(ADD_URL, report_form_again)
    assert Country.objects.filter(code="TD").count() == 1


def test_an_existing_country_keeps_its_name_and_address(editor_client):
    mali = factories.country("ML", name="Mali", slug="mali-sahel")
    editor_client.post(ADD_URL, report_form(country="ML"))
    mali.refresh_from_db()
    assert Report.objects.get().country == mali
    assert mali.slug == "mali-sahel"


def test_a_new_country_never_takes_an_address_another_country_has_or_had(editor_client):
    other = factories.country("SD", slug="chad")
    FormerCountrySlug.objects.create(slug="niger", country=other)
    editor_client.post(ADD_URL, report_form(country="TD", title="Chad Report 2023"))
    editor_client.post(
        ADD_URL, report_form(country="NE", title="Niger Report 2023", slug="niger-report-2023")
    )
    assert Country.objects.get(code="TD").slug == "chad-td"
    assert Country.objects.get(code="NE").slug == "niger-ne"


def test_a_country_that_is_not_on_the_list_is_refused_beside_the_field(editor_client):
    response = editor_client.post(ADD_URL, report_form(country="XX"))
    assert response.status_code == 200
    assert "Select a valid choice" in str(response.context["adminform"].form.errors["country"])
    assert not Report.objects.exists()
    assert not Country.objects.filter(code="XX").exists()


# Messages and buttons --------------------------------------------------------------------------


def test_saving_and_publishing_say_what_happened_in_plain_sentences(editor_client):
    response = editor_client.post(ADD_URL, report_form(_continue="1"), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Saved as a draft. Nothing is public until an editor publishes it."
    ]
    report = Report.objects.get()
    factories.furnish(report, recommendations=0, attachments=0, authors=0)
    response = editor_client.post(
        f"/admin/reports/report/{report.pk}/workflow/publish/", follow=True
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["Published. Subscribers will be emailed within a minute."]


def test_a_draft_shows_one_primary_button_and_the_rest_in_a_menu(editor_client):
    report = factories.draft_report()
    html = editor_client.get(change_url(report)).content.decode()
    assert len(re.findall(r'class="(button )?default"', html)) == 1
    assert 'value="publish" class="button default">Save and publish now' in html
    menu = html.split('<details class="more-actions">')[1].split("</details>")[0]
    assert "Save and schedule" in menu and "Delete" in menu


def test_a_superusers_technical_sections_come_after_the_content_in_a_group(admin_client):
    html = admin_client.get("/admin/").content.decode()
    content, technical = html.split('<details class="desk-technical">')
    assert "Reports" in content and "Axes" not in content
    assert "Axes" in technical and "Tasks Database" in technical


# Time zones ----------------------------------------------------------------------------------


def test_a_staff_member_chooses_a_time_zone_and_sees_times_in_it_and_in_utc(editor_client, editor):
    response = editor_client.post("/admin/profile/", {"time_zone": "Africa/Bamako"}, follow=True)
    assert "Times are now shown in Africa/Bamako" in response.content.decode()
    assert StaffProfile.objects.get(user=editor).time_zone == "Africa/Bamako"
    editor_client.post("/admin/profile/", {"time_zone": "Asia/Tokyo"})
    at = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)
    factories.scheduled_report(title="Tokyo time", published_at=at)
    listing = editor_client.get("/admin/reports/report/").content.decode()
    assert "4 Mar 2030, 18:00 JST (09:00 UTC)" in listing
    desk = editor_client.get("/admin/").content.decode()
    assert "4 Mar 2030, 18:00 JST (09:00 UTC)" in desk


def test_the_default_zone_is_the_sites(editor_client, settings):
    at = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)
    factories.scheduled_report(published_at=at)
    assert "4 Mar 2030, 09:00 UTC" in editor_client.get("/admin/reports/report/").content.decode()


def test_an_unknown_time_zone_is_refused(editor_client, editor):
    response = editor_client.post("/admin/profile/", {"time_zone": "Mars/Olympus"})
    assert "Select a valid choice" in response.content.decode()
    assert not StaffProfile.objects.filter(user=editor).exists()


def test_a_scheduled_time_is_read_in_the_editors_zone(editor_client, editor):
    StaffProfile.objects.create(user=editor, time_zone="America/New_York")
    report = factories.draft_report()
    factories.furnish(report, recommendations=0, attachments=0, authors=0)
    url = f"/admin/reports/report/{report.pk}/workflow/schedule/"
    page = editor_client.get(url).content.decode()
    assert "America/New York" in page and "admin/css/widgets.css" in page
    editor_client.post(url, {"publish_at_0": "2030-07-01", "publish_at_1": "08:00:00"})
    report.refresh_from_db()
    zone = zoneinfo.ZoneInfo("America/New_York")
    assert report.published_at == datetime(2030, 7, 1, 8, 0, tzinfo=zone)


# The desk ------------------------------------------------------------------------------------


def test_the_desk_shows_what_waits_what_is_scheduled_my_drafts_and_alerts(
    editor_client, editor, author, django_assert_max_num_queries
):
    waiting = factories.draft_report(title="Waiting report")
    factories.furnish(waiting, recommendations=0, attachments=0, authors=0)
    workflow.report_submit(waiting, user=author)
    factories.scheduled_report(title="Scheduled report")
    factories.draft_report(title="My own draft", updated_by=editor)
    factories.draft_report(title="Someone else's draft", updated_by=author)
    live = factories.published_report(title="Live report")
    workflow.report_propose_changes(live, user=editor)
    subscriber = Subscriber.objects.create(email="a@example.org", confirmed_at=timezone.now())
    other = Subscriber.objects.create(email="b@example.org", confirmed_at=timezone.now())
    Delivery.objects.create(subscriber=subscriber, report=live)
    Delivery.objects.create(subscriber=other, report=live, status="failed", error="refused")

    with django_assert_max_num_queries(25):
        html = editor_client.get("/admin/").content.decode()

    def section(heading):
        return html.split(f">{heading}</h2>")[1].split("</section>")[0]

    assert "Waiting report" in section("Waiting for review")
    assert "submitted by author" in section("Waiting for review")
    assert "Live report" in section("Pending changes to live reports")
    assert "Scheduled report" in section("Scheduled")
    assert "My own draft" in section("My drafts")
    assert "Someone else" not in section("My drafts")
    assert "Live report" in section("Recently published")
    assert "1 sent" in section("Email alerts") and "1 failed" in section("Email alerts")


def test_the_desk_shows_the_most_read_reports_of_the_last_30_days(editor_client, settings):
    settings.COUNTS_FLUSH_SECONDS = 0  # each counted hit is written at once
    counts.pending.take()
    reader = Client(HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0")
    mali = factories.furnish(
        factories.published_report(title="Mali Country Report 2023", slug="mali-2023"),
        recommendations=0,
        attachments=1,
    )
    sudan = factories.published_report(
        country=factories.country("SD"), title="Sudan Country Report 2023", slug="sudan-2023"
    )
    old = factories.published_report(
        country=factories.country("MM"), title="Myanmar Country Report 2019", slug="mm-2019"
    )
    for _ in range(3):
        reader.get(sudan.get_absolute_url())
    reader.get(mali.get_absolute_url())
    pdf = reader.get(mali.attachments.get().get_absolute_url())
    b"".join(pdf.streaming_content)  # counted once the file is sent
    DailyCount.objects.create(
        report=old, day=timezone.localdate() - timedelta(days=40), views=500, downloads=50
    )

    html = editor_client.get("/admin/").content.decode()
    section = html.split(">Most read, last 30 days</h2>")[1].split("</section>")[0]
    assert section.index("Sudan Country Report 2023") < section.index("Mali Country Report 2023")
    assert "3 views, 0 PDF downloads" in section
    assert "1 view, 1 PDF download<" in section
    assert f"/admin/reports/report/{sudan.pk}/change/" in section
    assert "Myanmar" not in section  # read more, but longer ago than 30 days


def test_the_desk_says_when_no_report_was_read_lately(editor_client):
    factories.published_report(title="Mali Country Report 2023")
    html = editor_client.get("/admin/").content.decode()
    assert "No reader has opened a report in the last 30 days." in html


# Next year's report ---------------------------------------------------------------------------


def test_next_years_report_starts_as_a_draft_with_last_years_frame(editor_client, editor):
    last = factories.published_report(title="Mali Country Report 2023", year=2023)
    factories.furnish(last, stages=(5, 6, 8), recommendations=2, attachments=1, authors=2)
    response = editor_client.post(f"/admin/reports/report/{last.pk}/next-year/", follow=True)
    new = Report.objects.exclude(pk=last.pk).get()
    assert response.redirect_chain[-1][0] == change_url(new)
    assert "Started the 2024 report as a draft" in response.content.decode()
    assert (new.title, new.year, new.status) == ("Mali Country Report 2024", 2024, "draft")
    assert new.country == last.country and new.summary == last.summary
    assert new.body == "" and not new.attachments.exists()
    assert [s.number for s in new.stages.all()] == [5, 6, 8]
    assert new.authors == last.authors
    assert [(r.addressee, r.text) for r in new.recommendations.all()] == [
        (r.addressee, r.text) for r in last.recommendations.all()
    ]
    assert all(r.carried_over for r in new.recommendations.all())
    assert not Recommendation.objects.filter(report=last, carried_over=True).exists()
    assert not Report.objects.public().filter(pk=new.pk).exists()
    assert editor_client.get(new.get_absolute_url()).status_code in (200, 404)
    assert "Carried over — review" in editor_client.get(change_url(new)).content.decode()


def test_next_years_report_is_only_started_from_a_published_report(editor_client):
    draft = factories.draft_report()
    response = editor_client.post(f"/admin/reports/report/{draft.pk}/next-year/", follow=True)
    assert "started from a published report" in response.content.decode()
    assert Report.objects.count() == 1


def test_an_author_without_the_right_to_write_cannot_start_next_years_report(
    client, django_user_model
):
    reader = django_user_model.objects.create_user("viewer", is_staff=True)
    client.force_login(reader)
    last = factories.published_report()
    response = client.post(f"/admin/reports/report/{last.pk}/next-year/")
    assert response.status_code in (302, 403)
    assert Report.objects.count() == 1


# The editor ----------------------------------------------------------------------------------


def test_the_lead_image_shows_as_a_thumbnail_after_saving(editor_client):
    from reports import uploads

    report = factories.draft_report()
    uploads.set_lead_image(report, factories.image_upload(size=(800, 600)))
    report.lead_image_alt = "Displaced families queue for water in Mopti."
    report.save()
    html = editor_client.get(change_url(report)).content.decode()
    assert f'<img src="/reports/{report.slug}/images/' in html
    assert "Currently:" not in html
    thumbnail = html.split('<img src="')[1].split('"')[0]
    assert editor_client.get(thumbnail).status_code == 200


def test_links_in_the_editor_do_not_grow_past_their_selection():
    from reports.richtext import EDITOR_EXTENSIONS

    assert EDITOR_EXTENSIONS["Link"]["autolink"] is False
