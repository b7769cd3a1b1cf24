"""The media library's model: a picture uploaded here or left where it lives.

In a module of its own (imported by articles.models, so Django registers it with the
app): the article model refers to it, it refers to nothing of the articles'.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from articles.uploads import image_upload_to, inspect_image, validate_image_file, without_location


class Image(models.Model):
    """A picture in the media library: an upload (`file`), or a picture left where it
    was (`source_url`, e.g. a WordPress import without --download-media).

    Renditions (a few widths, WebP beside the original format) are made by a background
    task after the upload commits (articles/tasks.py) and listed in `renditions`, so a
    page of articles reads them with its own row: no query per image."""

    file = models.ImageField(
        upload_to=image_upload_to,
        width_field="width",
        height_field="height",
        blank=True,
        validators=[validate_image_file],
        help_text="JPEG, PNG, GIF or WebP. Location data (EXIF GPS) is removed on upload.",
    )
    source_url = models.URLField(
        "source URL",
        max_length=1000,
        blank=True,
        help_text="Where the picture lives when it was not uploaded here.",
    )
    alt_text = models.CharField(
        "alt text",
        max_length=500,
        help_text="What the picture shows, for readers who cannot see it. Required.",
    )
    caption = models.TextField(blank=True, max_length=1000)
    credit = models.CharField(max_length=255, blank=True, help_text="Photographer or agency.")
    # Where the subject is, as fractions of the width and height from the top left:
    # frontends crop around it (CSS object-position), the API gives it as is.
    focal_x = models.FloatField(
        "focal point x",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    focal_y = models.FloatField(
        "focal point y",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # [{"name": storage name, "width", "height", "format": "webp"|"jpeg"|"png"}], for
    # the file named in renditions_of; filled by the rendition task.
    renditions = models.JSONField(default=list, blank=True, editable=False)
    renditions_of = models.CharField(max_length=255, blank=True, editable=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    wordpress_id = models.PositiveBigIntegerField(
        null=True, blank=True, unique=True, editable=False
    )

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(file="") | ~Q(source_url=""), name="image_has_file_or_source"
            )
        ]

    def __str__(self) -> str:
        return self.alt_text or self.file.name or self.source_url

    def clean(self) -> None:
        super().clean()
        if not self.file and not self.source_url:
            raise ValidationError({"file": "Upload a picture (or give its source URL)."})

    @property
    def url(self) -> str:
        return self.file.url if self.file else self.source_url

    def save(self, *args, **kwargs):
        # Whatever path writes it (admin, import, shell), a new upload is checked by its
        # content and stored without its location.
        if self.file and not self.file._committed:
            upload = self.file.file
            self._detected_format, _, _ = inspect_image(upload)
            cleaned = without_location(upload, os.path.basename(self.file.name))
            if cleaned is not upload:
                self.file = File(cleaned, name=os.path.basename(self.file.name))
        super().save(*args, **kwargs)

    @property
    def needs_renditions(self) -> bool:
        """A stored file without renditions of its own (articles/tasks.py makes them)."""
        return bool(self.file) and self.renditions_of != self.file.name
