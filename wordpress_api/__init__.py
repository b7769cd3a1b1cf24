"""The WordPress REST API (`/wp-json/wp/v2/`) over our articles and comments, so
frontends and scripts written for WordPress work unchanged (docs/wordpress.md).

An adapter: the shapes, parameters and error codes are WordPress's; the data, visibility
rules, moderation pipeline, throttles and response cache are the articles and comments
apps' own.
"""
