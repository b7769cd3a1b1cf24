"""The editors' admin: articles with workflow actions, history and preview; the category
tree; the media library."""

import threading

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import ORDER_VAR
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from js_asset.media import Media as JsAssetMedia
from simple_history.admin import SimpleHistoryAdmin

from articles import links, selectors, services
from articles.editor import ArticleAdminForm
from articles.images import image_of
from articles.media_admin import thumbnail_url  # and the media library's admin
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


_list_state = threading.local()


class CategoryTreeFilter(admin.SimpleListFilter):
    """Categories as the tree they are (indented, in tree order); choosing one shows its
    articles and those of every category under it."""

    title = "category"
    parameter_name = "category_tree"

    def lookups(self, request, model_admin):
        return [
            (str(category.pk), f"{'— ' * category.depth}{category.name}")
            for category in Category.objects.order_by("tree_path").only("pk", "name", "tree_path")
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if not value or not value.isdigit():
            return queryset
        category = Category.objects.filter(pk=value).first()
        if category is None:
            return queryset.none()
        return queryset.filter(category__tree_path__startswith=category.tree_path)


@admin.register(Article)
class ArticleAdmin(ExtraViewsAdminMixin, SimpleHistoryAdmin):
    form = ArticleAdminForm
    list_display = [
        "title",
        "status_label",
        "category_name",
        "author",
        "published",
        "comment_count",
    ]
    list_filter = ["status", CategoryTreeFilter, "author", "published_at"]
    list_select_related = ["category", "author"]
    # Searched as the public API searches (get_search_results), over every status.
    search_fields = ["title", "excerpt", "body"]
    search_help_text = (
        'Words in the title, excerpt, body, category or tags; "a phrase", -word to '
        "leave out, or between alternatives."
    )
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["category", "author", "tags", "lead_image"]
    readonly_fields = [
        "comment_count",
        "comments_overview",
        "created_at",
        "updated_at",
        "preview_link",
        "frontend_preview",
        "lead_image_preview",
    ]
    actions = ["publish_selected", "archive_selected"]
    extra_views = [("<int:pk>/preview/", "preview_view", "articles_article_preview")]
    inlines = [ArticleSlugRedirectInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "excerpt", "body"]}),
        ("Lead image", {"fields": ["lead_image", "lead_image_preview"]}),
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

    class Media:
        css = {"all": ["articles/admin/articles.css"]}

    def get_search_results(self, request, queryset, search_term):
        """The full-text search of the public API (articles/search.py) over the
        articles the editor sees (drafts too), best matches first unless the editor
        orders by a column; no duplicates to remove."""
        if not search_term.strip():
            return queryset, False
        found = selectors.search_articles(queryset=queryset, text=search_term)
        if ORDER_VAR not in request.GET:
            found = found.order_by("-search_rank", "-published_at", "-pk")
        return found, False

    def changelist_view(self, request, extra_context=None):
        # The list shows each category by its full name ("Technology › Tech Industry"):
        # the whole tree (small) is read once per list page, not once per row. Kept per
        # thread: a ModelAdmin serves every request.
        _list_state.category_names = None
        # The whole width for the list (titles first and wide): no navigation sidebar
        # here, as on the comment queue; the breadcrumbs lead back.
        context = {"is_nav_sidebar_enabled": False, "title": "Articles"}
        return super().changelist_view(request, {**context, **(extra_context or {})})

    def _category_path_names(self) -> dict[int, str]:
        names = getattr(_list_state, "category_names", None)
        if names is None:
            rows = {
                pk: (name, parent)
                for pk, name, parent in Category.objects.values_list("pk", "name", "parent_id")
            }

            def full(pk, seen=()):
                name, parent = rows[pk]
                if parent is None or parent in seen or parent not in rows:
                    return name
                return f"{full(parent, (*seen, pk))} › {name}"

            names = _list_state.category_names = {pk: full(pk) for pk in rows}
        return names

    @admin.display(description="category", ordering="category__tree_path")
    def category_name(self, article):
        if article.category_id is None:
            return "—"
        return self._category_path_names().get(article.category_id, article.category.name)

    @admin.display(description="published", ordering="published_at")
    def published(self, article):
        if article.published_at is None:
            return "—"
        return date_format(timezone.localtime(article.published_at), "j M Y, H:i")

    @admin.display(description="status", ordering="status")
    def status_label(self, article):
        return format_html(
            '<span class="status-label status-{}">{}</span>',
            article.status,
            article.get_status_display(),
        )

    @admin.display(description="preview")
    def lead_image_preview(self, article):
        if not article.lead_image_id:
            return "None yet: choose one above (search by alt text, caption or credit)."
        image = article.lead_image
        return format_html(
            '<img src="{}" alt="{}" class="library-preview"><br><small>{}</small>',
            thumbnail_url(image),
            image.alt_text,
            image.credit,
        )

    def view_on_site(self, article):
        """The article's page on the public site, when the site says where its pages are
        (ARTICLE_PATH_TEMPLATE); no link otherwise (not the API's JSON)."""
        if not settings.ARTICLE_PATH_TEMPLATE or not article.is_visible:
            return None
        return links.absolute(settings.ARTICLE_PATH_TEMPLATE.format(slug=article.slug))

    def render_change_form(self, request, context, *args, **kwargs):
        # The editor's import map is an inline <script>: it carries the request's CSP
        # nonce (the policy allows no other inline script).
        media = context.get("media")
        if media is not None:
            context["media"] = JsAssetMedia.from_media(media, nonce=request.csp_nonce)
        return super().render_change_form(request, context, *args, **kwargs)

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
            Article.objects.select_related("category", "author", "lead_image").prefetch_related(
                "tags"
            ),
            pk=pk,
        )
        if not self.has_view_permission(request, article):
            raise PermissionDenied
        context = {
            "article": article,
            "category_name": (
                " › ".join(
                    Category.objects.filter(
                        pk__in=[int(pk) for pk in article.category.tree_path.strip("/").split("/")]
                    )
                    .order_by("tree_path")
                    .values_list("name", flat=True)
                )
                if article.category
                else ""
            ),
            "lead_image": image_of(article.lead_image),
            "tags": [tag.name for tag in article.tags.all()],
        }
        return TemplateResponse(request, "admin/articles/article/preview.html", context)
