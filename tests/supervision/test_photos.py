"""The photo pipeline, fed only with files built here with Pillow, so every input is known byte for byte."""

import io
import random
import struct
import zlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pillow_heif
import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile, UploadedFile
from django.utils import translation
from PIL import ExifTags, Image, ImageCms, ImageDraw

from renovation.files.photos import PhotoRejected, ProcessedPhoto, process_photo, validate_photos

SHANGHAI = ZoneInfo("Asia/Shanghai")
RED = (255, 0, 0)
BLUE = (0, 0, 255)
# What a phone writes in its GPS block: 31°14'5"N 121°28'0"E, central Shanghai.
GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (31.0, 14.0, 5.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (121.0, 28.0, 0.0),
}


def _halves(size: tuple[int, int], left: tuple[int, int, int], right: tuple[int, int, int]) -> Image.Image:
    image = Image.new("RGB", size, left)
    ImageDraw.Draw(image).rectangle((size[0] // 2, 0, size[0], size[1]), fill=right)
    return image


def _encode(image: Image.Image, image_format: str = "JPEG", **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def _phone_exif(*, orientation: int = 1, taken: str | None = "2024:05:01 09:30:00") -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "Phone"
    if taken is not None:
        exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = taken
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
    return exif


def _upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def _jpeg_upload(size: tuple[int, int] = (120, 80), name: str = "photo.jpg") -> SimpleUploadedFile:
    return _upload(_encode(_halves(size, RED, BLUE)), name)


def _opened(file: ContentFile) -> Image.Image:
    file.seek(0)
    image = Image.open(io.BytesIO(file.read()))
    image.load()
    return image


def _jpeg_segments(data: bytes) -> list[int]:
    """Marker codes of every segment before the image data (APPn, COM, DQT, SOF, DHT ...)."""
    assert data[:2] == b"\xff\xd8"
    markers, position = [], 2
    while data[position] == 0xFF and data[position + 1] != 0xDA:
        markers.append(data[position + 1])
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        position += 2 + length
    return markers


def _png_claiming(width: int, height: int) -> bytes:
    """A valid 1×1 PNG whose header (with a correct CRC) claims another size."""
    data = bytearray(_encode(Image.new("L", (1, 1)), "PNG"))
    # Signature (8) + IHDR length (4) + b"IHDR" (4), then width, height, and the CRC over type + data.
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def _rejection(upload: UploadedFile) -> PhotoRejected:
    with pytest.raises(PhotoRejected) as error:
        process_photo(upload)
    return error.value


def _is_close(pixel: tuple[int, ...], expected: tuple[int, int, int], tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, expected, strict=True))


# Turning upright and stripping


def test_it_turns_a_phone_photo_upright_by_its_exif_orientation() -> None:
    # Stored 120×80, red on the left; orientation 6 means "rotate 90° clockwise to view", so the
    # viewer sees 80×120 with red on top.
    data = _encode(_halves((120, 80), RED, BLUE), exif=_phone_exif(orientation=6))
    photo = process_photo(_upload(data))
    image = _opened(photo.display)
    assert (photo.width, photo.height) == image.size == (80, 120)
    assert _is_close(image.getpixel((40, 10)), RED)
    assert _is_close(image.getpixel((40, 110)), BLUE)


def test_it_keeps_no_metadata_at_all_gps_above_all() -> None:
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>31,14.08N</exif:GPSLatitude></x:xmpmeta>'
    data = _encode(
        _halves((120, 80), RED, BLUE),
        exif=_phone_exif(orientation=6),
        icc_profile=icc,
        xmp=xmp,
        comment=b"GPS 31.2347N 121.4667E",
    )
    # The input really carries all of it: APP1 (EXIF, XMP), APP2 (ICC), COM.
    assert {0xE1, 0xE2, 0xFE} <= set(_jpeg_segments(data))
    assert b"GPS" in data
    photo = process_photo(_upload(data))
    for output in (photo.display, photo.thumbnail):
        output.seek(0)
        written = output.read()
        image = _opened(output)
        assert not image.getexif()
        assert not {"exif", "icc_profile", "xmp", "comment"} & image.info.keys()
        assert b"Exif\x00\x00" not in written
        assert b"GPS" not in written
        # Only JFIF's APP0 (0xE0) among the application and comment segments: no APP1 (EXIF, XMP),
        # no APP2 (ICC), no COM (0xFE).
        assert {m for m in _jpeg_segments(written) if 0xE0 <= m <= 0xEF or m == 0xFE} == {0xE0}


@pytest.mark.parametrize(
    "exif_ifd, ifd0, expected",
    [
        ({ExifTags.Base.DateTimeOriginal: "2024:05:01 09:30:00"}, {}, datetime(2024, 5, 1, 9, 30, tzinfo=SHANGHAI)),
        (
            {ExifTags.Base.DateTimeOriginal: "2024:05:01 09:30:00", ExifTags.Base.OffsetTimeOriginal: "+02:00"},
            {},
            datetime(2024, 5, 1, 15, 30, tzinfo=SHANGHAI),
        ),
        ({}, {ExifTags.Base.DateTime: "2023:12:31 23:59:59"}, datetime(2023, 12, 31, 23, 59, 59, tzinfo=SHANGHAI)),
        (
            {ExifTags.Base.DateTimeOriginal: "0000:00:00 00:00:00"},
            {ExifTags.Base.DateTime: "2023:12:31 08:00:00"},
            datetime(2023, 12, 31, 8, 0, tzinfo=SHANGHAI),
        ),
        ({ExifTags.Base.DateTimeOriginal: "    :  :     :  :  "}, {}, None),
        ({}, {}, None),
        # A reset or broken clock: no capture time, and no OverflowError (a 500 on the upload).
        ({ExifTags.Base.DateTimeOriginal: "0001:01:01 00:00:00", ExifTags.Base.OffsetTimeOriginal: "+14:00"}, {}, None),
        ({ExifTags.Base.DateTimeOriginal: "9999:12:31 23:59:59", ExifTags.Base.OffsetTimeOriginal: "-12:00"}, {}, None),
        ({ExifTags.Base.DateTimeOriginal: "0001:01:01 00:00:00"}, {}, None),
    ],
    ids=[
        "original",
        "original-with-offset",
        "datetime-fallback",
        "blank-original",
        "blanks",
        "none",
        "year-one-east",
        "year-9999-west",
        "year-one",
    ],
)
def test_it_reads_when_the_photo_was_taken_in_the_site_time_zone(
    exif_ifd: dict[int, str], ifd0: dict[int, str], expected: datetime | None
) -> None:
    exif = Image.Exif()
    exif.update(ifd0)
    exif.get_ifd(ExifTags.IFD.Exif).update(exif_ifd)
    photo = process_photo(_upload(_encode(_halves((40, 30), RED, BLUE), exif=exif)))
    assert photo.taken_at == expected
    if expected is not None:
        assert photo.taken_at.tzinfo is not None
        assert photo.taken_at.utcoffset() == expected.utcoffset()


def test_it_reads_the_capture_time_of_a_full_phone_photo() -> None:
    photo = process_photo(_upload(_encode(_halves((120, 80), RED, BLUE), exif=_phone_exif(orientation=6))))
    assert photo.taken_at == datetime(2024, 5, 1, 9, 30, tzinfo=SHANGHAI)
    assert str(photo.taken_at.tzinfo) == "Asia/Shanghai"


def _exif_with_text_resolution() -> bytes:
    """Orientation 6 beside an XResolution stored as text: enough to make ImageOps.exif_transpose
    raise TypeError when it rewrites the block without the orientation."""
    entries = struct.pack("<HHI", ExifTags.Base.Orientation, 3, 1) + struct.pack("<H", 6).ljust(4, b"\0")
    entries += struct.pack("<HHI", ExifTags.Base.XResolution, 2, 4) + b"abc\0"
    return b"Exif\0\0II*\0" + struct.pack("<IH", 8, 2) + entries + struct.pack("<I", 0)


def test_it_takes_a_photo_whose_exif_is_malformed_and_still_turns_it_upright() -> None:
    photo = process_photo(_upload(_encode(_halves((120, 80), RED, BLUE), exif=_exif_with_text_resolution())))
    image = _opened(photo.display)
    assert image.size == (80, 120)
    assert _is_close(image.getpixel((40, 10)), RED)


@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow warns about the tags it skips
def test_it_never_refuses_a_photo_for_its_exif() -> None:
    rng = random.Random(36867)
    exif = _phone_exif(orientation=6).tobytes()
    for _ in range(150):
        mangled = bytearray(exif)
        for _ in range(rng.randint(1, 4)):
            mangled[rng.randrange(6, len(mangled))] = rng.randrange(256)
        photo = process_photo(_upload(_encode(Image.new("RGB", (30, 20), RED), exif=bytes(mangled))))
        assert {photo.width, photo.height} == {20, 30}


# Sizes and names


@pytest.mark.parametrize(
    "stored, display, thumbnail",
    [
        ((4000, 3000), (1600, 1200), (400, 300)),
        ((3000, 4000), (1200, 1600), (300, 400)),
        ((300, 200), (300, 200), (300, 200)),
    ],
)
def test_it_makes_a_display_image_and_a_thumbnail_within_their_edges_never_enlarging(
    stored: tuple[int, int], display: tuple[int, int], thumbnail: tuple[int, int]
) -> None:
    photo = process_photo(_jpeg_upload(stored))
    display_image, thumbnail_image = _opened(photo.display), _opened(photo.thumbnail)
    assert display_image.format == thumbnail_image.format == "JPEG"
    assert display_image.mode == thumbnail_image.mode == "RGB"
    assert display_image.size == (photo.width, photo.height) == display
    assert thumbnail_image.size == thumbnail


def test_it_follows_the_edge_settings(settings) -> None:
    settings.PHOTO_DISPLAY_EDGE = 1000
    settings.PHOTO_THUMBNAIL_EDGE = 128
    photo = process_photo(_jpeg_upload((4000, 3000)))
    assert (photo.width, photo.height) == (1000, 750)
    assert _opened(photo.thumbnail).size == (128, 96)


def test_it_names_outputs_by_a_fresh_uuid_and_keeps_the_users_name_for_messages() -> None:
    first = process_photo(_jpeg_upload(name="../../我的照片.jpg"))
    second = process_photo(_jpeg_upload(name="IMG_0001.jpg"))
    stem = first.display.name.removesuffix(".jpg")
    assert len(stem) == 32 and int(stem, 16) >= 0
    assert first.thumbnail.name == f"{stem}_thumb.jpg"
    assert second.display.name != first.display.name
    assert second.name == "IMG_0001.jpg"


# Formats we take


def test_it_converts_a_heic_from_an_iphone_to_jpeg() -> None:
    pillow_heif.register_heif_opener()
    if not pillow_heif.libheif_info().get("HEIF"):
        pytest.skip("this libheif has no HEVC encoder, so no HEIC can be written for the test")
    # Orientation 6 is written as a HEIF rotation (irot), which libheif applies when decoding.
    data = _encode(_halves((64, 32), RED, BLUE), "HEIF", exif=_phone_exif(orientation=6).tobytes())
    photo = process_photo(_upload(data, "IMG_1234.HEIC", "image/heic"))
    image = _opened(photo.display)
    assert image.format == "JPEG"
    assert image.size == (32, 64)
    assert _is_close(image.getpixel((16, 5)), RED, tolerance=60)
    assert _is_close(image.getpixel((16, 58)), BLUE, tolerance=60)
    assert not image.getexif()
    assert photo.taken_at == datetime(2024, 5, 1, 9, 30, tzinfo=SHANGHAI)


def _transparent_png(mode: str) -> bytes:
    """40×40, transparent but for an opaque dark square in the middle."""
    if mode == "P":
        image = Image.new("P", (40, 40), 0)
        image.putpalette([0, 0, 0, 200, 0, 0])
        ImageDraw.Draw(image).rectangle((15, 15, 25, 25), fill=1)
        return _encode(image, "PNG", transparency=0)
    transparent, opaque = {"RGBA": ((0, 0, 0, 0), (200, 0, 0, 255)), "LA": ((0, 0), (60, 255))}[mode]
    image = Image.new(mode, (40, 40), transparent)
    ImageDraw.Draw(image).rectangle((15, 15, 25, 25), fill=opaque)
    return _encode(image, "PNG")


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P"])
def test_it_flattens_transparency_onto_white(mode: str) -> None:
    photo = process_photo(_upload(_transparent_png(mode), "drawing.png", "image/png"))
    result = _opened(photo.display)
    assert result.mode == "RGB"
    # Transparent black would come out black if the alpha were simply dropped.
    assert _is_close(result.getpixel((2, 2)), (255, 255, 255), tolerance=10)
    assert not _is_close(result.getpixel((20, 20)), (255, 255, 255), tolerance=60)


def test_it_keeps_16_bit_grey_pngs_grey_instead_of_white() -> None:
    grey = Image.new("I;16", (40, 40), 32768)
    photo = process_photo(_upload(_encode(grey, "PNG"), "scan.png", "image/png"))
    assert _is_close(_opened(photo.display).getpixel((20, 20)), (128, 128, 128), tolerance=4)


@pytest.mark.parametrize("mode", ["L", "CMYK"])
def test_it_converts_grey_and_cmyk_jpegs_to_rgb_while_scaling_them_in_the_decoder(settings, mode: str) -> None:
    settings.PHOTO_DISPLAY_EDGE = 400  # 1600×1200 decodes at 1/4 scale
    image = _halves((1600, 1200), RED, BLUE).convert(mode)
    photo = process_photo(_upload(_encode(image)))
    result = _opened(photo.display)
    assert (result.mode, result.size) == ("RGB", (400, 300))


def test_it_accepts_webp() -> None:
    data = _encode(_halves((300, 200), RED, BLUE), "WEBP", quality=80)
    photo = process_photo(_upload(data, "photo.webp", "image/webp"))
    assert _opened(photo.display).size == (300, 200)


def test_it_accepts_a_multi_picture_jpeg_and_keeps_only_the_first_picture() -> None:
    # Several phones write MPO (a JPEG followed by more JPEGs); Pillow reports it as "MPO".
    first, second = Image.new("RGB", (60, 40), RED), Image.new("RGB", (60, 40), BLUE)
    data = _encode(first, "MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(data)).format == "MPO"
    photo = process_photo(_upload(data))
    assert _is_close(_opened(photo.display).getpixel((30, 20)), RED)


def test_it_reads_large_uploads_that_django_spooled_to_a_temporary_file() -> None:
    # Anything over FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB), i.e. most phone photos, arrives this way.
    data = _encode(_halves((200, 100), RED, BLUE))
    upload = TemporaryUploadedFile("photo.jpg", "image/jpeg", len(data), None)
    try:
        upload.write(data)
        photo = process_photo(upload)
        assert (photo.width, photo.height) == (200, 100)
        assert upload.read() == data
    finally:
        upload.close()


def test_it_leaves_the_upload_readable_from_the_start() -> None:
    good, bad = _jpeg_upload(), _upload(_encode(_halves((120, 80), RED, BLUE))[:300])
    process_photo(good)
    _rejection(bad)
    assert good.read() == _encode(_halves((120, 80), RED, BLUE))
    assert len(bad.read()) == 300


# Refusals


def test_it_refuses_a_file_over_the_size_limit_before_reading_it(settings) -> None:
    settings.PHOTO_MAX_UPLOAD_BYTES = 1024 * 1024
    # Not an image at all: refusing it as "too large" shows the size was checked before decoding.
    refusal = _rejection(_upload(b"x" * (1024 * 1024 + 1), "IMG_2024.jpg"))
    assert refusal.code == "photo_too_large"
    assert "IMG_2024.jpg" in refusal.messages[0]
    assert "1 MB" in refusal.messages[0]


def test_it_refuses_a_header_claiming_400_megapixels_without_decoding() -> None:
    # Pillow itself refuses this one (over twice its own limit) while opening.
    refusal = _rejection(_upload(_png_claiming(20_000, 20_000), "bomb.png", "image/png"))
    assert refusal.code == "photo_too_many_pixels"
    assert "bomb.png" in refusal.messages[0]


def test_it_refuses_an_image_over_the_pixel_limit_from_its_header() -> None:
    # 48 megapixels: under Pillow's own limit, over ours. A valid 1×1 image behind the header would
    # decode as "damaged", so "too many pixels" shows the refusal came before any decoding.
    refusal = _rejection(_upload(_png_claiming(8000, 6000), "panorama.png", "image/png"))
    assert refusal.code == "photo_too_many_pixels"
    assert "panorama.png" in refusal.messages[0]
    assert "48" in refusal.messages[0]
    assert "40" in refusal.messages[0]


def test_it_refuses_a_real_48_megapixel_png() -> None:
    refusal = _rejection(_upload(_encode(Image.new("1", (8000, 6000)), "PNG"), "real.png", "image/png"))
    assert refusal.code == "photo_too_many_pixels"


@pytest.mark.filterwarnings("error::PIL.Image.DecompressionBombWarning")
def test_it_refuses_pillows_decompression_bomb_warning_when_warnings_are_errors() -> None:
    refusal = _rejection(_upload(_png_claiming(10_000, 10_000), "warned.png", "image/png"))
    assert refusal.code == "photo_too_many_pixels"
    assert "warned.png" in refusal.messages[0]


def test_it_refuses_a_truncated_jpeg_as_damaged() -> None:
    noise = Image.effect_noise((640, 480), 64).convert("RGB")
    data = _encode(noise, quality=90)
    refusal = _rejection(_upload(data[: len(data) // 2], "cut.jpg"))
    assert refusal.code == "photo_damaged"
    assert "cut.jpg" in refusal.messages[0]


def test_it_refuses_a_truncated_heic_as_damaged_not_as_foreign() -> None:
    pillow_heif.register_heif_opener()
    if not pillow_heif.libheif_info().get("HEIF"):
        pytest.skip("this libheif has no HEVC encoder, so no HEIC can be written for the test")
    data = _encode(_halves((64, 32), RED, BLUE), "HEIF")
    refusal = _rejection(_upload(data[: len(data) // 2], "IMG_1.HEIC", "image/heic"))
    assert refusal.code == "photo_damaged"


def test_it_refuses_a_text_file_named_like_a_photo() -> None:
    refusal = _rejection(_upload(b"Not a photo, just notes from the site visit.\n" * 20, "photo.jpg"))
    assert refusal.code == "photo_unreadable"
    assert "photo.jpg" in refusal.messages[0]


def test_it_refuses_an_svg() -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'
    refusal = _rejection(_upload(svg, "drawing.svg", "image/svg+xml"))
    assert refusal.code == "photo_unreadable"
    assert "drawing.svg" in refusal.messages[0]


@pytest.mark.parametrize("image_format", ["GIF", "BMP", "TIFF", "PDF", "ICO"])
def test_it_refuses_real_images_in_formats_we_do_not_take_whatever_their_name(image_format: str) -> None:
    data = _encode(_halves((64, 64), RED, BLUE), image_format)
    refusal = _rejection(_upload(data, "photo.jpg"))
    assert refusal.code == "photo_unreadable"


def test_it_refuses_avif() -> None:
    try:
        data = _encode(_halves((64, 64), RED, BLUE), "AVIF")
    except (KeyError, OSError) as error:
        pytest.skip(f"this Pillow cannot write AVIF: {error}")
    assert _rejection(_upload(data, "photo.avif")).code == "photo_unreadable"


def test_it_turns_mangled_bytes_into_a_refusal_never_a_crash() -> None:
    rng = random.Random(20240501)
    image = _halves((96, 64), RED, BLUE)
    originals = [_encode(image), _encode(image, progressive=True), _encode(image, "PNG"), _encode(image, "WEBP")]
    for original in originals:
        for _ in range(40):
            mangled = bytearray(original)
            for _ in range(rng.randint(1, 8)):
                mangled[rng.randrange(len(mangled))] = rng.randrange(256)
            try:
                assert isinstance(process_photo(_upload(bytes(mangled))), ProcessedPhoto)
            except PhotoRejected as refusal:
                assert "photo.jpg" in refusal.messages[0]


# A set of photos


def test_it_asks_for_at_least_one_photo() -> None:
    with translation.override("en"), pytest.raises(ValidationError) as error:
        validate_photos([])
    assert error.value.code == "too_few_photos"
    assert error.value.messages == ["Add at least 1 photo."]


def test_it_refuses_more_photos_than_the_maximum() -> None:
    with translation.override("en"), pytest.raises(ValidationError) as error:
        validate_photos([_jpeg_upload(name=f"{n}.jpg") for n in range(10)])
    assert error.value.code == "too_many_photos"
    assert error.value.messages == ["Add at most 9 photos."]


def test_it_honours_a_custom_minimum_and_maximum() -> None:
    with pytest.raises(ValidationError) as error:
        validate_photos([_jpeg_upload()], minimum=2, maximum=3)
    assert "2" in error.value.messages[0]
    assert len(validate_photos([_jpeg_upload(), _jpeg_upload()], minimum=2, maximum=3)) == 2


def test_it_processes_every_photo_of_a_good_set_in_order() -> None:
    photos = validate_photos([_jpeg_upload(name="a.jpg"), _jpeg_upload(name="b.jpg")])
    assert [photo.name for photo in photos] == ["a.jpg", "b.jpg"]


def test_it_refuses_the_whole_set_naming_every_bad_file() -> None:
    uploads = [
        _jpeg_upload(name="good-1.jpg"),
        _upload(b"hello", "notes.jpg"),
        _jpeg_upload(name="good-2.jpg"),
        _upload(_png_claiming(20_000, 20_000), "bomb.png"),
    ]
    with pytest.raises(ValidationError) as error:
        validate_photos(uploads)
    messages = error.value.messages
    assert len(messages) == 2
    assert "notes.jpg" in messages[0]
    assert "bomb.png" in messages[1]
    assert not any("good" in message for message in messages)
