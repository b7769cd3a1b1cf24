"""Output serializers of the public articles API (read-only: the public writes nothing here)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from articles.models import Article, Category, Tag
from comments.moderation import comments_open_for


class CategoryRefSerializer(serializers.ModelSerializer):
    path = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Category
        fields = ["name", "slug", "path"]


class TagRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["name", "slug"]


class AuthorRefSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.SlugField()


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    path = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Ancestor slugs, root first."
    )
    article_count = serializers.IntegerField(
        read_only=True, help_text="Visible articles in this category and its descendants."
    )

    class Meta:
        model = Category
        fields = ["id", "name", "slug", "description", "parent", "path", "article_count"]


class TagSerializer(serializers.ModelSerializer):
    article_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Tag
        fields = ["id", "name", "slug", "article_count"]


class ArticleListSerializer(serializers.ModelSerializer):
    category = CategoryRefSerializer(read_only=True, allow_null=True)
    tags = TagRefSerializer(many=True, read_only=True)
    author = AuthorRefSerializer(read_only=True, allow_null=True)
    comment_count = serializers.IntegerField(read_only=True, help_text="Approved comments.")
    url = serializers.SerializerMethodField()

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

    @extend_schema_field(serializers.URLField())
    def get_url(self, article: Article) -> str:
        return reverse(
            "api:article-detail", kwargs={"slug": article.slug}, request=self.context.get("request")
        )


class ArticleDetailSerializer(ArticleListSerializer):
    body_html = serializers.CharField(source="body", read_only=True, help_text="Sanitized HTML.")
    comments_open = serializers.SerializerMethodField()
    comments_url = serializers.SerializerMethodField()

    class Meta(ArticleListSerializer.Meta):
        fields = ArticleListSerializer.Meta.fields + ["body_html", "comments_open", "comments_url"]

    @extend_schema_field(serializers.BooleanField())
    def get_comments_open(self, article: Article) -> bool:
        # The view puts the site's moderation policy and the request time in the context.
        return comments_open_for(article, self.context["policy"], now=self.context["now"])

    @extend_schema_field(serializers.URLField())
    def get_comments_url(self, article: Article) -> str:
        # The comments collection lives under the article's own URL.
        return self.get_url(article) + "comments/"
