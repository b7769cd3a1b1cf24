"""Pictures for tests: real encoded images (Pillow), and library images with renditions."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage

from articles.models import Image
from articles.tasks import make_image_renditions


def picture_bytes(size=(1200, 800), image_format="JPEG", color=(200, 30, 30), exif=None) -> bytes:
    out = io.BytesIO()
    options = {"exif": exif.tobytes()} if exif is not None else {}
    PILImage.new("RGB", size, color).save(out, format=image_format, **options)
    return out.getvalue()


def rendered_image(*, size=(320, 200), name="lead.jpg", **fields) -> Image:
    """A library image uploaded and given its renditions (IMAGE_RENDITION_WIDTHS), as
    the worker would."""
    image = Image.objects.create(file=SimpleUploadedFile(name, picture_bytes(size)), **fields)
    make_image_renditions.call(image.pk)
    image.refresh_from_db()
    return image
