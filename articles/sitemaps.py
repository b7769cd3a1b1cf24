"""XML sitemap of visible articles and of categories."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap

from articles import links
from articles.models import Article, Category


class _SiteUrlSitemap(Sitemap):
    """Locations on SITE_URL (the public site), not on whatever host asked."""

    limit = 5000

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or "https"


class ArticleSitemap(_SiteUrlSitemap):
    changefreq = "daily"

    def items(self):
        return Article.objects.visible().only("slug", "updated_at").order_by("-published_at", "-id")

    def location(self, article):
        return links.article_path(article)

    def lastmod(self, article):
        return article.updated_at


class CategorySitemap(_SiteUrlSitemap):
    changefreq = "daily"

    def items(self):
        return Category.objects.only("slug", "slug_path", "updated_at").order_by("tree_path")

    def location(self, category):
        return links.category_path(category)

    def lastmod(self, category):
        return category.updated_at


SITEMAPS = {"articles": ArticleSitemap, "categories": CategorySitemap}
