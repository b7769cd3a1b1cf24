"""The media library's work beyond the model: renditions, what the API says of a
picture, and pictures inside an article's body.

Renditions are made by `articles.tasks.make_image_renditions` (a background task, after
the upload commits): each configured width below the original's (IMAGE_RENDITION_WIDTHS,
never upscaled; the original's own width when it is narrower than all), in WebP and in
the original's format (GIF's in PNG). They are listed on the image row itself, so
whoever reads an image reads its renditions with it, without a query.

In a body, a picture from the library is `<img data-file="<image id>" ...>` (what the
editor's Figure extension writes when the picture is picked from the library). On every
save of an article (and again when an image's renditions are ready) those tags get the
picture's rendition as `src`, a `srcset`, `sizes`, `width`/`height` and, when empty,
the library's alt text: readers' browsers load a rendition of the right width.
"""

from __future__ import annotations

import html
import io
import re
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image as PILImage
from PIL import ImageOps

# The rendition's format for each original format.
_RENDITION_FORMAT = {"JPEG": "jpeg", "PNG": "png", "GIF": "png", "WEBP": "webp"}
_EXTENSION = {"jpeg": "jpg", "png": "png", "webp": "webp"}
_SAVE_OPTIONS = {
    "jpeg": {"format": "JPEG", "quality": 82, "optimize": True, "progressive": True},
    "png": {"format": "PNG", "optimize": True},
    "webp": {"format": "WEBP", "quality": 80, "method": 4},
}
# The width a body picture is given when the page does not say: a column of text.
BODY_SIZES = "(max-width: 800px) 100vw, 800px"
BODY_DEFAULT_WIDTH = 960


def rendition_widths(original_width: int) -> list[int]:
    widths = sorted({w for w in settings.IMAGE_RENDITION_WIDTHS if 0 < w < original_width})
    return widths or [original_width]


def make_renditions(image) -> list[dict]:
    """Write the renditions of `image.file` through the default storage and return
    their list (not saved on the row: the task does that, if the file is still the
    same). Orientation from EXIF is applied, so a portrait photo stays upright."""
    stem = PurePosixPath(image.file.name).stem
    with image.file.open("rb") as stored, PILImage.open(stored) as original:
        original_format = original.format
        picture = ImageOps.exif_transpose(original)
        if original_format == "GIF":
            picture.seek(0)
        picture.load()
    formats = ["webp", _RENDITION_FORMAT.get(original_format, "png")]
    if formats[1] == "webp":
        formats = ["webp"]
    renditions = []
    for width in rendition_widths(picture.width):
        height = max(1, round(picture.height * width / picture.width))
        resized = picture.resize((width, height), PILImage.Resampling.LANCZOS)
        for rendition_format in formats:
            out = io.BytesIO()
            frame = resized
            if rendition_format == "jpeg" and frame.mode not in ("RGB", "L"):
                frame = frame.convert("RGB")
            elif frame.mode == "P":
                frame = frame.convert("RGBA")
            frame.save(out, **_SAVE_OPTIONS[rendition_format])
            name = f"renditions/{image.pk}/{stem}-{width}.{_EXTENSION[rendition_format]}"
            if default_storage.exists(name):
                default_storage.delete(name)
            stored_name = default_storage.save(name, ContentFile(out.getvalue()))
            renditions.append(
                {"name": stored_name, "width": width, "height": height, "format": rendition_format}
            )
    return renditions


def _srcset(renditions: list[dict], rendition_format: str) -> str:
    return ", ".join(
        f"{default_storage.url(r['name'])} {r['width']}w"
        for r in renditions
        if r["format"] == rendition_format
    )


def current_renditions(*, renditions: list, renditions_of: str, file_name: str) -> list[dict]:
    """The listed renditions if they were made from the current file, else none."""
    return renditions if renditions and renditions_of == file_name else []


