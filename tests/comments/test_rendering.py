"""Plain-text comment bodies rendered to HTML: escaped, bare URLs linked, paragraphs."""

import pytest

from comments.rendering import count_links, render_comment_body

# --- escaping ------------------------------------------------------------------------


def test_script_tags_are_shown_as_text():
    html = render_comment_body('<script>alert("hi")</script>')

    assert "<script" not in html
    assert html == "<p>&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt;</p>"


def test_quotes_and_ampersands_are_escaped():
    html = render_comment_body('Tom & Jerry\'s "show"')

    assert html == "<p>Tom &amp; Jerry&#x27;s &quot;show&quot;</p>"


def test_markup_that_looks_like_a_link_is_not_a_link():
    html = render_comment_body('<a href="https://evil.example">click</a>')

    assert "<a " not in html.replace('<a href="https://evil.example" rel="nofollow ugc">', "")
    assert html.startswith("<p>&lt;a href=&quot;")


def test_already_escaped_entities_are_escaped_again():
    # The body is plain text: "&lt;" typed by a reader is shown as "&lt;".
    assert render_comment_body("&lt;b&gt;") == "<p>&amp;lt;b&amp;gt;</p>"


# --- links ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "href"),
    [
        ("http://example.com/page", "http://example.com/page"),
        ("https://example.com/page?q=1", "https://example.com/page?q=1"),
        ("HTTPS://Example.com/", "HTTPS://Example.com/"),
        ("www.example.com/path", "http://www.example.com/path"),
    ],
)
def test_bare_urls_become_nofollow_ugc_links(text, href):
    html = render_comment_body(f"Look: {text} now")

    assert html == f'<p>Look: <a href="{href}" rel="nofollow ugc">{text}</a> now</p>'


def test_ampersand_in_a_link_is_escaped_in_href_and_text():
    html = render_comment_body("https://example.com/?a=1&b=2")

    assert html == (
        '<p><a href="https://example.com/?a=1&amp;b=2" rel="nofollow ugc">'
        "https://example.com/?a=1&amp;b=2</a></p>"
    )


@pytest.mark.parametrize(
    "text",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "ftp://example.com/file",
        "mailto:ada@example.com",
    ],
)
def test_other_schemes_never_become_links(text):
    html = render_comment_body(text)

    assert "<a " not in html
    assert "href" not in html
    assert "<script" not in html


def test_quote_ends_a_link_so_no_attribute_can_be_injected():
    html = render_comment_body('https://example.com/"onmouseover="alert(1)')

    assert html == (
        '<p><a href="https://example.com/" rel="nofollow ugc">https://example.com/</a>'
        "&quot;onmouseover=&quot;alert(1)</p>"
    )


def test_angle_bracket_ends_a_link():
    html = render_comment_body("https://example.com/<script>")

    assert html == (
        '<p><a href="https://example.com/" rel="nofollow ugc">https://example.com/</a>'
        "&lt;script&gt;</p>"
    )


@pytest.mark.parametrize(
    ("text", "url", "after"),
    [
        ("See https://example.com/a.", "https://example.com/a", "."),
        ("See https://example.com/a, then", "https://example.com/a", ", then"),
        ("(see https://example.com/a)", "https://example.com/a", ")"),
        ("Really? https://example.com/a?!", "https://example.com/a", "?!"),
        ("Go to www.example.com!", "www.example.com", "!"),
    ],
)
def test_trailing_punctuation_is_left_out_of_the_link(text, url, after):
    html = render_comment_body(text)

    assert f'rel="nofollow ugc">{url}</a>{after}' in html
    assert f'href="{url}' in html or f'href="http://{url}"' in html


@pytest.mark.parametrize("text", ["http:// and https:// and www.", "http://... www...", "www!"])
def test_bare_scheme_or_www_alone_is_not_a_link(text):
    assert "<a " not in render_comment_body(text)
    assert count_links(text) == 0


def test_several_links_in_one_body_are_all_linked():
    html = render_comment_body("a https://one.example b www.two.example c")

    assert html.count('rel="nofollow ugc"') == 2


# --- paragraphs ----------------------------------------------------------------------


def test_blank_lines_separate_paragraphs():
    assert render_comment_body("First.\n\nSecond.\n \n\nThird.") == (
        "<p>First.</p><p>Second.</p><p>Third.</p>"
    )


def test_single_newlines_become_line_breaks():
    assert render_comment_body("Line one\nLine two") == "<p>Line one<br>Line two</p>"


def test_windows_and_old_mac_newlines_are_normalized():
    assert render_comment_body("One\r\nTwo\r\n\r\nThree\rFour") == (
        "<p>One<br>Two</p><p>Three<br>Four</p>"
    )


def test_surrounding_whitespace_is_dropped():
    assert render_comment_body("\n\n  Hello  \n\n") == "<p>Hello</p>"


@pytest.mark.parametrize("text", ["", "   ", "\n\n\r\n"])
def test_empty_body_renders_nothing(text):
    assert render_comment_body(text) == ""


def test_link_at_the_end_of_a_line_does_not_swallow_the_break():
    html = render_comment_body("https://example.com/a\nnext line")

    assert html == (
        '<p><a href="https://example.com/a" rel="nofollow ugc">https://example.com/a</a>'
        "<br>next line</p>"
    )


# --- count_links ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("No links at all.", 0),
        ("One: https://example.com.", 1),
        ("http://a.example and https://b.example", 2),
        ("www.a.example, www.b.example; https://c.example/x?y=1", 3),
        ("javascript:alert(1) data:text/html,hi", 0),
        ("example.com without a scheme", 0),
    ],
)
def test_count_links(text, expected):
    assert count_links(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "plain",
        "See https://example.com.",
        "http:// and https:// and www.",
        "www... and http://...",
        "(https://a.example) [www.b.example] {http://c.example}",
        'https://x.example/"quoted" <https://y.example>',
        "HTTP://SHOUT.EXAMPLE www.example.com/",
    ],
)
def test_count_links_matches_the_links_rendered(text):
    # The moderation step holds comments by this count; it must count what readers see.
    assert count_links(text) == render_comment_body(text).count("<a ")
