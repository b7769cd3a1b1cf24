"""What the site's RSS and Atom feeds share: an item's guid.

A guid names the kind of item and its id ("article:12", "comment:7"), so it stays the
same when a slug or the site's address changes and a feed reader never shows an item
twice. It is therefore not a permalink (`isPermaLink="false"`).
"""

from django.contrib.syndication.views import Feed


class StableGuidFeed(Feed):
    guid_prefix: str  # the kind of item: "article", "comment"
    item_guid_is_permalink = False

    def item_guid(self, item):
        return f"{self.guid_prefix}:{item.pk}"
