"""Staff in a real Chromium: writing and publishing a report, and uploads the site refuses."""

import re

import pytest
from playwright.sync_api import expect

from reports.models import Addressee, Report

from . import factories
from .browser import SUMMARY, link_words, screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migrated_data")]

PASSWORD = "a-long-editor-password"

# Counts trusted clicks (a person's, or Playwright's real mouse) across pages and tabs.
COUNT_CLICKS = """
window.addEventListener("click", function (event) {
  if (event.isTrusted) {
    localStorage.setItem("clicks", String(Number(localStorage.getItem("clicks") || 0) + 1));
  }
}, true);
"""


def sign_in(open_page, user):
    """A browser signed in as `user` with the password form."""
    user.set_password(PASSWORD)
    user.save()
    page = open_page()
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    return page


@pytest.fixture
def editor_page(open_page, editor):
    page = sign_in(open_page, editor)
    expect(page.get_by_role("heading", name="Reports, countries and site settings")).to_be_visible()
    return page


def choose(page, container, text):
    """Pick `text` in an autocomplete box (Select2) inside `container`."""
    container.locator(".select2-selection").click()
    page.locator(".select2-search__field").fill(text[:4])
    page.locator(".select2-results__option", has_text=text).click()


def write_body(page):
    """Write a heading, a bold phrase, a link and a list with the editor's own controls."""
    field = page.locator(".field-body")
    field.locator('[contenteditable="true"]').click()
    page.keyboard.type("Background")
    field.locator(".prose-menubar__selected").click()
    field.locator('.prose-menubar__option[data-name="heading2"]').click()
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.type("Militants seized the ")
    field.locator('button[data-name="bold"]').click()
    page.keyboard.type("whole north")
    field.locator('button[data-name="bold"]').click()
    page.keyboard.type(" in 2012, and the Security Council answered with ")
    page.keyboard.type("Resolution 2085")
    link_words(page, field, "Resolution 2085", "https://example.org/resolution-2085")
    page.keyboard.press("End")
    page.keyboard.type(".")
    page.keyboard.press("Enter")
    field.locator('button[data-name="bulletList"]').click()
    page.keyboard.type("470,000 people displaced")
    page.keyboard.press("Enter")
    page.keyboard.type("3.9 million people in need of protection")


