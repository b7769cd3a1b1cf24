"""The media library in the admin: upload and describe pictures, and the picker the
article editor's "Browse..." button opens."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from articles.images import BODY_DEFAULT_WIDTH, current_renditions
from articles.models import Image
from plumbing.admin_views import ExtraViewsAdminMixin


def thumbnail_url(image: Image, width: int = 480) -> str:
    """The smallest current rendition at least `width` wide (or the largest), else the
    original: what the admin shows of a picture."""
    made = current_renditions(
        renditions=image.renditions, renditions_of=image.renditions_of, file_name=image.file.name
    )
    made = sorted((r for r in made if r["format"] != "webp"), key=lambda r: r["width"])
    for rendition in made:
        if rendition["width"] >= width:
            return default_storage.url(rendition["name"])
    return default_storage.url(made[-1]["name"]) if made else image.url


@admin.register(Image)
class ImageAdmin(ExtraViewsAdminMixin, admin.ModelAdmin):
    """The media library: upload, describe (alt text required), credit, focal point;
    the editor's "Browse..." opens the picker below."""

    list_display = ["thumbnail", "alt_text", "credit", "size", "renditions_state", "uploaded_at"]
    list_display_links = ["thumbnail", "alt_text"]
    search_fields = ["alt_text", "caption", "credit", "file", "source_url"]
    date_hierarchy = "uploaded_at"
    readonly_fields = ["preview", "size", "renditions_state", "uploader", "uploaded_at"]
    fields = [
        "file",
        "preview",
        "alt_text",
        "caption",
        "credit",
        ("focal_x", "focal_y"),
        "source_url",
        "size",
        "renditions_state",
        "uploader",
        "uploaded_at",
    ]
    extra_views = [("picker/", "picker_view", "articles_image_picker")]

    class Media:
        css = {"all": ["articles/admin/articles.css"]}  # thumbnails, the preview
        js = ["articles/admin/focal_point.js"]  # click the picture to set the focal point

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "source_url":
            kwargs["assume_scheme"] = "https"  # a pasted "example.org/x.jpg"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="picture")
    def thumbnail(self, image: Image):
        return format_html(
            '<img src="{}" alt="" class="library-thumb" loading="lazy">', thumbnail_url(image, 160)
        )

    @admin.display(description="preview")
    def preview(self, image: Image):
        if not image.pk:
            return "Shown once uploaded."
        return format_html(
            '<img src="{}" alt="{}" class="library-preview">', thumbnail_url(image), image.alt_text
        )

    @admin.display(description="uploaded by")
    def uploader(self, image: Image):
        # A name, not a link: accounts are superusers' pages (plumbing/admin_machinery.py).
        return image.uploaded_by.get_username() if image.uploaded_by else "—"

    @admin.display(description="size")
    def size(self, image: Image):
        return f"{image.width} × {image.height} px" if image.width else "—"

    @admin.display(description="renditions")
    def renditions_state(self, image: Image):
        if not image.file:
            return "none (not uploaded here)"
        made = current_renditions(
            renditions=image.renditions,
            renditions_of=image.renditions_of,
            file_name=image.file.name,
        )
        if not made:
            return "being made…"
        widths = sorted({r["width"] for r in made})
        formats = sorted({r["format"].upper() for r in made})
        return f"{', '.join(map(str, widths))} px wide · {' + '.join(formats)}"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        # Uploaded from the editor's picker: back to the picker, the new picture first.
        func = request.GET.get("CKEditorFuncNum", "")
        if func.lstrip("-").isdigit():
            picker = reverse("admin:articles_image_picker")
            return HttpResponseRedirect(f"{picker}?CKEditorFuncNum={func}")
        return super().response_add(request, obj, post_url_continue)

    def picker_view(self, request):
        """The library as the editor's "Browse..." window shows it: click a picture to
        put it in the article (articles/static/articles/admin/image_picker.js)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        func = request.GET.get("CKEditorFuncNum", "")
        query = request.GET.get("q", "").strip()
        images = Image.objects.order_by("-uploaded_at", "-id")
        if query:
            images = images.filter(
                Q(alt_text__icontains=query)
                | Q(caption__icontains=query)
                | Q(credit__icontains=query)
            )
        images = list(images[:60])
        cards = [
            {
                "image": image,
                "thumb": thumbnail_url(image, 320),
                "insert_url": thumbnail_url(image, BODY_DEFAULT_WIDTH),
            }
            for image in images
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": "Choose a picture",
            "cards": cards,
            "query": query,
            "func": func if func.lstrip("-").isdigit() else "",
            "add_url": reverse("admin:articles_image_add"),
            "opts": self.model._meta,
            "is_popup": True,
        }
        return TemplateResponse(request, "admin/articles/image/picker.html", context)
