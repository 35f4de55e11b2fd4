"""The header (logo, menus, search box) and a page staff wrote, in Chromium: axe-core
(WCAG 2.1 A and AA) at phone and desktop widths, nothing from other origins, no sideways
scrolling, and the search box taking a reader to the report search."""

import pytest
from django.core.management import call_command

from .browser import DESKTOP, PHONE, SUMMARY, screenshot
from .test_browser_accessibility import axe_violations

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migrated_data")]

PAGES = {"methodology": "/pages/methodology/", "about": "/pages/about/", "home-header": "/"}


@pytest.fixture
def demo():
    call_command("load_demo", verbosity=0)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1280px"])
@pytest.mark.parametrize("name", PAGES)
def test_the_header_and_staff_pages_pass_axe_at_both_widths(open_page, demo, name, viewport):
    page = open_page(viewport=viewport)
    response = page.goto(PAGES[name], wait_until="networkidle")
    assert response.status == 200
    screenshot(page, f"site-{name}")
    violations = axe_violations(page)
    SUMMARY.append(f"axe site {name} at {viewport['width']}px: {len(violations)} violations")
    assert not violations, "\n".join(violations)
    assert page.requests.foreign() == []
    assert page.csp_violations == []
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name} is {overflow}px wider than the screen"
    # The logo is drawn, and the accent colour from the identity's stylesheet is in force.
    assert page.evaluate("document.querySelector('.site-logo').naturalWidth") > 0
    accent = page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()"
    )
    assert accent == "#7a1f2b"


@pytest.mark.parametrize("javascript", [True, False], ids=["with JavaScript", "without"])
def test_the_header_search_box_takes_a_reader_to_the_report_search(open_page, demo, javascript):
    page = open_page(viewport=PHONE, javascript=javascript)
    page.goto("/pages/about/")
    page.get_by_role("searchbox", name="Search the reports").fill("Wagner")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url("**/reports/?q=Wagner")
    assert "Mali Country Report 2023" in page.content()


@pytest.mark.parametrize("form", ["page", "identity"])
def test_the_admin_forms_for_pages_and_identity_pass_axe(open_page, demo, django_user_model, form):
    from pages.models import Page

    django_user_model.objects.create_superuser("chief", password="a-long-test-password")
    page = open_page()
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("chief")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Log in").click()
    path = {
        "page": f"/admin/pages/page/{Page.objects.get(slug='about').pk}/change/",
        "identity": "/admin/pages/identity/1/change/",
    }[form]
    page.goto(path, wait_until="networkidle")
    screenshot(page, f"admin-{form}-form")
    violations = axe_violations(page)
    SUMMARY.append(f"axe admin {form} form at 1280px: {len(violations)} violations")
    assert not violations, "\n".join(violations)
    assert page.requests.foreign() == []
    assert page.csp_violations == []
    if form == "page":  # the reports' rich-text editor came up
        assert page.locator('.prose-editor [contenteditable="true"]').count() == 1
