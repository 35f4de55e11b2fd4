"""Social cards: the 1200 x 630 picture a link to a report shows when it is shared.

Drawn with Pillow from the report's own data, with the font Pillow ships, so nothing is
fetched. A card is stored once per version of what it shows; when the headline, title,
country, date or alert level changes, the version and so the card's address change too.
"""

import hashlib
import io
import textwrap

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, ImageFont

from genocidewatch import storedfiles
from genocidewatch.storedfiles import Folder
from pages.chrome import identity as site_identity

WIDTH, HEIGHT = 1200, 630
BAND = {"watch": "#f0c53c", "warning": "#a44a00", "emergency": "#8b1a1a"}
BAND_INK = {"watch": "#1b1b1b", "warning": "#ffffff", "emergency": "#ffffff"}
INK, MUTED = "#1b1b1b", "#4a4a4a"


def _shown(report, site_name=None):
    when = report.published_at
    date = f"{when.day} {when:%B %Y}" if when else ""
    return [
        site_name or site_identity().name,
        report.get_alert_level_display(),
        report.headline,
        report.title,
        report.country.name,
        date,
        report.alert_level,
    ]


def card_version(report, site_name=None):
    """`site_name`: the organisation's name when the caller has it already (a page does)."""
    return hashlib.sha256("\x1f".join(_shown(report, site_name)).encode()).hexdigest()[:16]


def card_name(report, site_name=None):
    version = card_version(report, site_name)
    return storedfiles.new_name(Folder.CARDS, "png", stem=f"{report.pk}-{version}")


def current_card_names():
    """The stored names of every report's card as it is now; older cards are not needed."""
    from reports.models import Report

    name = site_identity().name
    return {card_name(report, name) for report in Report.objects.select_related("country")}


def draw_card(report):
    site, level_label, headline, title, country, date, level = _shown(report)
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)

    def font(size):
        return ImageFont.load_default(size=size)

    draw.rectangle((0, 0, WIDTH, 150), fill=BAND[level])
    draw.text((64, 46), level_label.upper(), font=font(44), fill=BAND_INK[level])
    y = 190
    for line in textwrap.wrap(headline, 30)[:3]:
        draw.text((64, y), line, font=font(64), fill=INK)
        y += 78
    for line in textwrap.wrap(title, 48)[:2]:
        draw.text((64, y + 10), line, font=font(38), fill=MUTED)
        y += 48
    draw.line((64, HEIGHT - 100, WIDTH - 64, HEIGHT - 100), fill="#d9d9d9", width=2)
    draw.text((64, HEIGHT - 78), site, font=font(36), fill=INK)
    meta = " · ".join(part for part in (country, date) if part)
    right = draw.textlength(meta, font=font(32))
    draw.text((WIDTH - 64 - right, HEIGHT - 74), meta, font=font(32), fill=MUTED)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def stored_card(report):
    """The card's stored name, drawing and storing it the first time it is asked for."""
    name = card_name(report)
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(draw_card(report)))
    return name


def send_card(request, report):
    version = card_version(report)
    return storedfiles.send(
        request,
        default_storage,
        stored_card(report),
        public=report.is_public,
        last_modified=report.updated_at,
        content_type="image/png",
        download_name=f"{report.slug}.png",
        version=version,
    )
