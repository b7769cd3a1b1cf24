"""End-to-end: the comment queue at a laptop's 1366×768. Each row's decisions are on
screen without scrolling sideways; a moderator approves, marks spam and removes with a
reason from the queue, with the mouse and with the keyboard."""

import re

import pytest
from playwright.sync_api import expect

from comments import moderating, services
from comments.models import Comment
from tests.comments.helpers import set_policy
from tests.e2e.helpers import admin_login
from tests.factories import ArticleFactory

pytestmark = pytest.mark.e2e

QUEUE = "/admin/comments/comment/?status__exact=pending"
LAPTOP = {"width": 1366, "height": 768}


def post(article, name: str, body: str) -> Comment:
    email = re.sub(r"\W+", ".", name.lower()) + "@example.org"
    return services.comment_create(
        article=article, author_name=name, author_email=email, body=body, ip_address="192.0.2.9"
    ).comment


@pytest.fixture
def held_comments(editor):
    """Four held comments: two with links, one reported by three readers, one new reader."""
    set_policy(
        flood_interval_seconds=0, approved_comments_required=1, hold_link_count=2, flag_threshold=3
    )
    budget = ArticleFactory(title="Council Approves a Record Budget for the Harbour Bridge")
    cameras = ArticleFactory(title="Leica and Panasonic Share a Lens Mount")
    spammy = post(
        cameras,
        "Cheap Lenses Outlet",
        "Great article!!! Buy cheap lenses at https://cheap-lenses.example/deal and "
        "https://cheap-lenses.example/more today only",
    )
    linked = post(
        budget,
        "Lena Links",
        "Here is the council's own spreadsheet: https://council.example/budget/2026.xlsx "
        "and the auditor's report at www.audit.example/reports/harbour-bridge-final",
    )
    reported = post(cameras, "Angry Andy", "Anyone who buys this camera is an idiot.")
    moderating.comments_moderate(ids=[reported.pk], status=Comment.Status.APPROVED)
    for n in range(3):
        services.comment_flag(
            comment=Comment.objects.get(pk=reported.pk), ip_address=f"198.51.100.{n + 1}"
        )
    newcomer = post(
        budget,
        "Rita Reader",
        "Will the bridge close during the works? I cross it every morning on my bike and "
        "would like to know how long the detour is going to be.",
    )
    return {"linked": linked, "spammy": spammy, "reported": reported, "newcomer": newcomer}


def status_of(comment) -> str:
    return Comment.objects.values_list("status", flat=True).get(pk=comment.pk)


def assert_fits(page, locator) -> None:
    """On screen as the page opens: inside the viewport, and nothing to scroll sideways."""
    viewport = page.viewport_size
    box = locator.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= viewport["width"], (box, viewport)
    assert box["y"] + box["height"] <= viewport["height"], (box, viewport)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= viewport["width"], scroll_width
    assert page.evaluate("window.scrollX") == 0


def row_with(page, text: str):
    return page.locator("#result_list tbody tr", has_text=text)


