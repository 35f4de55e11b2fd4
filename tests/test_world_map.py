"""The world map of countries at risk on the home page and /countries/, drawn on the server."""

import gzip
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reports.models import AlertLevel, Report

from . import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_page_cache")]

ASSET = Path(settings.BASE_DIR) / "static" / "map" / "world.svg"
MAP_PAGES = ["/", "/countries/"]


def country_links(html):
    """{aria-label: href} of the countries drawn on the map."""
    drawing = html.split('class="world-map__drawing"', 1)[1].split("</svg>", 1)[0]
    return {
        label: href
        for href, label in re.findall(
            r'<a href="([^"]+)" class="world-map__country[^"]*" aria-label="([^"]+)"', drawing
        )
    }


@pytest.fixture
def at_risk():
    mali = factories.published_report(
        country=factories.country("ML", name="Mali", slug="mali"), alert_level=AlertLevel.WATCH
    )
    # Mali's latest public report says Emergency: the map shows that, not the older one.
    factories.published_report(
        country=mali.country,
        alert_level=AlertLevel.EMERGENCY,
        published_at=timezone.now() - timedelta(hours=1),
    )
    factories.published_report(
        country=factories.country("SD", name="Sudan", slug="sudan"),
        alert_level=AlertLevel.WARNING,
    )
    # Singapore is too small for a 1:110m world: named under the map instead.
    factories.published_report(
        country=factories.country("SG", name="Singapore", slug="singapore"),
        alert_level=AlertLevel.WATCH,
    )
    return mali


def test_the_map_asset_is_small_simplified_and_keyed_by_iso_codes():
    svg = ASSET.read_text()
    assert len(gzip.compress(svg.encode(), compresslevel=9)) <= 60_000
    codes = re.findall(r'<path id="([A-Z]{2})" d="', svg)
    assert len(codes) > 150 and len(set(codes)) == len(codes)
    assert {"ML", "SD", "MM", "UA", "FR", "BR", "CN", "US"} <= set(codes)
    assert "AQ" not in codes
    assert "Natural Earth 4.1.0" in svg and "world-atlas 2.0.2" in svg
    assert "<script" not in svg and "http://" not in svg.replace("http://www.w3.org/2000/svg", "")


@pytest.mark.parametrize("url", MAP_PAGES)
def test_each_country_at_risk_is_a_named_link_coloured_by_its_current_level(client, at_risk, url):
    html = client.get(url).content.decode()
    assert country_links(html) == {
        "Mali: Genocide Emergency": "/countries/mali/",
        "Sudan: Genocide Warning": "/countries/sudan/",
    }
    assert 'class="world-map__country world-map__country--emergency" aria-label="Mali' in html
    assert 'class="world-map__country world-map__country--warning" aria-label="Sudan' in html
    # Singapore is named and linked under the map, with its level in words.
    assert (
        "Too small to see at this scale: "
        '<a href="/countries/singapore/">Singapore</a> (Genocide Watch)' in html
    )


@pytest.mark.parametrize("url", MAP_PAGES)
def test_the_legend_names_every_level_in_words_beside_its_pattern(client, at_risk, url):
    html = client.get(url).content.decode()
    legend = html.split('class="world-map__legend"', 1)[1].split("</span>\n  </figcaption>", 1)[0]
    for label, pattern in [
        ("Genocide Emergency", "map-fill-emergency"),
        ("Genocide Warning", "map-fill-warning"),
        ("Genocide Watch", "map-fill-watch"),
    ]:
        assert f'fill="url(#{pattern})" class="world-map__swatch-rect"/></svg> {label}' in legend
    # Each level has its own pattern, not only its own colour: stripes, cross-hatching, solid.
    assert html.count('class="map-hatch"') == 3
    assert "No current report" in legend


@pytest.mark.parametrize("url", MAP_PAGES)
def test_the_map_shows_no_unpublished_draft_or_scheduled_report(client, url):
    factories.draft_report(country=factories.country("SD", name="Sudan", slug="sudan"))
    factories.scheduled_report(country=factories.country("MM", name="Myanmar", slug="myanmar"))
    unpublished = factories.published_report(
        country=factories.country("ET", name="Ethiopia", slug="ethiopia")
    )
    unpublished.status = Report.Status.DRAFT
    unpublished.save()
    factories.published_report(country=factories.country("ML", name="Mali", slug="mali"))
    html = client.get(url).content.decode()
    assert list(country_links(html)) == ["Mali: Genocide Emergency"]
    for hidden in ("Sudan", "Myanmar", "Ethiopia"):
        assert hidden not in html


@pytest.mark.parametrize("url", MAP_PAGES)
def test_the_map_adds_no_query_and_draws_outlines_from_the_static_file(client, at_risk, url):
    with CaptureQueriesContext(connection) as with_three:
        html = client.get(url).content.decode()
    for code in ("NG", "ET", "MM", "IN"):
        factories.published_report(country=factories.country(code, name=code, slug=code.lower()))
    with CaptureQueriesContext(connection) as with_seven:
        more = client.get(url).content.decode()
    assert len(country_links(more)) == 6
    assert len(with_seven) == len(with_three)
    # The world's outlines are a static file the browser keeps; the page carries only the
    # countries it colours.
    assert re.search(r'<image href="/static/map/world(\.[0-9a-f]+)?\.svg"', html)
    assert len(html.encode()) < 40_000


def test_with_nothing_published_the_countries_page_has_no_map(client):
    html = client.get("/countries/").content.decode()
    assert "world-map" not in html
    assert 'class="world-map__drawing"' in client.get("/").content.decode()
