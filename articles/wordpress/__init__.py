"""Import a WordPress eXtended RSS (WXR 1.0–1.2) export: categories, tags, authors, posts,
old slugs and reader comments (docs/wordpress-import.md).

One concern a module: reading.py streams the file into plain records, converting.py
turns WordPress values into ours, terms.py writes authors, categories and tags,
importing.py posts and their comments (the comments app builds the threads) in one
transaction, and summary.py reports what was done.
"""

from articles.wordpress.converting import html_to_text, tree_depths, wordpress_paragraphs
from articles.wordpress.importing import WordPressImporter, wordpress_import
from articles.wordpress.reading import WxrError, read_wxr
from articles.wordpress.summary import ImportSummary

__all__ = [
    "ImportSummary",
    "WordPressImporter",
    "WxrError",
    "html_to_text",
    "read_wxr",
    "tree_depths",
    "wordpress_import",
    "wordpress_paragraphs",
]
