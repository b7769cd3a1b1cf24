"""The public comment serializer writes its dict directly (comments/api/public/
serializers.py) for the POST's answer and every thread page; the output must be exactly
what DRF's generic path gives from the declared fields."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework import serializers

from comments import selectors
from comments.api.public.serializers import CommentEditedSerializer, CommentSerializer
from comments.models import Comment
from tests.comments.factories import CommentFactory
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def generic(serializer, comment) -> dict:
    """What DRF's own Serializer.to_representation makes of the comment."""
    return serializers.Serializer.to_representation(serializer, comment)


@pytest.fixture
def thread():
    article = ArticleFactory()
    root = CommentFactory(
        article=article,
        author_url="https://example.org/über?a=1&b=<2>",
        body="Ünïcödé “quotes” <b>and</b> a link https://example.com/x?y=1 \u2028 & more",
        submitted_at=timezone.now().replace(microsecond=123456) - timedelta(days=3),
        featured=True,
        reaction_count=7,
    )
    CommentFactory(article=article, parent=root, depth=1, author_url="", body="A reply.")
    return list(selectors.public_thread(article=article))


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/St_Johns"])
def test_the_direct_output_is_drfs_own(thread, zone):
    with override_settings(TIME_ZONE=zone):
        for comment in thread:
            serializer = CommentSerializer(comment)
            assert serializer.data == generic(CommentSerializer(comment), comment)
        # The comparison is not vacuous: the thread has a reply, a link and a pick.
        outputs = [CommentSerializer(comment).data for comment in thread]
        assert {out["parent"] for out in outputs} == {None, thread[0].pk}
        assert outputs[0]["featured"] is True and outputs[0]["reaction_count"] == 7
        assert 'rel="nofollow ugc"' in outputs[0]["body_html"]


def test_the_direct_writer_covers_every_declared_field(thread):
    serializer = CommentSerializer(thread[0])
    assert list(serializer.data) == list(serializer.fields)


def test_subclasses_with_fields_of_their_own_take_the_generic_path(thread):
    comment = thread[0]
    comment.status = Comment.Status.APPROVED
    data = CommentEditedSerializer(comment).data
    assert data["status"] == "approved"
    assert set(data) == set(CommentSerializer(comment).data) | {"status"}
