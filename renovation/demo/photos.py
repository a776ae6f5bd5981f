"""Demo photos of the works: a generated picture of the same block before, during and after its
renovation (weathered and cracked; behind scaffolding and safety nets; fresh paint and new green),
attached to progress reports through the real service, so they go through the photo pipeline."""

from __future__ import annotations

import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from renovation.projects.models import PhotoPhase

_SIZE = (960, 720)


def works_photo(seed: int, phase: str, label: str) -> SimpleUploadedFile:
    rng = random.Random(seed)
    sky = {"before": (168, 176, 186), "during": (176, 200, 224), "after": (120, 176, 236)}[phase]
    image = Image.new("RGB", _SIZE, sky)
    draw = ImageDraw.Draw(image)
    wall = {"before": (150, 142, 128), "during": (176, 168, 152), "after": (226, 214, 190)}[phase]
    left = rng.randint(40, 120)
    draw.rectangle((left, 150, left + 760, 720), fill=wall)
    for row in range(5):
        for column in range(7):
            x, y = left + 40 + column * 104, 190 + row * 100
            draw.rectangle((x, y, x + 52, y + 62), fill=(70, 96, 120) if phase != "after" else (96, 140, 176))
    if phase == "before":
        for _crack in range(3):  # cracks and damp stains
            x, y = rng.randint(left + 60, left + 700), rng.randint(200, 560)
            points = [(x + step * 14, y + rng.randint(-18, 18) + step * 10) for step in range(10)]
            draw.line(points, fill=(70, 60, 50), width=5)
            draw.ellipse((x - 40, y + 60, x + 50, y + 130), fill=(122, 118, 104))
        draw.rectangle((0, 640, _SIZE[0], 720), fill=(120, 110, 96))
    elif phase == "during":
        for x in range(left, left + 780, 60):  # scaffolding and the green safety net
            draw.line((x, 140, x, 720), fill=(90, 90, 90), width=4)
        for y in range(170, 720, 70):
            draw.line((left - 10, y, left + 770, y), fill=(90, 90, 90), width=4)
        draw.rectangle((left, 150, left + 380, 720), fill=(60, 140, 80))
        draw.rectangle((0, 650, _SIZE[0], 720), fill=(150, 130, 100))
    else:
        draw.rectangle((0, 620, _SIZE[0], 720), fill=(96, 170, 90))  # new lawn and trees
        for x in range(60, _SIZE[0], 180):
            draw.ellipse((x, 520, x + 110, 640), fill=(60, 140, 70))
    draw.rectangle((16, 16, 460, 70), fill=(255, 255, 255))
    draw.text((30, 34), label, fill=(0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return SimpleUploadedFile(f"{phase}-{seed}.jpg", buffer.getvalue(), content_type="image/jpeg")


def report_photos(*, item_pk: int, step: int, last: bool, label: str) -> tuple[list[SimpleUploadedFile], str]:
    """The photos staff attach to a work item's report: the site as it was with the first report,
    the works under way with the middle ones, the finished work with the last."""
    if step == 0:
        phase = PhotoPhase.BEFORE
    elif last:
        phase = PhotoPhase.AFTER
    else:
        phase = PhotoPhase.DURING
    return [works_photo(item_pk * 100 + step, phase, label)], phase
