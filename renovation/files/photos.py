"""Photos from phones and cameras (site issues, progress reports): refuse what we cannot trust,
keep only upright pixels.

Every accepted photo is decoded in full and re-encoded from its pixels, so whatever a phone wrote
beside them (GPS above all, but also maker notes, XMP, ICC profiles, comments, embedded thumbnails,
the second frame of an MPO) is gone by construction rather than by a list of tags to delete.
Processing touches neither the disk nor the database; callers store the two ``ContentFile``s in
private storage, and once the photo may be shown to anyone, ``public_copy`` gives each a copy in
the public storage under a new random name (the private names are never revealed).
"""

from __future__ import annotations

import struct
import uuid
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import PurePath

import pillow_heif
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

# Once per process; Pillow then identifies HEIC by its content like any other format.
pillow_heif.register_heif_opener()

# Pillow tries only these openers, so no parser for a format we refuse (TIFF, GIF, PSD, EPS, ...)
# ever runs on a stranger's bytes, and a refused format is simply "not identified".
_OPENERS = ("JPEG", "PNG", "WEBP", "HEIF")
# The JPEG opener hands back "MPO" for the multi-picture JPEGs many phones write.
_JPEG_FORMATS = frozenset({"JPEG", "MPO"})
# What Pillow's own fuzzing accepts as "bad input" rather than a bug (Pillow Tests/test_fuzzers.py).
_DAMAGE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, NotImplementedError, OverflowError)
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1"})
_PIXEL_INFO = frozenset({"transparency"})
_MEBIBYTE = 1024 * 1024


@dataclass(frozen=True)
class ProcessedPhoto:
    name: str  # the uploader's own file name, for messages only; never used as a storage path
    display: ContentFile
    thumbnail: ContentFile
    width: int
    height: int
    taken_at: datetime | None


class PhotoRejected(ValidationError):
    """One file we will not keep. The message names the file so a list of them reads on its own."""


# Capture times outside these years are a camera's nonsense, not a date to show.
PLAUSIBLE_YEARS = (1990, 2200)


def _setting(name: str, default: int) -> int:
    # Read at call time so override_settings works and the pipeline runs before settings name these.
    return getattr(settings, name, default)


def process_photo(upload: UploadedFile) -> ProcessedPhoto:
    """Check one upload and turn it into a display JPEG and a thumbnail, both without metadata."""
    name = upload.name or ""
    size_limit = _setting("PHOTO_MAX_UPLOAD_BYTES", 15 * _MEBIBYTE)
    # upload.size is counted by Django's upload handlers from the bytes received, not sent by the client.
    if upload.size is not None and upload.size > size_limit:
        raise PhotoRejected(
            _("“%(name)s” is larger than %(limit)s MB."),
            code="photo_too_large",
            params={"name": name, "limit": _number(size_limit / _MEBIBYTE)},
        )
    display_edge = _setting("PHOTO_DISPLAY_EDGE", 1600)
    upload.seek(0)
    try:
        upright, taken_at = _decode_upright(upload, name=name, edge=display_edge)
    finally:
        # The caller may still save or re-read the original; leave it as we found a fresh upload.
        upload.seek(0)
    display = _fit_within(_flatten_to_rgb(upright), display_edge)
    # From the display image, not the original: a fraction of the pixels, and the same look.
    thumbnail = _fit_within(display, _setting("PHOTO_THUMBNAIL_EDGE", 400))
    stem = uuid.uuid4().hex
    return ProcessedPhoto(
        name=name,
        display=ContentFile(_encode_jpeg(display), name=f"{stem}.jpg"),
        thumbnail=ContentFile(_encode_jpeg(thumbnail), name=f"{stem}_thumb.jpg"),
        width=display.width,
        height=display.height,
        taken_at=taken_at,
    )


def validate_photos(uploads: list[UploadedFile], *, minimum: int = 1, maximum: int = 9) -> list[ProcessedPhoto]:
    """Process every upload; if any is refused, refuse them all with every file's reason at once.

    All or nothing, so a form never saves half a report; all reasons at once, so a supervisor on a
    phone fixes every bad photo in one go instead of discovering them one submit at a time.
    """
    count = len(uploads)
    # Counted before any decoding: there is no point processing 30 photos to refuse the lot.
    if count < minimum:
        raise ValidationError(
            ngettext("Add at least %(minimum)s photo.", "Add at least %(minimum)s photos.", minimum),
            code="too_few_photos",
            params={"minimum": minimum},
        )
    if count > maximum:
        raise ValidationError(
            ngettext("Add at most %(maximum)s photo.", "Add at most %(maximum)s photos.", maximum),
            code="too_many_photos",
            params={"maximum": maximum},
        )
    processed: list[ProcessedPhoto] = []
    refusals: list[ValidationError] = []
    for upload in uploads:
        try:
            processed.append(process_photo(upload))
        except PhotoRejected as refusal:
            refusals.append(refusal)
    if refusals:
        raise ValidationError(refusals)
    return processed