def image_representation(
    *,
    file_name: str,
    source_url: str,
    width: int | None,
    height: int | None,
    alt_text: str,
    caption: str,
    credit: str,
    focal_x: float | None,
    focal_y: float | None,
    renditions: list,
    renditions_of: str,
) -> dict:
    """What the API says of a picture (the `LeadImage` component), from its columns:
    read from a list row or from an Image instance alike."""
    made = current_renditions(
        renditions=renditions, renditions_of=renditions_of, file_name=file_name
    )
    original_format = next((r["format"] for r in made if r["format"] != "webp"), "webp")
    return {
        "url": default_storage.url(file_name) if file_name else str(source_url),
        "width": width,
        "height": height,
        "alt": str(alt_text),
        "caption": str(caption),
        "credit": str(credit),
        "focal_point": (
            None if focal_x is None or focal_y is None else {"x": focal_x, "y": focal_y}
        ),
        "srcset": _srcset(made, original_format),
        "webp_srcset": _srcset(made, "webp"),
    }


# An image's columns image_representation reads, by their field names.
IMAGE_FIELDS = (
    "file",
    "source_url",
    "width",
    "height",
    "alt_text",
    "caption",
    "credit",
    "focal_x",
    "focal_y",
    "renditions",
    "renditions_of",
)


def image_of_columns(row: dict, *, prefix: str = "") -> dict:
    """The API's picture from a row holding IMAGE_FIELDS, each named `prefix` + field
    (a list's joined lead image: "lead_image__"; the media list's own rows: "")."""
    columns = {name: row[f"{prefix}{name}"] for name in IMAGE_FIELDS}
    file_name = columns.pop("file") or ""
    columns["renditions"] = columns["renditions"] or []
    return image_representation(file_name=file_name, **columns)


def body_with_media_origin(body: str, origin: str) -> str:
    """Library pictures in a body name their renditions by MEDIA_URL's path (stored so,
    whatever host serves the API): made absolute with `origin` ("https://host") on the
    way out; unchanged when there is no origin or MEDIA_URL is already absolute."""
    prefix = settings.MEDIA_URL
    if not origin or not prefix.startswith("/") or prefix not in body:
        return body
    return body.replace(f'="{prefix}', f'="{origin}{prefix}').replace(
        f", {prefix}", f", {origin}{prefix}"
    )


def image_of(image) -> dict | None:
    """The API's picture from an Image instance (its file by stored name)."""
    if image is None:
        return None
    columns = {name: getattr(image, name) for name in IMAGE_FIELDS}
    columns["file"] = image.file.name
    return image_of_columns(columns)


# --- pictures in a body -------------------------------------------------------------------

_IMG_TAG = re.compile(r"<img\b([^>]*)>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r'([a-zA-Z_:][-a-zA-Z0-9_:.]*)="([^"]*)"')
_LIBRARY_ID = re.compile(r'data-file="(\d+)"')


def library_ids_in(body: str) -> set[int]:
    return {int(pk) for pk in _LIBRARY_ID.findall(body or "")}


def body_with_renditions(body: str, images: dict) -> str:
    """`body` (sanitized HTML) with its library pictures pointing at their renditions;
    `images`: {id: Image} of the ids library_ids_in() found. A tag whose picture is gone
    from the library is left as it is."""

    def rewrite(match: re.Match) -> str:
        attributes = dict(_ATTRIBUTE.findall(match.group(1)))
        image = images.get(int(attributes.get("data-file", "0") or 0))
        if image is None:
            return match.group(0)
        described = image_of(image)
        made = current_renditions(
            renditions=image.renditions,
            renditions_of=image.renditions_of,
            file_name=image.file.name or "",
        )
        fallback = [r for r in made if r["format"] != "webp"] or made
        chosen = min(fallback, key=lambda r: abs(r["width"] - BODY_DEFAULT_WIDTH), default=None)
        attributes["src"] = html.escape(
            default_storage.url(chosen["name"]) if chosen else described["url"], quote=True
        )
        if chosen:
            attributes["width"], attributes["height"] = str(chosen["width"]), str(chosen["height"])
        elif image.width and image.height:
            attributes["width"], attributes["height"] = str(image.width), str(image.height)
        srcset = described["srcset"] or described["webp_srcset"]
        if srcset:
            attributes["srcset"] = html.escape(srcset, quote=True)
            attributes["sizes"] = BODY_SIZES
        else:
            attributes.pop("srcset", None)
            attributes.pop("sizes", None)
        if not html.unescape(attributes.get("alt", "")).strip():
            attributes["alt"] = html.escape(image.alt_text, quote=True)
        written = " ".join(f'{name}="{value}"' for name, value in attributes.items())
        return f"<img {written}>"

    return _IMG_TAG.sub(rewrite, body)
