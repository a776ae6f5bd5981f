"""Photo uploads for the progress-report tests: a phone JPEG with its GPS block, a fake, a report."""

import io
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from renovation.projects.services import progress_report_confirm, progress_report_submit

# 31°14'5"N 121°28'0"E: what a phone writes beside the pixels, and what must never be published.
GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (31.0, 14.0, 5.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (121.0, 28.0, 0.0),
}


def phone_jpeg(
    name: str = "works.jpg", color: str = "orange", size: tuple[int, int] = (640, 480)
) -> SimpleUploadedFile:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "HUAWEI"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def not_an_image(name: str = "report.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 not a photo", content_type="application/pdf")


def confirmed_report_with_photos(personas: Any, work_item: Any, *, phase: str = "during", count: int = 1) -> Any:
    report = progress_report_submit(
        actor=personas.street_a,
        work_item=work_item,
        percent=Decimal("40"),
        photos=[phone_jpeg(f"p{index}.jpg") for index in range(count)],
        photo_phase=phase,
    )
    return progress_report_confirm(actor=personas.bureau, report=report)