def public_copy(field_file: FieldFile, *, folder: str) -> str:
    """Copy a private photo to the public storage under a new random name; returns the stored name.

    The bytes are the private file's own, already re-encoded without metadata by ``process_photo``.
    """
    suffix = PurePath(field_file.name).suffix or ".jpg"
    with field_file.open("rb") as handle:
        return default_storage.save(f"{folder.strip('/')}/{uuid.uuid4().hex}{suffix}", handle)


def _decode_upright(upload: UploadedFile, *, name: str, edge: int) -> tuple[Image.Image, datetime | None]:
    """Identify, bound, fully decode and turn upright; every failure becomes a message naming the file."""
    try:
        with Image.open(upload, formats=_OPENERS) as opened:
            # From the header alone, before a single pixel is decoded or allocated.
            _refuse_too_many_pixels(opened.size, name)
            # JPEG only: for HEIF, draft() swaps in the file's embedded thumbnail, which is checked for
            # size but not for showing the same picture as the photo.
            if opened.format in _JPEG_FORMATS:
                opened.draft("RGB", _draft_request(opened.size, edge))
            # Forces the whole file through the decoder; with ImageFile.LOAD_TRUNCATED_IMAGES left
            # False, a cut-off upload fails here instead of being stored half grey.
            opened.load()
            # Parsed once and cached on the image: the orientation (from EXIF or XMP) and the capture time.
            exif = opened.getexif()
            taken_at = _taken_at(exif)
            # Metadata stops here. exif_transpose still turns by the cached orientation, but no longer
            # re-serialises the rest of the EXIF block, which raises TypeError on some malformed ones
            # (an XResolution stored as text). Only "transparency" describes pixels, so it stays.
            opened.info = {key: value for key, value in opened.info.items() if key in _PIXEL_INFO}
            return ImageOps.exif_transpose(opened), taken_at
    except UnidentifiedImageError as error:
        raise _unreadable_or_damaged(upload, name) from error
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        # Pillow refuses far larger images than our limit while opening, before we see the size;
        # the warning only arrives as an exception where warnings are errors (e.g. python -W error).
        raise PhotoRejected(
            _("“%(name)s” is too large in pixels (the limit is %(limit)s megapixels)."),
            code="photo_too_many_pixels",
            params={"name": name, "limit": _number(_setting("PHOTO_MAX_PIXELS", 40_000_000) / 1e6)},
        ) from error
    except _DAMAGE_ERRORS as error:
        raise _damaged(name) from error


def _refuse_too_many_pixels(size: tuple[int, int], name: str) -> None:
    limit = _setting("PHOTO_MAX_PIXELS", 40_000_000)
    pixels = size[0] * size[1]
    if pixels > limit:
        raise PhotoRejected(
            _("“%(name)s” is too large in pixels (%(pixels)s megapixels; the limit is %(limit)s)."),
            code="photo_too_many_pixels",
            params={"name": name, "pixels": _number(pixels / 1e6), "limit": _number(limit / 1e6)},
        )


