"""The editors' admin: articles with workflow actions, history and preview; the category tree."""

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from simple_history.admin import SimpleHistoryAdmin

from articles import services
from articles.models import Article, ArticleSlugRedirect, Author, Category, Tag
from articles.previews import preview_token
from plumbing.admin_views import ExtraViewsAdminMixin


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["indented_name", "slug", "parent", "position", "direct_article_count"]
    list_select_related = ["parent"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    ordering = ["tree_path"]
    readonly_fields = ["path_display"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_direct_article_count=Count("articles"))

    @admin.display(description="name", ordering="tree_path")
    def indented_name(self, category):
        # The list is ordered by tree path, so indenting by depth draws the tree.
        return format_html(
            '<span style="padding-left:{}em">{}{}</span>',
            category.depth * 1.5,
            "└ " if category.depth else "",
            category.name,
        )

    @admin.display(description="articles (direct)", ordering="_direct_article_count")
    def direct_article_count(self, category):
        return category._direct_article_count

    @admin.display(description="path")
    def path_display(self, category):
        return " / ".join(category.path) if category.pk else "—"


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "user"]
    list_select_related = ["user"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]


class ArticleSlugRedirectInline(admin.TabularInline):
    model = ArticleSlugRedirect
    extra = 0
    fields = ["old_slug", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Article)
class ArticleAdmin(ExtraViewsAdminMixin, SimpleHistoryAdmin):
    list_display = ["title", "status", "category", "author", "published_at", "comment_count"]
    list_filter = ["status", "category", "author", "tags", "published_at"]
    list_select_related = ["category", "author"]
    search_fields = ["title", "excerpt", "body", "slug"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["category", "author", "tags"]
    readonly_fields = [
        "comment_count",
        "comments_overview",
        "created_at",
        "updated_at",
        "preview_link",
        "frontend_preview",
    ]
    actions = ["publish_selected", "archive_selected"]
    extra_views = [("<int:pk>/preview/", "preview_view", "articles_article_preview")]
    inlines = [ArticleSlugRedirectInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "excerpt", "body"]}),
        ("Filing", {"fields": ["category", "tags", "author"]}),
        (
            "Workflow",
            {"fields": ["status", "published_at", "preview_link", "frontend_preview"]},
        ),
        (
            "Comments",
            {
                "fields": [
                    "comments_enabled",
                    "comments_premoderate",
                    "comments_premoderate_links",
                    "comments_message",
                    "comment_count",
                    "comments_overview",
                ],
                "description": (
                    "Per-article settings: they add to the site's moderation policy (a "
                    "site-wide close still wins). The message is plain text shown above "
                    "the comments."
                ),
            },
        ),
        ("Dates", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    @admin.action(description="Publish selected articles (future dates are scheduled)")
    def publish_selected(self, request, queryset):
        count = services.articles_publish(articles=queryset)
        self.message_user(request, f"{count} article(s) published or scheduled.", messages.SUCCESS)

    @admin.action(description="Unpublish (archive) selected articles")
    def archive_selected(self, request, queryset):
        count = services.articles_archive(articles=queryset)
        self.message_user(request, f"{count} article(s) archived.", messages.SUCCESS)

    @admin.display(description="preview")
    def preview_link(self, article):
        if not article.pk:
            return "Save the article to preview it."
        url = reverse("admin:articles_article_preview", args=[article.pk])
        return format_html('<a href="{}" target="_blank">Preview as readers will see it</a>', url)

    @admin.display(description="frontend preview")
    def frontend_preview(self, article):
        """The API path a frontend's preview route fetches (articles/previews.py)."""
        if not article.pk:
            return "Save the article to get a preview token."
        path = reverse("api:article-detail", kwargs={"slug": article.slug})
        hours = settings.ARTICLE_PREVIEW_SECONDS // 3600
        return format_html(
            "<code>{}?preview={}</code><br><small>Valid {} hours; opens this article only.</small>",
            path,
            preview_token(article=article),
            hours,
        )

    @admin.display(description="comments")
    def comments_overview(self, article):
        """Counts by status and the latest comments, linking to the moderation queue.
        Bounded: a story with ten thousand comments still renders one small table."""
        from comments.models import Comment

        if not article.pk:
            return "—"
        comments = Comment.objects.filter(article=article)
        by_status = dict(
            comments.order_by()
            .values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
        changelist = reverse("admin:comments_comment_changelist")
        counts = format_html_join(
            " · ",
            '<a href="{}?article__id__exact={}&status__exact={}">{} {}</a>',
            (
                (changelist, article.pk, value, by_status.get(value, 0), label.lower())
                for value, label in Comment.Status.choices
            ),
        )
        latest = comments.order_by("-submitted_at", "-id")[:10]
        rows = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>',
            (
                (
                    reverse("admin:comments_comment_change", args=[c.pk]),
                    c.author_name,
                    c.get_status_display(),
                    c.submitted_at.strftime("%Y-%m-%d %H:%M"),
                    Truncator(c.body).chars(60),
                )
                for c in latest
            ),
        )
        return format_html(
            "<p>{}</p><table><thead><tr><th>author</th><th>status</th><th>submitted</th>"
            "<th>comment</th></tr></thead><tbody>{}</tbody></table>"
            '<p><a href="{}?article__id__exact={}">All comments on this article</a></p>',
            counts,
            rows,
            changelist,
            article.pk,
        )

    def preview_view(self, request, pk):
        """Staff-only preview of any article, whatever its status."""
        article = get_object_or_404(
            Article.objects.select_related("category", "author").prefetch_related("tags"), pk=pk
        )
        if not self.has_view_permission(request, article):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": f"Preview: {article.title}",
            "article": article,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/articles/article/preview.html", context)
