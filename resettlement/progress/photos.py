"""Evidence photos of milestones, as phones take them: turned upright, stripped of metadata,
resized, with a thumbnail, and stored through Django's storage API (a deployment may point it
at object storage)."""

import datetime
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.crypto import get_random_string
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from resettlement.accounts.models import User
from resettlement.history import history_author_set
from resettlement.progress.models import BuildingMilestone, MilestonePhoto

MAX_UPLOAD_BYTES = 25 * 1024 * 1024
MAX_SIDE = 1920
THUMB_SIDE = 400
JPEG_QUALITY = 85
EXIF_DATETIME_ORIGINAL = 0x9003
EXIF_IFD = 0x8769

ERROR_NOT_AN_IMAGE = _("%(name)s is not a photo this system can read (JPEG, PNG or WebP).")
ERROR_TOO_LARGE = _("%(name)s is larger than 25 MB.")

Image.MAX_IMAGE_PIXELS = 80_000_000  # refuse decompression bombs, allow 64-megapixel phones
# Only the formats the message names (phones' multi-picture JPEGs open as JPEG). Pillow would
# otherwise try each of its decoders on the bytes, EPS (Ghostscript) and TGA (no magic) among them.
PHOTO_FORMATS = ("JPEG", "PNG", "WEBP")


@dataclass(frozen=True)
class PreparedPhoto:
    image: bytes
    width: int
    height: int
    thumbnail: bytes
    taken_on: datetime.date | None


def photo_prepare(upload) -> PreparedPhoto:
    """Check and convert one uploaded file; nothing is stored yet."""
    name = getattr(upload, "name", "photo")
    if getattr(upload, "size", 0) > MAX_UPLOAD_BYTES:
        raise ValidationError(ERROR_TOO_LARGE, params={"name": name})
    try:
        with Image.open(upload, formats=PHOTO_FORMATS) as source:
            source.load()
            taken_on = _taken_on(source)
            upright = ImageOps.exif_transpose(source).convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise ValidationError(ERROR_NOT_AN_IMAGE, params={"name": name}) from None
    image, width, height = _jpeg(upright, MAX_SIDE)
    thumbnail, _width, _height = _jpeg(upright, THUMB_SIDE)
    return PreparedPhoto(
        image=image, width=width, height=height, thumbnail=thumbnail, taken_on=taken_on
    )


def _jpeg(image: Image.Image, side: int) -> tuple[bytes, int, int]:
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    copy.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)  # no EXIF is written
    return buffer.getvalue(), copy.width, copy.height


def _taken_on(image: Image.Image) -> datetime.date | None:
    try:
        value = image.getexif().get_ifd(EXIF_IFD).get(EXIF_DATETIME_ORIGINAL)
        return datetime.datetime.strptime(str(value), "%Y:%m:%d %H:%M:%S").date()  # noqa: DTZ007
    except (ValueError, TypeError, AttributeError, KeyError):
        return None


def milestone_photos_add(
    *,
    milestone: BuildingMilestone,
    photos: list[PreparedPhoto],
    caption: str = "",
    by: User | None = None,
) -> list[MilestonePhoto]:
    created = []
    with transaction.atomic():
        for prepared in photos:
            stem = f"{milestone.building_id}-{milestone.milestone_type_id}-{get_random_string(10)}"
            photo = MilestonePhoto(
                milestone=milestone,
                caption=caption,
                taken_on=prepared.taken_on,
                width=prepared.width,
                height=prepared.height,
                uploaded_by=by,
            )
            photo.image.save(f"{stem}.jpg", ContentFile(prepared.image), save=False)
            photo.thumbnail.save(f"{stem}.jpg", ContentFile(prepared.thumbnail), save=False)
            history_author_set(photo, by=by)
            photo.save()
            created.append(photo)
    return created
