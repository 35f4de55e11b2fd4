"""The world map and the ten-step stage bar in Chromium: axe at phone and desktop widths, the
legend, a country reached and opened with the keyboard alone, and screenshots to look at."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from reports.models import AlertLevel, Stage

from . import factories
from .browser import DESKTOP, PHONE, SUMMARY, screenshot
from .test_browser_accessibility import axe_violations

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migrated_data")]


@pytest.fixture
def countries_at_risk():
    call_command("load_demo", verbosity=0)
    for i, (code, name, level) in enumerate(
        [
            ("SD", "Sudan", AlertLevel.EMERGENCY),
            ("MM", "Myanmar", AlertLevel.EMERGENCY),
            ("ET", "Ethiopia", AlertLevel.WARNING),
            ("NG", "Nigeria", AlertLevel.WATCH),
            ("BR", "Brazil", AlertLevel.WATCH),
        ]
    ):
        report = factories.published_report(
            country=factories.country(code, name=name, slug=name.lower()),
            alert_level=level,
            title=f"{name} Country Report 2025",
            slug=f"{name.lower()}-country-report-2025",
            published_at=timezone.now() - timedelta(days=i + 1),
        )
        report.stages.set(Stage.objects.filter(number__lte=i + 2))


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1280px"])
@pytest.mark.parametrize("path", ["/", "/countries/"], ids=["home", "countries"])
def test_the_map_passes_axe_and_shows_its_legend(open_page, countries_at_risk, path, viewport):
    page = open_page(viewport=viewport)
    page.goto(path, wait_until="networkidle")
    name = "map-home" if path == "/" else "map-countries"
    screenshot(page, name)
    violations = axe_violations(page)
    SUMMARY.append(f"axe {name} at {viewport['width']}px: {len(violations)} violations")
    assert not violations, "\n".join(violations)
    legend = page.locator(".world-map__legend")
    for label in ("Genocide Emergency", "Genocide Warning", "Genocide Watch", "No current report"):
        assert legend.get_by_text(label).is_visible()
    drawing = page.locator(".world-map__drawing")
    assert drawing.bounding_box()["width"] <= viewport["width"]
    # The outlines came from the static file, and drew.
    assert page.evaluate(
        "() => [...performance.getEntriesByType('resource')].some("
        "e => e.name.includes('/static/map/world') && e.responseEnd > 0)"
    )
    assert page.requests.foreign() == []


def test_a_country_on_the_map_is_reached_and_opened_with_the_keyboard(open_page, countries_at_risk):
    page = open_page(viewport=DESKTOP)
    page.goto("/")
    mali = page.get_by_role("link", name="Mali: Genocide Emergency")
    assert mali.count() == 1
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => document.activeElement.getAttribute('aria-label')")
        if focused == "Mali: Genocide Emergency":
            break
    else:
        pytest.fail("Mali's link on the map was never reached with Tab")
    screenshot(page, "map-focus")
    page.keyboard.press("Enter")
    page.wait_for_url("**/countries/mali/")
    assert page.get_by_role("heading", level=1).inner_text() == "Mali"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1280px"])
@pytest.mark.parametrize(
    "path",
    ["/reports/mali-country-report-2023/", "/countries/mali/"],
    ids=["report", "country"],
)
def test_the_stage_bar_passes_axe_and_fits_the_screen(open_page, countries_at_risk, path, viewport):
    page = open_page(viewport=viewport)
    page.goto(path, wait_until="networkidle")
    name = "stage-bar-report" if path.startswith("/reports/") else "stage-bar-country"
    screenshot(page, name)
    violations = axe_violations(page)
    assert not violations, "\n".join(violations)
    steps = page.locator(".stage-bar__steps > li")
    assert steps.count() == 10
    # A screen reader hears a list of ten, each stage named and said to be found or not.
    found = page.get_by_role("listitem").filter(has_text="Stage 5: Organization, found")
    assert found.count() == 1
    bar = page.locator(".stage-bar__steps").bounding_box()
    assert bar["x"] >= 0 and bar["x"] + bar["width"] <= viewport["width"]
    for i in range(10):
        box = steps.nth(i).bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24  # big enough to see and to tap
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    if path == "/countries/mali/":
        mark = page.locator(".stage-grid__mark--found").first.bounding_box()
        assert mark["width"] >= 20


def test_the_stage_bar_prints(open_page, countries_at_risk):
    page = open_page(viewport=DESKTOP)
    page.goto("/reports/mali-country-report-2023/")
    page.emulate_media(media="print")
    assert page.locator(".stage-bar").is_visible()
    assert page.locator(".stage-bar__step--found .stage-bar__mark").first.inner_text() == "✔"
