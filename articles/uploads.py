"""Checks on an uploaded picture, before anything is stored: it must decode as a picture
(by its content: a renamed text file or script is refused whatever its name says), in
one of the formats browsers show, within the size and pixel limits; and its location
(EXIF GPS) never reaches the library, whatever camera or phone took it."""

from __future__ import annotations

import io
import uuid
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.utils import timezone
from django.utils.text import get_valid_filename
from PIL import Image as PILImage
from PIL import UnidentifiedImageError

# Pillow's format name → the extension the stored file gets (its content decides).
FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
_GPS_IFD = 0x8825


def image_upload_to(image, filename: str) -> str:
    """images/2026/12/<random>-<name>.<ext>: dated folders, a name that never collides
    and never comes from the uploader alone; the extension from the content."""
    stem = get_valid_filename(filename.rsplit(".", 1)[0])[:40] or "image"
    extension = FORMATS.get(getattr(image, "_detected_format", ""), "") or (
        filename.rsplit(".", 1)[-1].lower() if "." in filename else "img"
    )
    return f"images/{timezone.now():%Y/%m}/{uuid.uuid4().hex[:12]}-{stem}.{extension}"


def inspect_image(file) -> tuple[str, int, int]:
    """(format, width, height) of a picture, or ValidationError saying what is wrong.
    Reads the header for the size before decoding anything, so a decompression bomb is
    refused without being decompressed."""
    limit = settings.IMAGE_UPLOAD_MAX_BYTES
    if file.size is not None and file.size > limit:
        raise ValidationError(
            f"The file is {file.size / 1_048_576:.1f} MB; the limit is {limit / 1_048_576:.0f} MB.",
            code="too_large",
        )
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(file) as picture:
                image_format = picture.format
                width, height = picture.size
                if image_format in FORMATS and width * height <= settings.IMAGE_UPLOAD_MAX_PIXELS:
                    picture.verify()  # a truncated or corrupt file fails here
    except (
        UnidentifiedImageError,
        PILImage.DecompressionBombError,
        PILImage.DecompressionBombWarning,
    ) as error:
        if isinstance(error, UnidentifiedImageError):
            raise ValidationError(
                "This file is not a picture (JPEG, PNG, GIF or WebP), whatever its name says.",
                code="not_an_image",
            ) from None
        raise ValidationError("The picture has too many pixels.", code="too_many_pixels") from None
    except (OSError, SyntaxError, ValueError):
        raise ValidationError(
            "The picture is damaged and cannot be read.", code="corrupt"
        ) from None
    finally:
        file.seek(position)
    if image_format not in FORMATS:
        raise ValidationError(
            f"{image_format} pictures are not accepted: upload JPEG, PNG, GIF or WebP.",
            code="format",
        )
    pixels = width * height
    if pixels > settings.IMAGE_UPLOAD_MAX_PIXELS:
        raise ValidationError(
            f"The picture is {width}×{height} ({pixels / 1e6:.0f} megapixels); the limit is "
            f"{settings.IMAGE_UPLOAD_MAX_PIXELS / 1e6:.0f} megapixels.",
            code="too_many_pixels",
        )
    return image_format, width, height


def validate_image_file(field_file) -> None:
    """The model field's validator: only a new upload is checked (a stored file was)."""
    file = getattr(field_file, "file", None)
    if file is None or getattr(field_file, "_committed", True):
        return
    image_format, _, _ = inspect_image(file)
    field_file.instance._detected_format = image_format


def without_location(file, name: str):
    """The upload itself when it carries no GPS data; else a copy with the GPS block
    removed from its EXIF (JPEG: the coded picture kept as it is, `quality="keep"`)."""
    file.seek(0)
    with PILImage.open(file) as picture:
        image_format = picture.format
        exif = picture.getexif()
        # GIF keeps no EXIF that Pillow writes back, and re-saving would drop its frames.
        if image_format == "GIF" or _GPS_IFD not in exif:
            file.seek(0)
            return file
        del exif[_GPS_IFD]
        options = {"exif": exif.tobytes()}
        if picture.info.get("icc_profile"):
            options["icc_profile"] = picture.info["icc_profile"]
        if image_format == "JPEG":
            options["quality"] = "keep"
        elif image_format == "WEBP":
            options["quality"] = 90
        out = io.BytesIO()
        picture.save(out, format=image_format, **options)
    size = out.tell()
    out.seek(0)
    return InMemoryUploadedFile(out, "file", name, CONTENT_TYPES[image_format], size, None)
