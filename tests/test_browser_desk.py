"""The desk in a real Chromium: the dashboard, the schedule picker, the editor, autosave
after a session ends, and the checks panel; each page axe-checked."""

import re
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.sessions.models import Session
from django.utils import timezone
from playwright.sync_api import expect

from alerts.models import Delivery, Subscriber
from reports import workflow
from reports.models import Report

from . import factories
from .browser import link_words, screenshot
from .test_browser_accessibility import WCAG_21_AA
from .test_browser_staff import PASSWORD, sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migrated_data")]


def no_violations(page):
    violations = Axe().run(page, options=WCAG_21_AA).response["violations"]
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]


@pytest.fixture
def desk_page(open_page, editor):
    page = sign_in(open_page, editor)
    expect(page.get_by_role("heading", name="Desk", exact=True)).to_be_visible()
    return page


def test_the_desk_shows_an_editor_what_waits_and_what_failed(desk_page, editor, author):
    waiting = factories.draft_report(title="Sudan Country Report 2024")
    factories.furnish(waiting, recommendations=0, attachments=0, authors=1)
    workflow.report_submit(waiting, user=author)
    factories.scheduled_report(title="Myanmar Country Report 2024")
    factories.draft_report(title="Mali Country Report 2025", updated_by=editor)
    live = factories.published_report(title="Mali Country Report 2024")
    subscriber = Subscriber.objects.create(email="r@example.org", confirmed_at=timezone.now())
    Delivery.objects.create(subscriber=subscriber, report=live, status="failed", error="refused")
    page = desk_page
    page.reload()
    waiting_section = page.get_by_role("region", name="Waiting for review")
    expect(waiting_section).to_contain_text("Sudan Country Report 2024")
    expect(waiting_section).to_contain_text("submitted by author")
    expect(page.get_by_role("region", name="Scheduled")).to_contain_text("Myanmar")
    expect(page.get_by_role("region", name="My drafts")).to_contain_text("Mali Country Report 2025")
    expect(page.get_by_role("region", name="Email alerts")).to_contain_text("1 failed")
    screenshot(page, "desk-dashboard")
    no_violations(page)
    assert page.csp_violations == [] and page.requests.foreign() == []
    page.get_by_role("link", name="Sudan Country Report 2024").click()
    expect(page.get_by_role("heading", name="Checks before publishing")).to_be_visible()


def test_an_editor_schedules_a_report_by_clicking_a_date_and_a_time(desk_page, editor):
    from staff.models import StaffProfile

    StaffProfile.objects.create(user=editor, time_zone="Africa/Bamako")
    report = factories.draft_report(title="Mali Country Report 2024")
    factories.furnish(report, stages=(), recommendations=0, attachments=0, authors=1)
    page = desk_page
    page.goto(f"/admin/reports/report/{report.pk}/change/")
    page.get_by_text("More actions").click()
    page.get_by_role("button", name="Save and schedule").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Schedule")
    expect(page.locator(".help")).to_contain_text("Africa/Bamako".replace("_", " "))

    icon = page.locator(".date-icon").first
    assert icon.evaluate("e => getComputedStyle(e).backgroundImage") != "none"
    icon.click()
    calendar = page.locator(".calendarbox").first
    expect(calendar).to_be_visible()
    calendar.locator(".calendarnav-next").click()
    calendar.locator("td a", has_text=re.compile(r"^15$")).click()
    page.locator(".clock-icon").first.click()
    page.locator(".clockbox").first.get_by_role("button", name="6 p.m.").click()
    screenshot(page, "desk-schedule-picker")
    no_violations(page)
    page.get_by_role("button", name=re.compile("^Schedule")).click()
    expect(page.locator(".messagelist .success")).to_contain_text("Scheduled for 15 ")
    report.refresh_from_db()
    local = timezone.localtime(report.published_at, timezone=ZoneInfo("Africa/Bamako"))
    assert (local.day, local.hour, local.minute) == (15, 18, 0)
    assert report.is_scheduled
    assert page.csp_violations == []


