"""Readers in a real Chromium: a phone-sized journey, and the same pages without JavaScript."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from .browser import PHONE

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migrated_data")]

REPORT_PATH = "/reports/mali-country-report-2023/"


@pytest.fixture
def demo():
    call_command("load_demo", verbosity=0)


def test_a_reader_on_a_phone_reaches_the_report_a_stage_copies_the_link_and_searches(
    open_page, live_server, demo
):
    page = open_page(viewport=PHONE, permissions=["clipboard-read", "clipboard-write"])
    page.goto("/")
    page.get_by_role("link", name="Mali Country Report 2023").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Genocide Emergency Alert: Mali")
    assert page.url == live_server.url + REPORT_PATH

    page.get_by_role("link", name="Stage 5: Organization").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stage 5: Organization")
    expect(page.get_by_role("link", name="Mali Country Report 2023")).to_be_visible()
    page.go_back()

    page.get_by_role("link", name="Copy link").click()
    expect(page.locator(".copy-status")).to_have_text("Link copied")
    assert page.evaluate("navigator.clipboard.readText()") == live_server.url + REPORT_PATH
    assert page.url == live_server.url + REPORT_PATH

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    page.get_by_label("Search reports").fill("Ogossagou")
    page.get_by_label("Search reports").press("Enter")
    expect(page.get_by_text("1 report matching “Ogossagou”")).to_be_visible()
    page.get_by_role("link", name="Mali Country Report 2023").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Genocide Emergency Alert: Mali")

    assert page.requests.foreign() == []


def test_the_pdf_link_downloads_a_pdf(open_page, demo):
    page = open_page()
    page.goto(REPORT_PATH)
    link = page.get_by_role("link", name=re.compile(r"Download PDF · \d+ pages? · \d+ KB"))
    response = page.request.get(link.get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")


def test_without_javascript_every_part_of_the_report_works(open_page, live_server, demo):
    page = open_page(viewport=PHONE, javascript=False)
    page.goto(REPORT_PATH)
    expect(page.get_by_role("heading", name="Recommendations")).to_be_visible()
    expect(page.locator(".addressee")).to_have_count(4)
    expect(page.get_by_role("link", name="Stage 8: Persecution")).to_be_visible()

    # The copy-link control is a plain link to the report's own address.
    page.get_by_role("link", name="Copy link").click()
    assert page.url == live_server.url + REPORT_PATH

    page.get_by_role("link", name="Skip to main content").focus()
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    page.get_by_role("link", name="Back to top").click()
    assert page.url.endswith("#top")

    page.goto("/reports/")
    page.get_by_label("Search reports").fill("Wagner")
    page.get_by_role("button", name="Show reports").click()
    expect(page.get_by_role("link", name="Mali Country Report 2023")).to_be_visible()
    assert page.requests.foreign() == []
