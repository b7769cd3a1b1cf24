"""RSS 2.0 and Atom feeds of the latest visible articles: site-wide, per category
(descendants included), per tag. Authors appear by display name only."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed

from articles import links, selectors
from articles.models import Category, Tag
from plumbing.feeds import StableGuidFeed

FEED_SIZE = 20


class LatestArticlesFeed(StableGuidFeed):
    description_template = None
    guid_prefix = "article"

    def title(self, obj=None):
        return f"{settings.SITE_NAME}: latest articles"

    def link(self, obj=None):
        return links.absolute("/")

    def description(self, obj=None):
        return f"The latest articles from {settings.SITE_NAME}."

    def articles(self, obj):
        return selectors.public_articles()

    def items(self, obj=None):
        return self.articles(obj).order_by("-published_at", "-id")[:FEED_SIZE]

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        # The sanitized excerpt, or the sanitized body when there is no excerpt.
        return article.excerpt or article.body

    def item_link(self, article):
        return links.absolute(links.article_path(article))

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return article.updated_at

    def item_author_name(self, article):
        return article.author.name if article.author else None

    def item_categories(self, article):
        names = [tag.name for tag in article.tags.all()]
        if article.category:
            names.insert(0, article.category.name)
        return names


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed
    subtitle = LatestArticlesFeed.description


class TermArticlesFeed(LatestArticlesFeed):
    """The latest articles under one category or tag, found by its slug."""

    model: type[Category] | type[Tag]

    def get_object(self, request, slug):
        return get_object_or_404(self.model, slug=slug)

    def title(self, term):
        return f"{settings.SITE_NAME}: {term.name}"


class CategoryArticlesFeed(TermArticlesFeed):
    model = Category

    def link(self, category):
        return links.absolute(links.category_path(category))

    def description(self, category):
        return f"The latest articles in {category.name}."

    def articles(self, category):
        return selectors.public_articles().in_category(category)


class TagArticlesFeed(TermArticlesFeed):
    model = Tag

    def description(self, tag):
        return f"The latest articles tagged {tag.name}."

    def articles(self, tag):
        return selectors.public_articles().filter(tags=tag)
