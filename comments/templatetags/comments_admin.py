from django import template

from comments.selectors import pending_comment_count

register = template.Library()


@register.simple_tag
def pending_comments() -> int:
    return pending_comment_count()
