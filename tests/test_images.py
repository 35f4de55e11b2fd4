"""Lead images: accepted by content only, every piece of metadata removed, renditions reused."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import ExifTags, Image

from reports import uploads

from . import factories
from .test_admin import change_form

pytestmark = pytest.mark.django_db


def field_photo(width=400, height=200, fmt="JPEG"):
    """A photo as a camera writes it: GPS position, serial number, owner, time, orientation."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    image.paste((20, 20, 200), (0, 0, width // 2, height))  # left half blue: shows rotation
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # stored sideways: to be turned 90° clockwise
    exif[ExifTags.Base.BodySerialNumber] = "SN-4471-FIELD"
    exif[ExifTags.Base.Artist] = "Photographer Name"
    exif[ExifTags.Base.DateTimeOriginal] = "2023:11:02 07:15:00"
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (14.0, 30.0, 0.0),
        ExifTags.GPS.GPSLongitudeRef: "W",
        ExifTags.GPS.GPSLongitude: (4.0, 12.0, 0.0),
    }
    out = io.BytesIO()
    image.save(out, fmt, exif=exif)
    return out.getvalue()


def upload(data, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type)


def with_image(data, name="photo.jpg", **fields):
    report = factories.published_report()
    uploads.set_lead_image(report, upload(data, name))
    report.lead_image_alt = fields.pop("alt", "Displaced families waiting at a water point")
    for key, value in fields.items():
        setattr(report, key, value)
    report.full_clean()
    report.save()
    return report


def stored_images(report):
    storage = report.lead_image.storage
    return {name: storage.open(name).read() for name in report.image_names}


def test_the_photo_keeps_no_gps_serial_owner_or_time_in_any_stored_file():
    assert Image.open(io.BytesIO(field_photo())).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    report = with_image(field_photo())
    files = stored_images(report)
    assert len(files) >= 3  # the original and its renditions
    for name, data in files.items():
        image = Image.open(io.BytesIO(data))
        assert not image.getexif(), name
        assert "exif" not in image.info and "xmp" not in image.info, name
        assert b"SN-4471" not in data and b"Photographer" not in data, name


def test_the_photo_is_turned_the_right_way_up_before_its_metadata_goes():
    report = with_image(field_photo(width=400, height=200))
    image = Image.open(io.BytesIO(stored_images(report)[report.lead_image.name]))
    assert image.size == (200, 400)
    # Turned clockwise, the blue left half is now on top.
    assert image.convert("RGB").getpixel((100, 20))[2] > 150
    assert image.convert("RGB").getpixel((100, 380))[0] > 150


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted(fmt):
    report = with_image(field_photo(fmt=fmt), name=f"photo.{fmt.lower()}")
    assert report.lead_image.name.endswith("." + fmt.lower().replace("jpeg", "jpg"))


def test_renditions_are_made_once_and_served_in_a_responsive_picture(client):
    report = with_image(field_photo(width=2000, height=1000))
    widths = sorted({f["width"] for f in report.lead_image_renditions})
    assert widths == [480, 960, 1000]  # no rendition wider than the picture (1000 once turned)
    formats = {f["format"] for f in report.lead_image_renditions}
    assert formats == {"webp", "jpg"}
    names = list(report.image_names)
    report.title = "Retitled"
    report.save()
    assert list(report.image_names) == names  # saving again makes nothing new

    html = client.get(report.get_absolute_url()).content.decode()
    assert '<source type="image/webp" srcset="' in html
    assert 'alt="Displaced families waiting at a water point"' in html
    for rendition in report.lead_image_renditions:
        url = report.image_url(rendition["name"])
        assert url in html
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] in ("image/webp", "image/jpeg")


def test_caption_and_credit_are_shown():
    report = with_image(
        field_photo(),
        lead_image_caption="A water point near Mopti",
        lead_image_credit="A. Reporter",
    )
    html = Client().get(report.get_absolute_url()).content.decode()
    assert "A water point near Mopti" in html and "Photo: A. Reporter" in html


def test_an_image_needs_a_description():
    report = factories.published_report()
    report.lead_image = upload(field_photo())
    with pytest.raises(ValidationError) as error:
        report.full_clean()
    assert "lead_image_alt" in error.value.message_dict


def test_images_of_a_draft_are_404_for_the_public(client):
    report = with_image(field_photo(), status="draft")
    for name in report.image_names:
        assert client.get(report.image_url(name)).status_code == 404


