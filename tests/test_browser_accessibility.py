"""Accessibility (axe-core, WCAG 2.1 A and AA), privacy and weight, measured in Chromium."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

from reports.models import Report

from .browser import DESKTOP, PHONE, SUMMARY, screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migrated_data")]

WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}

PUBLIC_PAGES = {
    "home": "/",
    "reports": "/reports/",
    "search": "/reports/?q=Mali",
    "report": "/reports/mali-country-report-2023/",
    "stages": "/stages/",
    "stage": "/stages/5/",
    "countries": "/countries/",
    "country": "/countries/mali/",
    "recommendations": "/recommendations/",
    "addressee": "/addressees/france/",
    "filtered": "/reports/?country=mali&stage=5",
    "data": "/data/",
    "not-found": "/reports/no-such-report/",
}

# The parts of a report page a reader downloads to read it; images and PDFs are not counted.
PAGE_WEIGHT_TYPES = {"document", "stylesheet", "script", "font"}
PAGE_WEIGHT_LIMIT = 60_000


@pytest.fixture
def demo():
    call_command("load_demo", verbosity=0)


def axe_violations(page):
    results = Axe().run(page, options=WCAG_21_AA)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1280px"])
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_every_public_page_passes_axe_and_stays_on_its_own_origin(open_page, demo, name, viewport):
    page = open_page(viewport=viewport)
    response = page.goto(PUBLIC_PAGES[name], wait_until="networkidle")
    assert response.status == (404 if name == "not-found" else 200)
    screenshot(page, name)
    violations = axe_violations(page)
    SUMMARY.append(f"axe {name} at {viewport['width']}px: {len(violations)} violations")
    assert not violations, "\n".join(violations)
    assert page.requests.foreign() == []
    assert page.csp_violations == []


@pytest.mark.parametrize("form", ["add", "change", "published"])
def test_the_admin_report_form_passes_axe(open_page, demo, django_user_model, form):
    from reports import changes

    chief = django_user_model.objects.create_superuser("chief", password="a-long-test-password")
    report = Report.objects.get(slug="mali-country-report-2023", translation_of=None)
    if form == "change":
        # The published demo report is changed through its pending changes: that form.
        report = changes.start_changes(report, user=chief)
    page = open_page()
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("chief")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Log in").click()
    path = "add/" if form == "add" else f"{report.pk}/change/"
    page.goto(f"/admin/reports/report/{path}", wait_until="networkidle")
    screenshot(page, f"admin-report-{form}-form")
    violations = axe_violations(page)
    SUMMARY.append(f"axe admin report {form} form at 1280px: {len(violations)} violations")
    assert not violations, "\n".join(violations)
    assert page.requests.foreign() == []
    assert page.csp_violations == []
    # The rich-text editor came up under the admin's policy (a published report is read).
    editors = page.locator('.prose-editor [contenteditable="true"]').count()
    assert editors == (0 if form == "published" else 1)


def test_the_report_page_weighs_less_than_60_kb(open_page, demo):
    page = open_page(viewport=PHONE)
    weights = {}

    def count(response):
        kind = response.request.resource_type
        if kind in PAGE_WEIGHT_TYPES:
            weights[response.url] = len(response.body())

    page.on("response", count)
    page.goto(PUBLIC_PAGES["report"], wait_until="networkidle")
    total = sum(weights.values())
    detail = ", ".join(
        f"{url.rsplit('/', 1)[-1] or 'page'} {size:,} B" for url, size in weights.items()
    )
    SUMMARY.append(f"report page transfer (uncompressed): {total:,} bytes ({detail})")
    assert weights, "no response was counted"
    assert total < PAGE_WEIGHT_LIMIT


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_no_public_page_scrolls_sideways_on_a_phone(open_page, demo, name):
    page = open_page(viewport=PHONE)
    page.goto(PUBLIC_PAGES[name])
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name} is {overflow}px wider than a 375px screen"
