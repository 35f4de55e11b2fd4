"""Draw the world map's outlines once, from Natural Earth, into static/map/world.svg.

Run by hand when the geometry should change (never by the site, never per request):

    npm ci                        # brings world-atlas (Natural Earth as TopoJSON)
    .venv/bin/python tools/build_map.py

Source: Natural Earth's Admin 0 countries at 1:110m (public domain), as redistributed by the
npm package `world-atlas` (its version and Natural Earth's are written into the SVG). The
countries are projected with the Natural Earth projection, Antarctica left out, points rounded
to a tenth of a unit on a 1000-unit-wide drawing and thinned where they add nothing visible;
each country is one <path> whose id is its ISO 3166-1 alpha-2 code. The site serves the file
as a static image and reads the paths of the countries it colours from it once per process
(reports/worldmap.py).
"""

import itertools
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "node_modules" / "world-atlas"
SOURCE = PACKAGE / "countries-110m.json"
OUTPUT = ROOT / "static" / "map" / "world.svg"
NATURAL_EARTH_VERSION = "4.1.0"  # as world-atlas 2.0.2's README says
WIDTH = 1000
TOLERANCE = 0.35  # units of the drawing: detail finer than this is not seen on a screen
# Natural Earth features without an ISO numeric code, and the code readers know them by.
WITHOUT_NUMERIC = {"Kosovo": "XK", "Somaliland": "SO", "N. Cyprus": "CY"}
LEFT_OUT = {"AQ"}  # Antarctica: no population at risk, and a third of the drawing's height


def alpha2_codes():
    sys.path.insert(0, str(ROOT))
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "genocidewatch.settings")
    import django

    django.setup()
    from django_countries import countries

    return lambda numeric: countries.alpha2(int(numeric)) or None


def decode_arcs(topology):
    """TopoJSON arcs (quantized, delta-encoded) as lists of (longitude, latitude)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(arcs, indexes):
    points = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return points


def unwrapped(points):
    """A ring that crosses the antimeridian (Russia's far east, Fiji) kept on the side of
    most of its points: the few beyond 180 degrees are drawn at its edge."""
    if all(abs(b[0] - a[0]) <= 180 for a, b in itertools.pairwise(points)):
        return points
    east = sum(1 for lon, _ in points if lon > 0) >= len(points) / 2
    edge = 180 if east else -180
    return [(edge if (lon > 0) != east else lon, lat) for lon, lat in points]


def natural_earth(longitude, latitude):
    """The Natural Earth projection (Šavrič, Jenny, Patterson, 2011), in radians' units."""
    lam, phi = math.radians(longitude), math.radians(latitude)
    p2 = phi * phi
    p4 = p2 * p2
    x = lam * (0.8707 - 0.131979 * p2 + p4 * (-0.013791 + p4 * (0.003971 * p2 - 0.001529 * p4)))
    y = phi * (1.007226 + p2 * (0.015085 + p4 * (-0.044475 + 0.028874 * p2 - 0.005916 * p4)))
    return x, y


def thin(points, tolerance):
    """Douglas-Peucker: keep the points that change the outline by more than `tolerance`."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        length = math.hypot(x2 - x1, y2 - y1)
        farthest, distance = None, tolerance
        for i in range(first + 1, last):
            x0, y0 = points[i]
            if length:
                d = abs((x2 - x1) * (y1 - y0) - (x1 - x0) * (y2 - y1)) / length
            else:  # a closed ring: its ends are one point
                d = math.hypot(x0 - x1, y0 - y1)
            if d > distance:
                farthest, distance = i, d
        if farthest is not None:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def number(value):
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def path_data(rings):
    """Rings as SVG path data with relative moves: the shortest text for the same shape."""
    parts = []
    previous = (0, 0)
    for points in rings:
        start = points[0]
        parts.append(f"M{number(start[0])} {number(start[1])}" if not parts else "")
        if parts[-1] == "":
            dx, dy = start[0] - previous[0], start[1] - previous[1]
            parts[-1] = f"m{number(dx)} {number(dy)}"
        x, y = start
        steps = []
        for px, py in points[1:-1]:
            steps.append(f"{number(px - x)} {number(py - y)}")
            x, y = px, py
        parts.append("l" + " ".join(steps).replace(" -", "-") + "z")
        previous = start
    return "".join(parts)


def build():
    topology = json.loads(SOURCE.read_text())
    version = json.loads((PACKAGE / "package.json").read_text())["version"]
    to_alpha2 = alpha2_codes()
    arcs = decode_arcs(topology)

    projected = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        name = geometry.get("properties", {}).get("name", "")
        code = to_alpha2(geometry["id"]) if "id" in geometry else WITHOUT_NUMERIC.get(name)
        if not code or code in LEFT_OUT:
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        rings = [ring(arcs, r) for polygon in polygons for r in polygon]
        projected.setdefault(code, []).extend(
            [natural_earth(lon, lat) for lon, lat in unwrapped(r)] for r in rings
        )

    # Fit the drawing to WIDTH, north up (SVG's y grows downwards).
    xs = [x for rings in projected.values() for r in rings for x, _ in r]
    ys = [y for rings in projected.values() for r in rings for _, y in r]
    scale = WIDTH / (max(xs) - min(xs))
    height = math.ceil((max(ys) - min(ys)) * scale)
    left, top = min(xs), max(ys)

    paths = []
    for code in sorted(projected):
        rings = []
        for r in projected[code]:
            points = [(round((x - left) * scale, 1), round((top - y) * scale, 1)) for x, y in r]
            points = thin(points, TOLERANCE)
            if len(points) >= 4:
                rings.append(points)
        if rings:
            paths.append(f'<path id="{code}" d="{path_data(rings)}"/>')

    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}">\n'
        f"<!-- Natural Earth {NATURAL_EARTH_VERSION} Admin 0 countries, 1:110m (public domain), "
        f"from the npm package world-atlas {version}; made by tools/build_map.py. -->\n"
        '<g fill="#e3e3df" stroke="#ffffff" stroke-width="0.6" stroke-linejoin="round">\n'
        + "\n".join(paths)
        + "\n</g>\n</svg>\n"
    )
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(svg)
    print(f"{OUTPUT.relative_to(ROOT)}: {len(paths)} countries, {len(svg):,} bytes")


if __name__ == "__main__":
    build()
