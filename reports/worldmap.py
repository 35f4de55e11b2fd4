"""The world map of countries at risk: static outlines, and the countries coloured on top.

The outlines are `static/map/world.svg`, drawn once from Natural Earth by
`tools/build_map.py` and served as a static file (a reader's browser keeps it). A page draws
that file as the map's background and, over it, only the countries with a current report,
each a link, with paths read from the same file once per process. No query of its own: it
is given the current reports the page has already read.
"""

import re
from functools import cache

from django.conf import settings
from django.contrib.staticfiles import finders

from .models import AlertLevel

ASSET = "map/world.svg"
_VIEWBOX = re.compile(r'viewBox="0 0 (\d+) (\d+)"')
_PATH = re.compile(r'<path id="([A-Z]{2})" d="([^"]+)"/>')
# Most severe last, so it is drawn on top where outlines touch.
LEVELS = [AlertLevel.WATCH, AlertLevel.WARNING, AlertLevel.EMERGENCY]


@cache
def outlines():
    """(width, height, {alpha-2 code: path data}) from the static asset, read once."""
    path = finders.find(ASSET) or (settings.STATIC_ROOT / ASSET)
    with open(path, encoding="utf-8") as svg:
        text = svg.read()
    width, height = map(int, _VIEWBOX.search(text).groups())
    return width, height, dict(_PATH.findall(text))


def world_map(current_reports):
    """What the map template needs: each country at risk with its shape, and those too small
    to be drawn at this scale."""
    width, height, paths = outlines()
    severity = {level: i for i, level in enumerate(LEVELS)}
    drawn, not_drawn = [], []
    for report in sorted(current_reports, key=lambda r: severity[r.alert_level]):
        code = str(report.country.code)
        entry = {"report": report, "country": report.country, "shape": paths.get(code)}
        (drawn if entry["shape"] else not_drawn).append(entry)
    return {
        "width": width,
        "height": height,
        "countries": drawn,
        "not_drawn": sorted(not_drawn, key=lambda e: e["country"].name),
        "levels": list(reversed(LEVELS)),
    }
