"""/wp-json/: WordPress's REST routes (wp/v2) and its index. Paths end with or without a
slash, as WordPress accepts both; anything else under /wp-json/ is rest_no_route."""

from django.urls import re_path

from wordpress_api import comment_views, index, views
from wordpress_api.errors import no_route_response

_ID = r"(?P<pk>[0-9]{1,18})"
_V2 = r"^wp-json/wp/v2"

urlpatterns = [
    re_path(r"^wp-json/?$", index.IndexView.as_view(), name="wp-index"),
    re_path(rf"{_V2}/?$", index.NamespaceView.as_view(), name="wp-namespace"),
    re_path(rf"{_V2}/posts/?$", views.PostsView.as_view(), name="wp-posts"),
    re_path(rf"{_V2}/posts/{_ID}/?$", views.PostView.as_view(), name="wp-post"),
    re_path(rf"{_V2}/categories/?$", views.CategoriesView.as_view(), name="wp-categories"),
    re_path(rf"{_V2}/categories/{_ID}/?$", views.CategoryView.as_view(), name="wp-category"),
    re_path(rf"{_V2}/tags/?$", views.TagsView.as_view(), name="wp-tags"),
    re_path(rf"{_V2}/tags/{_ID}/?$", views.TagView.as_view(), name="wp-tag"),
    re_path(rf"{_V2}/users/?$", views.UsersView.as_view(), name="wp-users"),
    re_path(rf"{_V2}/users/{_ID}/?$", views.UserView.as_view(), name="wp-user"),
    re_path(rf"{_V2}/media/?$", views.MediaListView.as_view(), name="wp-media-list"),
    re_path(rf"{_V2}/media/{_ID}/?$", views.MediaView.as_view(), name="wp-media"),
    re_path(rf"{_V2}/comments/?$", comment_views.CommentsView.as_view(), name="wp-comments"),
    re_path(rf"{_V2}/comments/{_ID}/?$", comment_views.CommentView.as_view(), name="wp-comment"),
    re_path(r"^wp-json/", no_route_response, name="wp-no-route"),
]