def _draft_request(size: tuple[int, int], edge: int) -> tuple[int, int]:
    """The size to ask the JPEG decoder for so that it scales down in the DCT as far as is safe.

    Pillow picks the largest 1/2, 1/4, 1/8 scale that keeps *both* sides at least the requested
    size, so asking for (edge, edge) never scales a 4:3 photo at all (3000 // 1600 == 1). Asking for
    the display image's own shape lets a 4000×3000 photo decode at 2000×1500 instead.
    """
    width, height = size
    longest = max(width, height, 1)
    if longest <= edge:
        return size
    return max(1, -(-width * edge // longest)), max(1, -(-height * edge // longest))


def _flatten_to_rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if image.mode in ("I", "F") or image.mode.startswith("I;16"):
        # A plain convert() clips 16-bit grey at 255, turning the whole picture white; scale instead.
        # 16-bit transparency values mean nothing once the pixels are 8-bit, so drop them.
        image = image.convert("I").point(lambda value: value / 256, "L")
        image.info.pop("transparency", None)
    if image.has_transparency_data:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def _fit_within(image: Image.Image, edge: int) -> Image.Image:
    """Shrink so the longest side is at most ``edge``; never enlarge."""
    width, height = image.size
    longest = max(width, height)
    if longest <= edge:
        return image
    scale = edge / longest
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    # reducing_gap lets Pillow box-reduce by whole factors first (1600 → 800 before Lanczos to 400):
    # half the time for the thumbnail, pixels within 3 levels of a full Lanczos.
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)


def _encode_jpeg(image: Image.Image) -> bytes:
    # Pillow carries ``info`` through every operation and its JPEG writer still picks some of it up
    # (a COM comment, for one). Writing from a copy with empty info keeps "pixels only" true whatever
    # a later change upstream lets through; the copy costs under a millisecond.
    pixels_only = image.copy()
    pixels_only.info = {}
    buffer = BytesIO()
    pixels_only.save(buffer, format="JPEG", quality=_setting("PHOTO_JPEG_QUALITY", 85), optimize=True, progressive=True)
    return buffer.getvalue()


def _taken_at(exif: Image.Exif) -> datetime | None:
    """Capture time from EXIF, in the site's time zone; None when absent or nonsense.

    A nice-to-have: a photo with a broken clock is still a photo, so nothing here refuses one.
    """
    try:
        exif_ifd = exif.get_ifd(ExifTags.IFD.Exif)
    except (ValueError, TypeError, OSError, SyntaxError, struct.error):  # a mangled pointer to the Exif IFD
        exif_ifd = {}
    candidates = (
        (exif_ifd.get(ExifTags.Base.DateTimeOriginal), exif_ifd.get(ExifTags.Base.OffsetTimeOriginal)),
        (exif.get(ExifTags.Base.DateTime), exif_ifd.get(ExifTags.Base.OffsetTime)),
    )
    for stamp, offset in candidates:
        parsed = _parse_exif_datetime(stamp, offset)
        if parsed is not None:
            return parsed
    return None


def _parse_exif_datetime(stamp: object, offset: object) -> datetime | None:
    text = _exif_text(stamp)
    if not text:
        return None
    try:
        naive = datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:  # "0000:00:00 00:00:00", blanks, or a camera's own idea of a date
        return None
    if not PLAUSIBLE_YEARS[0] <= naive.year <= PLAUSIBLE_YEARS[1]:
        # "0001:01:01" (a reset clock) or "9999:12:31": no capture time. Near the ends of datetime's
        # range the conversion below overflows, and the database could not give such a time back.
        return None
    site_zone = timezone.get_default_timezone()
    # Phones that write OffsetTime* know where the clock was; otherwise assume it was here.
    offset_text = _exif_text(offset)
    if offset_text:
        try:
            zone = datetime.strptime(offset_text, "%z").tzinfo
        except ValueError:
            zone = None
        if zone is not None:
            return naive.replace(tzinfo=zone).astimezone(site_zone)
    return timezone.make_aware(naive, site_zone)


def _exif_text(value: object) -> str:
    if isinstance(value, bytes):
        value = value.decode("ascii", errors="replace")
    return value.strip("\x00 ") if isinstance(value, str) else ""


def _looks_like_a_format_we_take(head: bytes) -> bool:
    # The same signatures the openers check, so a file that claims to be one of ours but cannot be
    # parsed (a HEIC cut short, a JPEG missing its frame header) is called damaged, not foreign.
    return (
        head.startswith(b"\xff\xd8\xff")
        or head.startswith(b"\x89PNG\r\n\x1a\n")
        or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
        or (head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS)
    )


def _unreadable_or_damaged(upload: UploadedFile, name: str) -> PhotoRejected:
    upload.seek(0)
    head = upload.read(16)
    return _damaged(name) if _looks_like_a_format_we_take(head) else _unreadable(name)


def _unreadable(name: str) -> PhotoRejected:
    return PhotoRejected(
        _("“%(name)s” is not a photo we can read (JPEG, PNG, WebP or HEIC)."),
        code="photo_unreadable",
        params={"name": name},
    )


def _damaged(name: str) -> PhotoRejected:
    return PhotoRejected(_("“%(name)s” is damaged or incomplete."), code="photo_damaged", params={"name": name})


def _number(value: float) -> str:
    # 15 not 15.0, 12.3 not 12.345678: these numbers are read by people on phones.
    return f"{round(value, 1):g}"
