"""The plain-DRF yardstick's serializers: the article list item and detail as a typical
DRF developer writes them, ModelSerializers all the way down.

The same fields, with the same values, as the project's own list item and detail
(articles/api/serializers.py; tests/bench/test_yardsticks.py compares them), but none of
its shortcuts: nested serializers per row, a HyperlinkedIdentityField that reverses the
URL for every article, DRF's generic field machinery for every value.
"""

from rest_framework import serializers

from articles.models import Article, Author, Category, Tag
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


class ArticleListSerializer(serializers.ModelSerializer):
    category = CategorySerializer(read_only=True)
    tags = TagSerializer(many=True, read_only=True)
    author = AuthorSerializer(read_only=True)
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
