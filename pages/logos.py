"""The organisation's logo: an SVG or a PNG, checked by what it is, not by its name.

A PNG is opened by Pillow with the same guards as a lead image (reports/images.py: damaged
files, decompression bombs, the pixel limit), then stored as a clean copy, its metadata
dropped and its height brought down to what a page header needs.

An SVG is a document, not a picture: it can carry script, pull in other files and name
addresses on other hosts that every reader's browser would then be sent to. It is refused,
not rewritten, when it holds any of that: a sanitiser that edits the drawing can miss a
trick or quietly spoil the artwork, while a refusal says exactly what to remove (designers'
programs all have a "plain SVG" export without it). What is stored is then byte for byte
what was checked. It is read by defusedxml, which refuses entity declarations and external
references in the XML itself; scripts, event attributes, links to anything but a part of
the same drawing, style sheets that fetch, and embedded objects are refused below. It is
also sent with the stored files' `Content-Security-Policy: default-src 'none'; sandbox`,
so even opened on its own it runs nothing.
"""

import io
import re
from dataclasses import dataclass

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image

from reports.images import _clean_copy, _encode, _open
from reports.models import release_stored_file

from .models import Identity

LOGO_MAX_BYTES = 500_000
PNG_MAX_HEIGHT = 256  # the header shows it about 48 px high; more is for sharp screens
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"
# Elements that run script, embed other documents or change attributes over time (an
# animation can turn a harmless link into a script address).
FORBIDDEN_ELEMENTS = {
    "script",
    "foreignobject",
    "iframe",
    "embed",
    "object",
    "handler",
    "listener",
    "set",
    "animate",
    "animatemotion",
    "animatetransform",
    "animatecolor",
    "audio",
    "video",
}
REFERENCE = re.compile(r"url\(\s*['\"]?\s*([^'\")\s]*)", re.IGNORECASE)
NUMBER = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(px)?\s*$")


@dataclass
class CheckedLogo:
    extension: str  # "svg" or "png"
    data: bytes
    width: int
    height: int


def refuse(message, code, **params):
    raise ValidationError(message, code=code, params=params or None)