def test_the_editor_opens_tall_draws_its_menu_and_ends_links_where_selected(desk_page):
    report = factories.draft_report(body="")
    factories.furnish(report, stages=(), recommendations=0, attachments=0, authors=1)
    page = desk_page
    page.goto(f"/admin/reports/report/{report.pk}/change/")
    editable = page.locator('.field-body [contenteditable="true"]')
    assert editable.bounding_box()["height"] >= 300
    arrow = page.locator(".prose-menubar__selected").evaluate(
        "e => getComputedStyle(e, '::after').content"
    )
    assert arrow == '""'  # drawn with borders: no character a font may lack
    editable.click()
    page.keyboard.type("See Resolution 2085")
    link_words(
        page, page.locator(".field-body"), "Resolution 2085", "https://example.org/resolution-2085"
    )
    page.keyboard.press("End")
    page.keyboard.type(". Then more text.")
    screenshot(page, "desk-editor")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    report.refresh_from_db()
    assert ">Resolution 2085</a>. Then more text.</p>" in report.body


def test_autosave_keeps_the_text_through_an_ended_session(desk_page, open_page, editor, settings):
    settings.AUTOSAVE_SECONDS = 1
    report = factories.draft_report(body="<p>First line.</p>")
    factories.furnish(report, stages=(), recommendations=0, attachments=0, authors=1)
    page = desk_page
    page.goto(f"/admin/reports/report/{report.pk}/change/")
    status = page.locator("#autosave-status")
    editable = page.locator('.field-body [contenteditable="true"]')
    editable.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" Written before the session ended.")
    expect(status).to_contain_text("Autosaved at")
    assert "Written before" in report.autosaves.get().fields["body"]

    Session.objects.all().delete()  # the session expires while the editor writes
    page.keyboard.type(" And after.")
    expect(status).to_contain_text("Your session has ended")
    screenshot(page, "desk-autosave-session-ended")
    no_violations(page)

    # Signed in again in another tab: the first page autosaves again, then saves.
    other = page.context.new_page()
    other.goto("/admin/login/")
    other.get_by_label("Username").fill(editor.username)
    other.get_by_label("Password").fill(PASSWORD)
    other.get_by_role("button", name="Log in").click()
    expect(other.get_by_role("heading", name="Desk", exact=True)).to_be_visible()
    expect(status).to_contain_text("Autosaved at", timeout=15_000)
    assert "And after." in report.autosaves.get().fields["body"]
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".messagelist .success")).to_contain_text("Saved.")
    report.refresh_from_db()
    assert "Written before the session ended. And after." in report.body
    assert not report.autosaves.exists()


def test_autosaved_text_is_offered_after_a_crash(desk_page, editor, settings):
    settings.AUTOSAVE_SECONDS = 1
    report = factories.draft_report(body="<p>Saved.</p>")
    page = desk_page
    page.goto(f"/admin/reports/report/{report.pk}/change/")
    page.locator('.field-body [contenteditable="true"]').click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" Never saved.")
    expect(page.locator("#autosave-status")).to_contain_text("Autosaved at")
    page.goto("/admin/")  # the tab is gone without saving
    page.goto(f"/admin/reports/report/{report.pk}/change/")
    expect(page.get_by_text("Unsaved text was kept for you.")).to_be_visible()
    page.get_by_role("link", name="Restore the autosaved text").click()
    expect(page.locator('.field-body [contenteditable="true"]')).to_contain_text("Never saved.")
    no_violations(page)


def test_the_checks_panel_shows_errors_with_where_to_fix_them_and_blocks_publishing(desk_page):
    report = factories.draft_report(
        body='<h2>Background</h2><h4>Detail</h4><p><a href="https://example.org">click here</a></p>'
    )
    factories.furnish(report, stages=(8,), recommendations=0, attachments=0, authors=1)
    page = desk_page
    page.goto(f"/admin/reports/report/{report.pk}/change/")
    panel = page.get_by_role("region", name="Checks before publishing")
    expect(panel.locator(".check--error")).to_have_count(2)
    expect(panel.locator(".check--warning")).to_contain_text("Stage 8 (Persecution)")
    screenshot(page, "desk-checks-panel")
    no_violations(page)
    page.get_by_role("button", name="Save and publish now").click()
    expect(page.get_by_text("Fix the errors above before you publish now")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Publish now"))).to_have_count(0)
    no_violations(page)
    page.get_by_role("link", name="Fix it in “Text”").first.click()
    assert page.url.endswith("#id_body")
    assert Report.objects.get(pk=report.pk).status == Report.Status.DRAFT