def test_an_editor_writes_and_publishes_a_report_that_the_public_then_reads(
    editor_page, open_page, live_server
):
    factories.addressee("France", kind=Addressee.Kind.STATE)
    factories.author("Esme Matthews")
    page = editor_page
    # Counting the clicks a person makes from here on (signing in took one), in every tab.
    page.context.add_init_script(COUNT_CLICKS)
    page.reload()

    page.get_by_role("link", name="Write a new report").click()
    page.get_by_label("Country").select_option(label="Mali")  # no row yet: made on save
    page.get_by_label("Year").fill("2023")
    page.get_by_label("Alert level").select_option(label="Genocide Emergency")
    page.locator("#id_title").fill("Mali Country Report 2023")
    page.get_by_label("Summary").fill("Civilians are persecuted and attacked in central Mali.")
    write_body(page)
    for stage in ["5 · Organization", "6 · Polarization", "8 · Persecution"]:
        page.get_by_label(stage).check()

    choose(page, page.locator("#authorships-group .field-author").first, "Esme Matthews")

    # A new report opens with one empty recommendation and one empty PDF edition.
    choose(page, page.locator("#recommendations-0 .field-addressee"), "France")
    page.locator("#id_recommendations-0-text").fill("should urge a new peace operation.")
    page.get_by_role("button", name="Add another Recommendation").click()
    with page.expect_popup() as popup_info:
        page.locator("#add_id_recommendations-1-addressee").click()
    popup = popup_info.value
    popup.get_by_role("textbox", name="Name:", exact=True).fill("The UN General Assembly")
    popup.get_by_label("Kind").select_option(label="United Nations body")
    # Listen before clicking: the popup may close before a later wait could begin.
    with popup.expect_event("close"):
        popup.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#select2-id_recommendations-1-addressee-container")).to_have_text(
        re.compile("The UN General Assembly")
    )
    page.locator("#id_recommendations-1-text").fill("should condemn the Wagner Group.")

    page.locator("#id_attachments-0-file").set_input_files(
        files=[
            {
                "name": "Mali report.pdf",
                "mimeType": "application/pdf",
                "buffer": factories.pdf_bytes("The Mali report, as a PDF."),
            }
        ]
    )
    screenshot(page, "admin-report-written")
    page.get_by_role("button", name="Save and publish now").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Publish now")
    report = Report.objects.get()
    assert report.slug == "mali-country-report-2023"
    assert report.country.slug == "mali"
    page.get_by_role("button", name=re.compile("^Publish now")).click()
    expect(page.locator(".messagelist .success")).to_contain_text(
        "Published. Subscribers will be emailed within a minute."
    )
    # The three selects (country, alert level, the new addressee's kind: two clicks each)
    # and the file picker (one): clicks a person makes that the script makes without.
    clicks = 1 + int(page.evaluate("localStorage.getItem('clicks')")) + 3 * 2 + 1
    SUMMARY.append(f"clicks from sign-in to a published new country report: {clicks}")
    expect(page.locator(".field-state")).to_contain_text("Published")

    reader = open_page()
    reader.goto(report.get_absolute_url())
    expect(reader.get_by_role("heading", level=1)).to_have_text("Genocide Emergency Alert: Mali")
    body = reader.locator(".report__body")
    expect(body.get_by_role("heading", level=2)).to_have_text("Background")
    expect(body.locator("strong")).to_have_text("whole north")
    expect(body.get_by_role("link", name="Resolution 2085")).to_have_attribute(
        "href", "https://example.org/resolution-2085"
    )
    expect(body.locator("ul > li")).to_have_text(
        ["470,000 people displaced", "3.9 million people in need of protection"]
    )
    expect(reader.locator(".report__stages")).to_contain_text(
        "at Stage 5: Organization, Stage 6: Polarization, and Stage 8: Persecution"
    )
    expect(reader.locator(".addressee")).to_have_text(["France", "The UN General Assembly"])
    expect(reader.locator(".report__byline")).to_contain_text("By Esme Matthews")
    link = reader.get_by_role("link", name=re.compile(r"Download PDF · "))
    download = reader.request.get(link.get_attribute("href"))
    assert download.ok
    assert download.body().startswith(b"%PDF")
    screenshot(reader, "report-published-by-editor")
    assert reader.requests.foreign() == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<html><body>a web page</body></html>", "This file is not a PDF"),
        (b"%PDF-1.7\nnot really a PDF\n%%EOF", "cannot be read as one"),
        (factories.encrypted_pdf_bytes(), "password-protected or encrypted"),
        (b"", "The submitted file is empty."),
        (factories.pdf_bytes("x" * 4000), "the largest PDF the site accepts is"),
    ],
    ids=["not-a-pdf", "unreadable", "encrypted", "empty", "too-large"],
)
def test_a_refused_upload_shows_its_message_beside_the_field(
    editor_page, settings, stored_files, content, message
):
    settings.ATTACHMENT_MAX_BYTES = 2_000
    report = factories.draft_report()
    report.authorships.create(author=factories.author())
    page = editor_page
    page.goto(f"/admin/reports/report/{report.pk}/change/")
    page.get_by_role("button", name="Add another PDF edition").click()
    page.locator("#id_attachments-0-file").set_input_files(
        files=[{"name": "edition.pdf", "mimeType": "application/pdf", "buffer": content}]
    )
    page.get_by_role("button", name="Save draft").click()
    field = page.locator("#attachments-0 .field-file")
    expect(field.locator(".errorlist")).to_contain_text(message)
    expect(page.locator(".errornote")).to_be_visible()
    assert not report.attachments.exists()
    assert stored_files() == []


def test_an_editor_sets_up_an_authenticator_at_first_sign_in(open_page, editor, settings):
    from axe_playwright_python.sync_playwright import Axe
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .test_browser_accessibility import WCAG_21_AA
    from .test_staff_login import code_for

    settings.REQUIRE_2FA = True
    page = sign_in(open_page, editor)

    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    screenshot(page, "admin-two-factor-setup")
    assert Axe().run(page, options=WCAG_21_AA).response["violations"] == []

    page.get_by_label("Code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.locator(".errorlist")).to_contain_text("That code is not right")

    device = TOTPDevice.objects.get(user=editor)
    page.wait_for_timeout(2100)  # a wrong code makes the next try wait a moment
    page.get_by_label("Code from your authenticator app").fill(code_for(device))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.locator(".messagelist .success")).to_contain_text("Two-factor sign-in is on")
    device.refresh_from_db()
    assert device.confirmed
    assert page.requests.foreign() == []
