"""The latest approved comments on an article, as RSS. Commenters appear by name only:
no email, ever (Django's feeds only print an author email when asked for one)."""

from django.conf import settings
from django.shortcuts import get_object_or_404

from articles import links
from articles.models import Article
from comments.models import Comment
from comments.rendering import render_comment_body
from plumbing.feeds import StableGuidFeed

FEED_SIZE = 30


class ArticleCommentsFeed(StableGuidFeed):
    guid_prefix = "comment"

    def get_object(self, request, slug):
        return get_object_or_404(Article.objects.visible(), slug=slug)

    def title(self, article):
        return f"Comments on: {article.title}"

    def link(self, article):
        return links.absolute(links.article_path(article))

    def description(self, article):
        return f"The latest comments on “{article.title}” at {settings.SITE_NAME}."

    def items(self, article):
        return (
            Comment.objects.listed()
            .filter(article=article)
            .only("id", "author_name", "body", "submitted_at", "article_id")
            .order_by("-submitted_at", "-id")[:FEED_SIZE]
        )

    def item_title(self, comment):
        return f"By {comment.author_name}"

    def item_description(self, comment):
        return render_comment_body(comment.body)

    def item_link(self, comment):
        return links.absolute(links.comment_path(comment, self._article))

    def item_pubdate(self, comment):
        return comment.submitted_at

    def item_author_name(self, comment):
        return comment.author_name

    def get_feed(self, obj, request):
        self._article = obj
        return super().get_feed(obj, request)
