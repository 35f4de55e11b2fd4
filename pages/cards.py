"""The site's own social card: the picture a shared page shows when it has none of its own.

Social sites do not show SVG, so this 1200 x 630 PNG is drawn from the identity (its name,
description, accent colour and, when it is a PNG, its logo) with the font Pillow ships.
"""

import io
import textwrap

from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
INK, MUTED = "#1b1b1b", "#4a4a4a"


def draw_card(identity):
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)

    def font(size):
        return ImageFont.load_default(size=size)

    draw.rectangle((0, 0, WIDTH, 40), fill=identity.accent_colour)
    left, y = 64, 120
    if identity.logo and identity.logo_kind == "png":
        with default_storage.open(identity.logo.name, "rb") as handle:
            logo = Image.open(io.BytesIO(handle.read())).convert("RGBA")
        logo.thumbnail((360, 160))
        image.paste(logo, (left, y), logo)
        y += logo.height + 40
    for line in textwrap.wrap(identity.name, 28)[:2]:
        draw.text((left, y), line, font=font(72), fill=INK)
        y += 88
    for line in textwrap.wrap(identity.description, 52)[:4]:
        draw.text((left, y + 16), line, font=font(36), fill=MUTED)
        y += 48
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()