def test_only_the_reports_own_images_are_served(client):
    report = with_image(field_photo())
    assert client.get(f"/reports/{report.slug}/images/other.jpg").status_code == 404
    assert client.get(f"/reports/{report.slug}/images/..%2Fsecret.jpg").status_code == 404


def truncated_jpeg():
    return field_photo()[:600]


def html_named_png():
    return b"<html><body><script>alert(1)</script></body></html>"


def svg_picture():
    return b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def png_picture(width, height):
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def gif_picture():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (svg_picture(), "map.svg", "not a picture the site can read"),
        (html_named_png(), "photo.png", "not a picture the site can read"),
        (truncated_jpeg(), "photo.jpg", "not a picture the site can read"),
        (gif_picture(), "photo.gif", "Only JPEG, PNG and WebP pictures are accepted"),
        (field_photo(width=300, height=300), "big.jpg", "the limit is"),
        (png_picture(1, 20_000), "strip.png", "1 × 20,000 pixels: one side is more than 10"),
        (png_picture(20_000, 1), "strip.png", "20,000 × 1 pixels: one side is more than 10"),
    ],
    ids=["svg", "html-named-png", "truncated-jpeg", "gif", "too-many-pixels", "tall", "wide"],
)
def test_a_refused_picture_shows_a_message_beside_the_field_and_saves_nothing(
    editor_client, settings, stored_files, data, name, message
):
    settings.IMAGE_MAX_PIXELS = 50_000
    report = factories.draft_report()
    report.authorships.create(author=factories.author())
    data_form = change_form(report, lead_image_alt="A description")
    data_form["lead_image"] = upload(data, name)
    response = editor_client.post(f"/admin/reports/report/{report.pk}/change/", data_form)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors.get("lead_image", [])), errors
    report.refresh_from_db()
    assert not report.lead_image
    assert stored_files() == []


def test_a_pixel_bomb_beyond_pillows_own_guard_is_a_message_not_a_crash(settings):
    settings.IMAGE_MAX_PIXELS = 10**12  # only Pillow's decompression-bomb guard is left
    original = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = 1000
    try:
        with pytest.raises(ValidationError) as error:
            uploads.check_image(upload(field_photo(width=200, height=200)))
        assert "lead_image" in error.value.message_dict
    finally:
        Image.MAX_IMAGE_PIXELS = original


def rendition_sizes(report):
    """(format, width, height) of every stored rendition, read from the stored file itself."""
    storage = report.lead_image.storage
    sizes = []
    for rendition in report.lead_image_renditions:
        with Image.open(storage.open(rendition["name"])) as image:
            assert image.size == (rendition["width"], rendition["height"])
            sizes.append((rendition["format"], *image.size))
    return sorted(sizes)


def test_a_panorama_ten_times_wider_than_tall_is_accepted_with_every_rendition(client):
    report = with_image(png_picture(4000, 400), name="panorama.png")
    assert rendition_sizes(report) == [
        (fmt, width, width // 10) for fmt in ("jpg", "webp") for width in (480, 960, 1600)
    ]
    assert client.get(report.get_absolute_url()).status_code == 200


def test_a_small_tall_picture_is_its_own_only_rendition():
    report = with_image(png_picture(60, 600), name="tall.png")
    assert rendition_sizes(report) == [("jpg", 60, 600), ("webp", 60, 600)]


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        # Taller than WebP can hold at the picture's own width: scaled down to fit.
        ((1, 20_000), [(1, 16_383)]),
        ((3, 40_000), [(1, 16_383)]),
        # So wide that a rendition's height rounds to nothing: one pixel high.
        ((20_000, 1), [(480, 1), (960, 1), (1600, 1)]),
    ],
    ids=["tall", "taller", "wide"],
)
def test_where_any_shape_is_allowed_renditions_stay_within_webp_and_never_vanish(
    client, settings, size, expected
):
    settings.IMAGE_MAX_ASPECT_RATIO = 100_000
    report = with_image(png_picture(*size), name="strip.png")
    stored = Image.open(io.BytesIO(stored_images(report)[report.lead_image.name]))
    assert stored.size == size  # the original is kept whole, as a PNG
    assert rendition_sizes(report) == sorted(
        (fmt, width, height) for fmt in ("jpg", "webp") for width, height in expected
    )
    assert client.get(report.get_absolute_url()).status_code == 200
