"""Lead images: checked by content, stripped of every piece of metadata, made into renditions.

Photographs from the field can betray the people who took them or appear in them: GPS
position, camera serial number, times, owner names. None of that is kept, in the original or
any rendition. The picture's orientation is applied first, so it still stands the right way.
"""

import io
import warnings
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, ImageOps

from genocidewatch.storedfiles import Folder, new_name

ACCEPTED = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
RENDITION_WIDTHS = (480, 960, 1600)
RENDITION_FORMATS = ("webp", "jpg")
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
# WebP cannot hold a picture with a side longer than this; every rendition is made in WebP.
WEBP_MAX_SIDE = 16_383


@dataclass
class Rendition:
    format: str
    width: int
    height: int
    data: bytes


@dataclass
class ProcessedImage:
    width: int
    height: int
    extension: str
    original: bytes
    renditions: list = field(default_factory=list)  # [Rendition, …], narrowest first


def refuse(message, code, **params):
    raise ValidationError(message, code=code, params=params or None)


def _open(data):
    limit = settings.IMAGE_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            # Pillow's guard against decompression bombs warns first; here it is an error.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED:
                refuse(
                    "Only JPEG, PNG and WebP pictures are accepted; this file is %(kind)s.",
                    "not_image",
                    kind=image.format or "something else",
                )
            if image.width * image.height > limit:
                refuse(
                    "This picture has %(pixels)s million pixels; the limit is %(limit)s million. "
                    "Save a smaller copy and upload that.",
                    "too_many_pixels",
                    pixels=round(image.width * image.height / 1e6, 1),
                    limit=round(limit / 1e6, 1),
                )
            image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        refuse("This picture is too large to open safely.", "too_many_pixels", limit=limit)
    except (OSError, SyntaxError, ValueError) as error:
        raise ValidationError(
            "This file is not a picture the site can read (it may be damaged, cut short, or "
            "another kind of file with a picture's name). Upload a JPEG, PNG or WebP photo.",
            code="not_image",
        ) from error
    return image


def _check_shape(image):
    """A strip many times longer than it is wide is no picture to head a report with."""
    long_side, short_side = max(image.size), min(image.size)
    ratio = settings.IMAGE_MAX_ASPECT_RATIO
    if long_side > ratio * short_side:
        refuse(
            "This picture is %(width)s × %(height)s pixels: one side is more than %(ratio)s "
            "times as long as the other, too thin a strip to show at the top of a report. "
            "Crop it closer to a photograph's shape and upload it again.",
            "extreme_shape",
            width=f"{image.width:,}",
            height=f"{image.height:,}",
            ratio=ratio,
        )


def rendition_size(width, height, target_width):
    """The size of a rendition about `target_width` wide, never wider than the picture.

    Kept within WebP's limit on either side, and at least one pixel each way: a very wide
    picture's height would otherwise round to nothing.
    """
    scale = min(target_width / width, 1, WEBP_MAX_SIDE / width, WEBP_MAX_SIDE / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _clean_copy(image):
    """The pixels alone, the right way up: no EXIF, XMP, IPTC, comments or profiles."""
    upright = ImageOps.exif_transpose(image)
    mode = "RGBA" if upright.mode in ("RGBA", "LA", "P") else "RGB"
    upright = upright.convert(mode)
    return Image.frombytes(upright.mode, upright.size, upright.tobytes())


def _encode(image, fmt):
    out = io.BytesIO()
    if fmt == "jpg":
        if image.mode != "RGB":
            background = Image.new("RGB", image.size, "white")
            background.paste(image, mask=image.getchannel("A") if "A" in image.mode else None)
            image = background
        image.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    elif fmt == "png":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=80, method=4)
    return out.getvalue()


def process_image(file):
    file.seek(0)
    data = file.read()
    if not data:
        raise ValidationError("The file is empty. Choose the picture again.", code="empty")
    clean = _clean_copy(_open(data))
    _check_shape(clean)
    extension = ACCEPTED[Image.open(io.BytesIO(data)).format]
    processed = ProcessedImage(
        width=clean.width,
        height=clean.height,
        extension=extension,
        original=_encode(clean, extension),
    )
    sizes = []
    for width in RENDITION_WIDTHS:
        size = rendition_size(clean.width, clean.height, width)
        if size not in sizes:
            sizes.append(size)
        if width >= clean.width:
            break  # the picture's own width is the largest rendition then
    for size in sizes:
        resized = clean.resize(size, Image.Resampling.LANCZOS)
        for fmt in RENDITION_FORMATS:
            processed.renditions.append(Rendition(fmt, *size, _encode(resized, fmt)))
    return processed


def image_storage_name(instance, filename):
    # Only the clean copy made by `process_image` is stored, always under its own format.
    return new_name(Folder.IMAGES, filename.rsplit(".", 1)[-1] if "." in filename else "bin")
