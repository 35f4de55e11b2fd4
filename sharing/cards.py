"""Social cards: the 1200 x 630 picture a link to a report shows when it is shared.

Drawn with Pillow from the report's own data, with the font Pillow ships, so nothing is
fetched. A card is stored once per version of what it shows; when the headline, title,
country, date or alert level changes, the version and so the card's address change too.
"""

import hashlib
import io
import textwrap

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, ImageFont

from genocidewatch import storedfiles
from genocidewatch.links import link
from genocidewatch.storedfiles import Folder

WIDTH, HEIGHT = 1200, 630
BAND = {"watch": "#f0c53c", "warning": "#a44a00", "emergency": "#8b1a1a", "site": "#1b1b1b"}
BAND_INK = {"watch": "#1b1b1b", "warning": "#ffffff", "emergency": "#ffffff", "site": "#ffffff"}
INK, MUTED = "#1b1b1b", "#4a4a4a"


def _shown(report):
    when = report.published_at
    date = f"{when.day} {when:%B %Y}" if when else ""
    return [
        settings.SITE_NAME,
        report.get_alert_level_display(),
        report.headline,
        report.title,
        report.country.name,
        date,
        report.alert_level,
    ]


def card_version(report):
    return hashlib.sha256("\x1f".join(_shown(report)).encode()).hexdigest()[:16]


def card_path(report):
    """The address of the report's card as it is now (its version in the name)."""
    return link("sharing:card", slug=report.slug, version=card_version(report))


def card_name(report):
    return storedfiles.new_name(Folder.CARDS, "png", stem=f"{report.pk}-{card_version(report)}")


def current_card_names():
    """The stored names of every report's card as it is now; older cards are not needed."""
    from reports.models import Report

    from .pages import current_page_card_names

    return {
        card_name(report) for report in Report.objects.select_related("country")
    } | current_page_card_names()


def draw_card(report):
    site, level_label, headline, title, country, date, level = _shown(report)
    meta = " · ".join(part for part in (country, date) if part)
    return draw(site=site, band=level, label=level_label, headline=headline, title=title, meta=meta)


def draw(*, site, band, label, headline, title, meta):
    """A card: a coloured band with its label, a headline, a title, the site and a note."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    drawing = ImageDraw.Draw(image)

    def font(size):
        return ImageFont.load_default(size=size)

    drawing.rectangle((0, 0, WIDTH, 150), fill=BAND[band])
    drawing.text((64, 46), label.upper(), font=font(44), fill=BAND_INK[band])
    y = 190
    for line in textwrap.wrap(headline, 30)[:3]:
        drawing.text((64, y), line, font=font(64), fill=INK)
        y += 78
    for line in textwrap.wrap(title, 48)[:2]:
        drawing.text((64, y + 10), line, font=font(38), fill=MUTED)
        y += 48
    drawing.line((64, HEIGHT - 100, WIDTH - 64, HEIGHT - 100), fill="#d9d9d9", width=2)
    drawing.text((64, HEIGHT - 78), site, font=font(36), fill=INK)
    right = drawing.textlength(meta, font=font(32))
    drawing.text((WIDTH - 64 - right, HEIGHT - 74), meta, font=font(32), fill=MUTED)
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
