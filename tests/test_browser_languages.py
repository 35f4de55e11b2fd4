"""The French and Arabic site in Chromium: accessible (axe-core, WCAG 2.1 A and AA), right to
left in Arabic, never wider than a phone; screenshots and the Arabic card in artifacts/."""

import re

import pytest
from django.core.management import call_command

from .browser import DESKTOP, PHONE, SUMMARY, screenshot
from .measurements import ARTIFACTS
from .test_browser_accessibility import axe_violations

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migrated_data")]

PAGES = {
    "home": "/",
    "reports": "/reports/",
    "report": "/reports/mali-country-report-2023/",
    "countries": "/countries/",
}


@pytest.fixture
def demo():
    call_command("load_demo", verbosity=0)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1280px"])
@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("language", ["fr", "ar"])
def test_french_and_arabic_pages_pass_axe_and_fit_the_screen(
    open_page, demo, language, name, viewport
):
    page = open_page(viewport=viewport)
    response = page.goto(f"/{language}{PAGES[name]}", wait_until="networkidle")
    assert response.status == 200
    screenshot(page, f"{language}-{name}")
    direction = page.evaluate("getComputedStyle(document.body).direction")
    assert direction == ("rtl" if language == "ar" else "ltr")
    violations = axe_violations(page)
    SUMMARY.append(
        f"axe /{language}{PAGES[name]} at {viewport['width']}px: {len(violations)} violations"
    )
    assert not violations, "\n".join(violations)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"/{language}{PAGES[name]} is {overflow}px wider than the screen"
    assert page.requests.foreign() == []
    assert page.csp_violations == []


def test_an_arabic_page_starts_at_the_right_and_keeps_the_download_arrow_upright(open_page, demo):
    page = open_page(viewport=DESKTOP)
    page.goto(f"/ar{PAGES['report']}", wait_until="networkidle")
    name = page.locator(".site-name").bounding_box()
    assert name["x"] > DESKTOP["width"] / 2, "the site's name should sit at the right"
    arrow = page.locator(".download__link .icon").first
    assert arrow.evaluate("icon => getComputedStyle(icon).transform") == "none"
    # The social card, to look at: Arabic joined and running right to left.
    card = page.locator('meta[property="og:image"]').get_attribute("content")
    assert re.search(r"/ar/reports/mali-country-report-2023/card-\w+\.png$", card)
    picture = page.request.get(card)
    assert picture.status == 200
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ar-report-card.png").write_bytes(picture.body())
