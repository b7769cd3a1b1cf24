"""factory-boy factories for comments."""

import factory
from django.utils import timezone

from comments.models import Comment
from tests.factories import ArticleFactory


class CommentFactory(factory.django.DjangoModelFactory):
    """An approved, listed top-level comment unless told otherwise.

    Factories write rows directly, bypassing comments.services: a test that builds a
    reply or a non-approved comment sets `depth`, `status` and `is_listed` itself.
    """

    class Meta:
        model = Comment

    article = factory.SubFactory(ArticleFactory)
    author_name = factory.Sequence(lambda n: f"Reader {n}")
    author_email = factory.Sequence(lambda n: f"reader{n}@example.com")
    body = factory.Sequence(lambda n: f"Comment number {n}.")
    status = Comment.Status.APPROVED
    is_listed = True
    submitted_at = factory.LazyFunction(timezone.now)
    ip_address = factory.Sequence(lambda n: f"10.0.{n // 250 % 250}.{n % 250 + 1}")
    user_agent = "Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0"
