"""End-to-end (#17): an Editor, at 1366×768, uploads a picture to the media library,
writes an article in the rich-text editor (a heading, a link, the picture picked from the
library with its caption), sets the lead image, publishes, previews, and reads both
pictures back from the API; the article list is readable at that width."""

import io
import re

import pytest
from django.core.management import call_command
from PIL import Image as PILImage
from playwright.sync_api import expect

from articles.models import Article, Image
from tests.e2e.helpers import admin_login, api_get, select2_choose

pytestmark = pytest.mark.e2e

EDITOR_AREA = ".prose-editor > .ProseMirror[contenteditable=true]"


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMAGE_RENDITION_WIDTHS = [480, 960]


@pytest.fixture
def photo(tmp_path):
    """A 1600×1000 JPEG with a pattern (a flat colour would compress to nothing)."""
    picture = PILImage.new("RGB", (1600, 1000), (38, 84, 124))
    for x in range(0, 1600, 50):
        for y in range(0, 1000, 50):
            if (x // 50 + y // 50) % 2:
                picture.paste((226, 170, 60), (x, y, x + 50, y + 50))
    path = tmp_path / "cameras.jpg"
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85)
    path.write_bytes(out.getvalue())
    return path


def test_an_editor_writes_an_illustrated_article(page, shot, live_server, member_of, photo):
    call_command("load_demo_data", verbosity=0)
    page.set_viewport_size({"width": 1366, "height": 768})
    admin_login(page, member_of("Editor"))

    # The media library: upload with alt text, caption and credit.
    page.goto("/admin/articles/image/add/")
    page.set_input_files("#id_file", str(photo))
    page.fill("#id_alt_text", "Two mirrorless cameras side by side")
    page.fill("#id_caption", "The first bodies of the new cooperation")
    page.fill("#id_credit", "Photo: Newsroom")
    shot("image-upload")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_be_visible()
    image = Image.objects.get()
    # Renditions are the worker's (the immediate backend of the test settings runs the
    # task once the upload has committed).
    expect(page.locator("#result_list .field-renditions_state")).to_contain_text("480, 960")
    thumbnail = page.locator("#result_list img.library-thumb").bounding_box()
    assert thumbnail["width"] <= 100, thumbnail  # a thumbnail, not the picture
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    shot("image-library")

    # The focal point: a click on the picture where the subject is.
    page.goto(f"/admin/articles/image/{image.pk}/change/")
    preview = page.locator("img.library-preview")
    box = preview.bounding_box()
    preview.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.4})
    expect(page.locator(".focal-marker")).to_be_visible()
    shot("focal-point")
    page.click("input[name=_save]")
    image.refresh_from_db()
    assert abs(image.focal_x - 0.25) < 0.02 and abs(image.focal_y - 0.4) < 0.02

    # The article: a headline as wide as the form, then the body in the editor.
    page.goto("/admin/articles/article/add/")
    title_box = page.locator("#id_title").bounding_box()
    assert title_box["width"] > 700, title_box  # was 274 px: headlines were cut
    page.locator("#id_title").press_sequentially("Leica And Panasonic Show Their First Bodies")
    page.fill("#id_excerpt", "The cooperation's first cameras, in pictures.")
    body = page.locator(EDITOR_AREA)
    body.click()
    page.keyboard.type("What was announced")
    page.click(".prose-menubar__selected")
    page.click(".prose-menubar__option[data-name='heading2']")
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.type("Read the announcement")
    page.keyboard.press("Enter")  # an empty paragraph for the picture
    expect(body.locator("p")).to_have_count(2)

    # A picture from the library: the figure dialog's Browse... opens the picker.
    page.click(".prose-menubar__button[title='figure']")
    with page.expect_popup() as opened:
        page.click("dialog[open] button:has-text('Browse')")
    picker = opened.value
    picker.wait_for_load_state()
    expect(picker.locator(".picker-choice")).to_have_count(1)
    picker.screenshot(path=shot.directory / "picker.png")
    picker.click(".picker-choice")
    expect(page.locator("dialog[open] input[name=altText]")).to_have_value(
        "Two mirrorless cameras side by side"
    )
    page.fill("dialog[open] input[name=caption]", "The two bodies, shown in Wetzlar")
    shot("figure-dialog")
    page.click("dialog[open] button[type=submit]")
    expect(body.locator("figure img")).to_be_visible()

    # The link last (the figure's insertion takes the editor's selection, so a link
    # made before it could be replaced): select the paragraph's words, then the dialog.
    paragraph = body.locator("p", has_text="Read the announcement")
    paragraph.click(click_count=3)  # the paragraph's words selected
    page.click(".prose-menubar__button[title='insert link']")
    page.fill("dialog[open] input[name=href]", "https://example.org/announcement")
    page.click("dialog[open] button[type=submit]")
    expect(body.locator("a[href='https://example.org/announcement']")).to_have_text(
        "Read the announcement"
    )
    expect(body.locator("figure img")).to_be_visible()

    select2_choose(page, "id_lead_image", "mirrorless", "Two mirrorless cameras side by side")
    select2_choose(page, "id_category", "Tech", "Tech Industry")
    page.select_option("#id_status", "published")
    shot("article-form")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")

    article = Article.objects.get(slug="leica-and-panasonic-show-their-first-bodies")
    assert article.lead_image == image
    assert "<h2>What was announced</h2>" in article.body
    assert 'href="https://example.org/announcement"' in article.body
    assert f'data-file="{image.pk}"' in article.body

    # The list at 1366 px: titles first and wide, status as a label, full category names.
    shot("article-list")
    row = page.locator("#result_list tbody tr", has_text="Show Their First Bodies")
    expect(row.locator(".status-label")).to_have_text("Published")
    expect(row.locator(".field-category_name")).to_have_text("Technology › Tech Industry")
    assert row.locator("th.field-title").bounding_box()["width"] >= 300
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366

    # The preview reads like the page readers get, with its pictures.
    page.goto(f"/admin/articles/article/{article.pk}/preview/")
    expect(page.locator("figure.lead img")).to_have_attribute("alt", re.compile("mirrorless"))
    assert page.evaluate("document.querySelector('figure.lead img').naturalWidth") > 0
    assert page.evaluate("document.querySelector('.body figure img').naturalWidth") > 0
    shot("preview")

    # The API: the lead image with its renditions, and the body's picture at a rendition.
    detail = api_get(page, f"/api/v1/articles/{article.slug}/")
    shot("api-detail")
    lead = detail["lead_image"]
    assert lead["alt"] == "Two mirrorless cameras side by side"
    assert lead["focal_point"] == {"x": image.focal_x, "y": image.focal_y}
    assert lead["caption"] == "The first bodies of the new cooperation"
    assert lead["credit"] == "Photo: Newsroom"
    assert (lead["width"], lead["height"]) == (1600, 1000)
    assert lead["srcset"].count("w, ") == 1 and lead["srcset"].endswith("960w")
    figure = re.search(r"<figure>.*?</figure>", detail["body_html"]).group(0)
    assert re.search(r'src="http://[^"]+/media/renditions/\d+/[^"]+-960\.jpg"', figure), figure
    assert "480w" in figure and "<figcaption>The two bodies, shown in Wetzlar</figcaption>" in figure
    for url in re.findall(r'(?:src|srcset)="([^" ]+)', figure):
        assert page.request.get(url).ok, url  # the renditions are served
    listed = api_get(page, "/api/v1/articles/?category=tech-industry")["results"]
    assert next(a for a in listed if a["slug"] == article.slug)["lead_image"] == lead