def test_the_queue_fits_a_laptop_and_decides_from_the_row(page, shot, editor, held_comments):
    page.set_viewport_size(LAPTOP)
    admin_login(page, editor)
    page.goto(QUEUE)
    expect(page.locator("#content h1")).to_have_text("Comments awaiting moderation")
    expect(page.locator("#result_list tbody tr")).to_have_count(4)
    shot("queue-1366")

    # The reported comment comes first (priority), its decisions on screen.
    first = page.locator("#result_list tbody tr").first
    expect(first).to_contain_text("Anyone who buys this camera")
    expect(first).to_contain_text("reported by 3 readers")
    expect(first).to_contain_text("Leica and Panasonic Share a Lens Mount")
    approve = first.get_by_role("button", name="Approve")
    assert_fits(page, approve)
    assert_fits(page, first.locator("td.field-status_cell .cq-why"))

    # Links show as links, and why the comment waits is said in words.
    linked = row_with(page, "Lena Links")
    expect(linked.locator("a[href='https://council.example/budget/2026.xlsx']")).to_be_visible()
    expect(linked).to_contain_text("2 links")
    expect(row_with(page, "Rita Reader")).to_contain_text("unconfirmed email")

    # Approve the newcomer's question.
    row_with(page, "Rita Reader").get_by_role("button", name="Approve").click()
    expect(page.locator(".messagelist .success")).to_contain_text(
        f"Comment {held_comments['newcomer'].pk}: approved."
    )
    expect(page).to_have_url(re.compile(r"status__exact=pending"))  # back in the queue
    expect(row_with(page, "Rita Reader")).to_have_count(0)
    assert status_of(held_comments["newcomer"]) == "approved"
    shot("approved-one")

    # The shop's advert is spam.
    row_with(page, "Cheap Lenses Outlet").get_by_role("button", name="Spam").click()
    expect(page.locator(".messagelist .success")).to_contain_text("spam")
    assert status_of(held_comments["spammy"]) == "spam"
    shot("marked-spam")

    # The last row's "Remove…" menu opens whole, over what follows the table.
    last = page.locator("#result_list tbody tr").last
    last.locator("summary", has_text="Remove").click()
    other = last.locator(".cq-menu").get_by_role("button", name="Other")
    expect(other).to_be_visible()
    box = other.bounding_box()
    assert (
        page.evaluate(
            "([x, y]) => document.elementFromPoint(x, y).textContent", [box["x"] + 5, box["y"] + 5]
        )
        == "Other"
    )  # not hidden under anything
    shot("last-row-menu")
    page.keyboard.press("Escape")

    # The insult is removed as harassment, from the row's "Remove…" menu.
    row = row_with(page, "Angry Andy")
    row.locator("summary", has_text="Remove").click()
    menu = row.locator(".cq-menu")
    expect(menu).to_be_visible()
    assert_fits(page, menu.get_by_role("button", name="Harassment"))
    shot("remove-menu-open")
    menu.get_by_role("button", name="Harassment").click()
    expect(page.locator(".messagelist .success")).to_contain_text("removed")
    reported = Comment.objects.get(pk=held_comments["reported"].pk)
    assert (reported.status, reported.moderation_reason) == ("removed", "harassment")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    shot("removed-one")


def test_the_keyboard_approves_and_marks_spam(page, shot, editor, held_comments):
    page.set_viewport_size(LAPTOP)
    admin_login(page, editor)
    page.goto(QUEUE)
    expect(page.locator(".cq-keys")).to_contain_text("approve")

    page.keyboard.press("j")  # the first row: the reported comment
    expect(page.locator("#result_list tbody tr").first).to_be_focused()
    page.keyboard.press("j")  # the second: the spam with two links
    second = page.locator("#result_list tbody tr").nth(1)
    expect(second).to_be_focused()
    expect(second).to_contain_text("Cheap Lenses Outlet")
    shot("row-focused")
    page.keyboard.press("s")
    expect(page.locator(".messagelist .success")).to_contain_text("spam")
    assert status_of(held_comments["spammy"]) == "spam"

    # Back in the queue, the focus is on the row in the same place: the next comment.
    focused = page.locator("#result_list tbody tr:focus")
    expect(focused).to_contain_text("Lena Links")
    page.keyboard.press("a")
    expect(page.locator(".messagelist .success")).to_contain_text("approved")
    assert status_of(held_comments["linked"]) == "approved"
    shot("keyboard-done")


def test_the_queue_and_a_comment_page_on_a_wide_screen(page, shot, editor, held_comments):
    page.set_viewport_size({"width": 1920, "height": 1080})
    admin_login(page, editor)
    page.goto(QUEUE)
    assert_fits(
        page, page.locator("#result_list tbody tr").first.get_by_role("button", name="Approve")
    )
    shot("queue-1920")

    page.goto("/admin/comments/comment/")  # every status, as decided so far
    shot("all-comments-1920")

    page.goto(f"/admin/comments/comment/{held_comments['linked'].pk}/change/")
    expect(page.locator("#content > h2")).to_have_text(
        "Lena Links on Council Approves a Record Budget for the Harbour Bridge"
    )
    expect(page.locator(".field-ip_address_shown label")).to_have_text("IP address:")
    expect(page.locator(".field-author_url label")).to_have_text("Author URL:")
    expect(page.locator(".field-decided_by")).to_contain_text("Check: link limit — 2 links")
    shot("comment-page")
