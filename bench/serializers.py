"""The plain-DRF yardstick's serializers: the article list item and detail as a typical
DRF developer writes them, ModelSerializers all the way down.

The same fields, with the same values, as the project's own list item and detail
(articles/api/serializers.py; tests/bench/test_yardsticks.py compares them), but none of
its shortcuts: nested serializers per row, a HyperlinkedIdentityField that reverses the
URL for every article, DRF's generic field machinery for every value.
"""

from django.core.files.storage import default_storage
from rest_framework import serializers

from articles.models import Article, Author, Category, Image, Tag
from comments.selectors import comments_open_for


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["name", "slug"]


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["name", "slug", "path"]  # path: a model property, a ReadOnlyField


class AuthorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Author
        fields = ["name", "slug"]


class LeadImageSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    alt = serializers.CharField(source="alt_text")
    focal_point = serializers.SerializerMethodField()
    srcset = serializers.SerializerMethodField()
    webp_srcset = serializers.SerializerMethodField()

    class Meta:
        model = Image
        fields = [
            "url",
            "width",
            "height",
            "alt",
            "caption",
            "credit",
            "focal_point",
            "srcset",
            "webp_srcset",
        ]

    def _absolute(self, url):
        return self.context["request"].build_absolute_uri(url)

    def get_url(self, image):
        return self._absolute(image.url)

    def get_focal_point(self, image):
        if image.focal_x is None or image.focal_y is None:
            return None
        return {"x": image.focal_x, "y": image.focal_y}

    def _srcset(self, image, webp):
        if not image.file or image.renditions_of != image.file.name:
            return ""
        return ", ".join(
            f"{self._absolute(default_storage.url(r['name']))} {r['width']}w"
            for r in image.renditions
            if (r["format"] == "webp") == webp
        )

    def get_srcset(self, image):
        return self._srcset(image, webp=False)

    def get_webp_srcset(self, image):
        return self._srcset(image, webp=True)


class ArticleListSerializer(serializers.ModelSerializer):
    category = CategorySerializer(read_only=True)
    tags = TagSerializer(many=True, read_only=True)
    author = AuthorSerializer(read_only=True)
    lead_image = LeadImageSerializer(read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:article-detail", lookup_field="slug")

    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "slug",
            "excerpt",
            "category",
            "tags",
            "author",
            "lead_image",
            "published_at",
            "updated_at",
            "comment_count",
            "url",
        ]


class ArticleDetailSerializer(ArticleListSerializer):
    body_html = serializers.CharField(source="body", read_only=True)
    comments_open = serializers.SerializerMethodField()
    comments_url = serializers.SerializerMethodField()
    reaction_label = serializers.SerializerMethodField()

    class Meta(ArticleListSerializer.Meta):
        fields = ArticleListSerializer.Meta.fields + [
            "body_html",
            "comments_open",
            "comments_message",
            "comments_url",
            "reaction_label",
        ]

    def get_comments_open(self, article: Article) -> bool:
        policy, now = self.context["policy"], self.context["now"]
        return comments_open_for(article=article, policy=policy, now=now)

    def get_comments_url(self, article: Article) -> str:
        return self.fields["url"].to_representation(article) + "comments/"

    def get_reaction_label(self, article: Article) -> str | None:
        policy = self.context["policy"]
        return policy.reaction_label if policy.reactions_enabled else None