def check_logo(upload):
    """The logo as it will be stored, or a ValidationError saying what is wrong with it."""
    if upload.size is not None and upload.size > LOGO_MAX_BYTES:
        refuse(
            "This file is %(size)s KB; a logo may be at most %(limit)s KB. Export a smaller "
            "copy and upload that.",
            "too_large",
            size=f"{upload.size / 1000:,.0f}",
            limit=LOGO_MAX_BYTES // 1000,
        )
    upload.seek(0)
    data = upload.read(LOGO_MAX_BYTES + 1)
    if not data:
        refuse("The file is empty. Choose the logo again.", "empty")
    if len(data) > LOGO_MAX_BYTES:
        refuse("A logo may be at most %(limit)s KB.", "too_large", limit=LOGO_MAX_BYTES // 1000)
    if data.startswith(PNG_SIGNATURE):
        return _checked_png(data)
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return _checked_svg(data)
    refuse(
        "This file is neither an SVG nor a PNG picture (it is %(kind)s). Export the logo as "
        "SVG or PNG and upload that.",
        "not_logo",
        kind=_kind_of(data),
    )


def _kind_of(data):
    try:
        found = Image.open(io.BytesIO(data)).format
    except Exception:
        found = None
    return f"a {found} picture" if found else "another kind of file"


def _checked_png(data):
    try:
        image = _open(data)
    except ValidationError as error:
        # The lead image's messages speak of photographs; a logo's are simpler.
        if error.code == "too_many_pixels":
            raise
        refuse(
            "This file is named and starts like a PNG but cannot be read as one (it may be "
            "damaged or cut short). Export the logo again and upload that.",
            "not_logo",
        )
    clean = _clean_copy(image)
    if clean.height > PNG_MAX_HEIGHT:
        width = max(1, round(clean.width * PNG_MAX_HEIGHT / clean.height))
        clean = clean.resize((width, PNG_MAX_HEIGHT), Image.Resampling.LANCZOS)
    return CheckedLogo("png", _encode(clean, "png"), clean.width, clean.height)


def _checked_svg(data):
    text = data.decode("utf-8", errors="replace")
    if "<?xml-stylesheet" in text:
        refuse(
            "This SVG asks for a style sheet from elsewhere (<?xml-stylesheet?>). Remove "
            "that line, or export the logo as plain SVG.",
            "svg_external",
        )
    try:
        root = fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise ValidationError(
            "This SVG declares entities or refers to other files in its XML, which is how "
            "such files are made to leak or to hang a server. Export the logo as plain SVG.",
            code="svg_external",
        ) from error
    except ParseError as error:
        raise ValidationError(
            "This file is not an SVG drawing the site can read (it may be damaged, or another "
            "kind of file named .svg). Export the logo as SVG or PNG and upload that.",
            code="not_logo",
        ) from error
    if root.tag != f"{SVG_NAMESPACE}svg":
        refuse(
            "This file is XML but not an SVG drawing. Export the logo as SVG or PNG.",
            "not_logo",
        )
    for element in root.iter():
        _check_element(element)
    width, height = _svg_size(root)
    return CheckedLogo("svg", data, width, height)


def _local(name):
    return name.rsplit("}", 1)[-1].lower() if isinstance(name, str) else ""


def _check_element(element):
    name = _local(element.tag)
    if name in FORBIDDEN_ELEMENTS:
        refuse(
            "This SVG contains a <%(element)s> element, which can run script or bring in "
            "other content. A logo needs none: remove it, or export the logo as plain SVG.",
            "svg_script",
            element=name,
        )
    if name == "style" and _fetches(element.text or ""):
        refuse(
            "This SVG's style sheet loads something from elsewhere (@import or url()). "
            "Remove that, or export the logo as plain SVG.",
            "svg_external",
        )
    for attribute, value in element.attrib.items():
        attribute = _local(attribute)
        if attribute.startswith("on"):
            refuse(
                "This SVG has an “%(attribute)s” attribute, which runs script. Remove it, or "
                "export the logo as plain SVG.",
                "svg_script",
                attribute=attribute,
            )
        if attribute == "href" and not value.strip().startswith("#"):
            refuse(
                "This SVG links to “%(address)s”. A logo may refer only to parts of itself "
                "(#…): embed nothing from elsewhere, and no pictures inside it.",
                "svg_external",
                address=value.strip()[:60],
            )
        if _fetches(value) or "javascript:" in value.lower().replace(" ", ""):
            refuse(
                "This SVG's “%(attribute)s” refers to something outside the drawing. A logo "
                "may refer only to parts of itself (url(#…)).",
                "svg_external",
                attribute=attribute,
            )


def _fetches(css):
    if "@import" in css.lower():
        return True
    return any(not target.startswith("#") for target in REFERENCE.findall(css))


def _svg_size(root):
    """Its drawn size from the viewBox, or from width and height in pixels."""
    view_box = root.get("viewBox", "").replace(",", " ").split()
    try:
        if len(view_box) == 4:
            width, height = float(view_box[2]), float(view_box[3])
        else:
            width, height = (
                float(NUMBER.match(root.get(side, "")).group(1)) for side in ("width", "height")
            )
    except (AttributeError, ValueError):
        width = height = 0
    if width <= 0 or height <= 0:
        refuse(
            "This SVG does not say its size (a viewBox, or width and height in pixels), so "
            "it cannot be fitted into the page. Export it again with a viewBox.",
            "svg_size",
        )
    scale = 1 if min(width, height) >= 1 else 1 / min(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def set_logo(identity, upload, *, checked=None):
    """Give the identity a new logo (or none) as checked above; the file it replaces goes
    once the change is committed. The identity itself is saved by the caller."""
    old = Identity.objects.filter(pk=identity.pk).values_list("logo", flat=True).first()
    if upload:
        checked = checked or check_logo(upload)
        identity.logo = ContentFile(checked.data, name=f"logo.{checked.extension}")
        identity.logo_width, identity.logo_height = checked.width, checked.height
    else:
        identity.logo = None
        identity.logo_width = identity.logo_height = None
    if old:
        release_stored_file(identity.logo.storage, old)
    return identity
