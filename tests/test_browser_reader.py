"""Readers in a real Chromium: a phone-sized journey, and the same pages without JavaScript."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from reports.models import AlertLevel, Report, Stage

from . import factories
from .browser import DESKTOP, PHONE, screenshot

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

    page.get_by_role("link", name="Stage 5: Organization", exact=True).click()
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
    expect(page.get_by_role("link", name="Stage 8: Persecution", exact=True)).to_be_visible()

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


AFTER = "element => getComputedStyle(element, '::after').content"


def test_a_printed_report_shows_the_full_address_of_its_links_itself_and_its_pdf(
    open_page, live_server, demo
):
    report = Report.objects.get(slug="mali-country-report-2023", translation_of=None)
    report.body += (
        '<p>Read more on <a href="/countries/mali/">Mali</a> and in '
        '<a href="https://un.example/resolution">the resolution</a>.</p>'
    )
    report.save()
    page = open_page()
    page.goto(REPORT_PATH)
    online = page.locator(".report__address")
    body_links = page.locator(".report__body a")
    pdf = page.locator(".download__link")
    # On screen the addresses stay out of the way.
    expect(online).to_be_hidden()
    assert body_links.last.evaluate(AFTER) == "none"

    page.emulate_media(media="print")
    expect(online).to_have_text(f"Read online: {live_server.url}{REPORT_PATH}")
    assert body_links.nth(-2).evaluate(AFTER) == f'" ({live_server.url}/countries/mali/)"'
    assert body_links.last.evaluate(AFTER) == '" (https://un.example/resolution)"'
    href = pdf.get_attribute("href")
    assert href.startswith("/") and pdf.evaluate(AFTER) == f'" ({live_server.url}{href})"'
    expect(page.locator(".share")).to_be_hidden()
    screenshot(page, "report-printed")


# Where each cell's visible text starts, ends and centres, header and body rows alike: a table can
# keep its columns straight while text inside a column drifts away from its header's.
COLUMN_TEXT = """table => [...table.rows].map(row => [...row.cells].map(cell => {
    const rects = [];
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode;
        if (!node.textContent.trim() || node.parentElement.closest(".visually-hidden")) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        rects.push(...range.getClientRects());
    }
    // A stage not found is an empty ring: no text, only its mark.
    const mark = cell.querySelector(".stage-grid__mark");
    if (!rects.length && mark) rects.push(mark.getBoundingClientRect());
    const box = cell.getBoundingClientRect();
    const left = Math.min(...rects.map(r => r.left)), right = Math.max(...rects.map(r => r.right));
    return {cell: [box.left, box.right], text: [left, right, (left + right) / 2]};
}))"""


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_the_years_by_stages_grid_keeps_every_column_under_its_header(open_page, viewport):
    mali = factories.country("ML")
    for year, level, stages in [
        (2021, AlertLevel.WATCH, [1, 2]),
        (2022, AlertLevel.WARNING, [5, 6]),
        (2023, AlertLevel.EMERGENCY, [5, 6, 8]),
    ]:
        report = factories.published_report(country=mali, year=year, alert_level=level)
        report.stages.set(Stage.objects.filter(number__in=stages))
    page = open_page(viewport=viewport)
    page.goto(mali.get_absolute_url())
    grid = page.locator("table.stage-grid")
    grid.scroll_into_view_if_needed()
    screenshot(page, "country-stage-grid")
    header, *rows = grid.evaluate(COLUMN_TEXT)
    assert [len(row) for row in rows] == [len(header)] * 3
    for row in rows:
        for column, (head, cell) in enumerate(zip(header, row, strict=True)):
            assert cell["cell"] == pytest.approx(head["cell"], abs=1), column
            if column == 0:
                # Words (the year, the alert level under it) start where their header starts.
                assert cell["text"][0] == pytest.approx(head["text"][0], abs=1), column
            else:
                # A mark sits under the middle of its stage's number.
                assert cell["text"][2] == pytest.approx(head["text"][2], abs=1), column
    # The grid scrolls inside its own box on a phone; the page itself never does.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
