"""The accent colour: which ink reads on it, and whether it stands out from the page.

Contrast as WCAG 2.1 defines it (relative luminance, ratios from 1 to 21). Black or white
always reaches 4.5:1 on any colour, so text on the accent is always readable; an accent too
pale to stand out from the white page earns the editor a warning, not a refusal.
"""

from django.utils.translation import gettext as _

DEFAULT_ACCENT = "#0b57a4"
PAGE = "#ffffff"
WHITE, BLACK = "#ffffff", "#000000"
TEXT_CONTRAST = 4.5  # WCAG 1.4.3, normal text
EDGE_CONTRAST = 3.0  # WCAG 1.4.11, parts of the page that must be seen


def _luminance(colour):
    def channel(hex_pair):
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first, second):
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def ink_on(colour):
    """White or black, whichever reads better on `colour`."""
    return WHITE if contrast(colour, WHITE) >= contrast(colour, BLACK) else BLACK


def warnings_for(colour):
    """What an editor should know about an accent colour; empty when all is well."""
    found = []
    if contrast(colour, WHITE) < TEXT_CONTRAST:
        found.append(
            _(
                "White text on %(colour)s would be hard to read (contrast %(ratio).1f:1, "
                "4.5:1 needed), so text on the accent will be black."
            )
            % {"colour": colour, "ratio": contrast(colour, WHITE)}
        )
    if contrast(colour, PAGE) < EDGE_CONTRAST:
        found.append(
            _(
                "%(colour)s is pale beside the white page (contrast %(ratio).1f:1, 3:1 "
                "recommended): the band at the top and the buttons will be hard to see. "
                "A darker shade would show better."
            )
            % {"colour": colour, "ratio": contrast(colour, PAGE)}
        )
    return found
