"""Social cards: the 1200 x 630 picture a link to a report shows when it is shared.

Drawn with Pillow from the report's own data, so nothing is fetched, in the language of the
page that names it (`/fr/…/card-….png` is drawn in French). Text is laid out with libraqm
(HarfBuzz shaping and the Unicode bidirectional algorithm) in DejaVu Sans, so Arabic letters
join and run right to left; Debian's fonts-dejavu-core and libfribidi0 provide them (see the
README). Without them the card is still drawn, with the font Pillow ships, which has no Arabic.

A card is stored once per version of what it shows; when the headline, title, country, date,
alert level or language changes, the version and so the card's address change too.
"""

import hashlib
import io
import logging
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import translation
from django.utils.formats import date_format
from PIL import Image, ImageDraw, ImageFont, features

from genocidewatch import storedfiles
from genocidewatch.links import link
from genocidewatch.storedfiles import Folder
from pages.chrome import identity as site_identity

WIDTH, HEIGHT = 1200, 630
BAND = {"watch": "#f0c53c", "warning": "#a44a00", "emergency": "#8b1a1a", "site": "#1b1b1b"}
BAND_INK = {"watch": "#1b1b1b", "warning": "#ffffff", "emergency": "#ffffff", "site": "#ffffff"}
INK, MUTED = "#1b1b1b", "#4a4a4a"
FONT_FILES = {
    "regular": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "bold": "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
}
MARGIN = 64

logger = logging.getLogger(__name__)


def complex_layout_available():
    """Whether Arabic can be shaped and laid out right to left here: libraqm (with FriBiDi)
    for Pillow, and a font with Arabic letters."""
    return features.check("raqm") and all(Path(f).exists() for f in FONT_FILES.values())


@cache
def _font(weight, size):
    if complex_layout_available():
        return ImageFont.truetype(FONT_FILES[weight], size, layout_engine=ImageFont.Layout.RAQM)
    logger.warning("Cards drawn without libraqm or DejaVu Sans: Arabic will not be shaped")
    return ImageFont.load_default(size=size)


def _shown(report, site_name=None):
    when = report.published_at
    return [
        site_name or site_identity().name,
        report.get_alert_level_display(),
        report.headline,
        report.title,
        report.country.local_name,
        date_format(when, "DATE_FORMAT") if when else "",
        report.alert_level,
        translation.get_language() or settings.LANGUAGE_CODE,
    ]


def card_version(report, site_name=None):
    """`site_name`: the organisation's name when the caller has it already (a page does)."""
    return hashlib.sha256("\x1f".join(_shown(report, site_name)).encode()).hexdigest()[:16]


def card_path(report):
    """The address of the report's card as it is now (its version in the name)."""
    return link("sharing:card", slug=report.slug, version=card_version(report))


def card_name(report):
    return storedfiles.new_name(Folder.CARDS, "png", stem=f"{report.pk}-{card_version(report)}")


def current_card_names():
    """The stored names of every card as it is now, reports' and pages', in every language;
    older cards are not needed."""
    from reports.models import Report

    from .pages import current_page_card_names

    names = set()
    for code, _ in settings.LANGUAGES:
        with translation.override(code):
            names |= {card_name(report) for report in Report.objects.select_related("country")}
            names |= current_page_card_names()
    return names


def _lines(draw, text, font, width, most):
    """`text` in at most `most` lines no wider than `width`, broken between words; a line
    cut short ends with an ellipsis."""
    lines, words = [], text.split()
    while words and len(lines) < most:
        line = words.pop(0)
        while words and draw.textlength(f"{line} {words[0]}", font=font) <= width:
            line = f"{line} {words.pop(0)}"
        lines.append(line)
    if words and lines:
        lines[-1] += "…"
    return lines


def draw_card(report):
    site, level_label, headline, title, country, date, level, _ = _shown(report)
    meta = " · ".join(part for part in (country, date) if part)
    return draw(site=site, band=level, label=level_label, headline=headline, title=title, meta=meta)


def draw(*, site, band, label, headline, title, meta):
    """A card in the active language: a coloured band with its label, a headline, a title,
    the site and a note (a report's country and date) at the other end of the foot."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    drawing = ImageDraw.Draw(image)
    rtl = language.split("-")[0] in settings.LANGUAGES_BIDI
    # Lines start at the right on a right-to-left card. Each string finds its own direction
    # (an English title stays left to right inside an Arabic card), and shaping joins the
    # Arabic letters, when libraqm is there.
    start, anchor = (WIDTH - MARGIN, "r") if rtl else (MARGIN, "l")
    shaped = {"language": language} if complex_layout_available() else {}

    def write(y, text, weight, size, fill, at=None, anchor_for=None):
        drawing.text(
            (start if at is None else at, y),
            text,
            font=_font(weight, size),
            fill=fill,
            anchor=(anchor_for or anchor) + "a",
            **shaped,
        )

    drawing.rectangle((0, 0, WIDTH, 150), fill=BAND[band])
    write(46, label.upper(), "bold", 44, BAND_INK[band])
    y = 190
    text_width = WIDTH - 2 * MARGIN
    for line in _lines(drawing, headline, _font("bold", 60), text_width, 3):
        write(y, line, "bold", 60, INK)
        y += 78
    for line in _lines(drawing, title, _font("regular", 36), text_width, 2):
        write(y + 10, line, "regular", 36, MUTED)
        y += 48
    drawing.line((MARGIN, HEIGHT - 100, WIDTH - MARGIN, HEIGHT - 100), fill="#d9d9d9", width=2)
    write(HEIGHT - 78, site, "bold", 34, INK)
    other_end, other_anchor = (MARGIN, "l") if rtl else (WIDTH - MARGIN, "r")
    write(HEIGHT - 74, meta, "regular", 30, MUTED, at=other_end, anchor_for=other_anchor)
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
