"""End-to-end: a Moderator and an Editor sign in to the admin at 1366×768 and each sees
only their own menus (no accounts, tokens, lockouts or task results), under the site's
name rather than Django's."""

import pytest
from playwright.sync_api import expect

from tests.comments.helpers import make_comment
from tests.e2e.helpers import admin_login
from tests.factories import ArticleFactory

pytestmark = pytest.mark.e2e

MENUS = {
    "Editor": {
        "articles": ["Articles", "Authors", "Categories", "Images", "Tags"],
        "comments": ["Comments"],
    },
    "Moderator": {
        "articles": ["Articles", "Categories"],
        "comments": ["Commenter sanctions", "Commenters", "Comments", "Moderation policy"],
    },
}


def menu_of(page, container: str) -> dict[str, list[str]]:
    """{app label: [model names as shown]} of the app list inside `container`."""
    menu = {}
    for app in page.locator(f"{container} div.module[class*='app-']").all():
        label = next(c for c in app.get_attribute("class").split() if c.startswith("app-"))
        menu[label.removeprefix("app-")] = sorted(
            name.strip() for name in app.locator("th[scope=row]").all_inner_texts()
        )
    return menu


@pytest.mark.parametrize("role", ["Moderator", "Editor"])
def test_each_role_sees_only_its_menus(page, shot, live_server, member_of, role):
    make_comment(ArticleFactory(title="Leica And Panasonic Cooperate"), status="pending")
    page.set_viewport_size({"width": 1366, "height": 768})
    admin_login(page, member_of(role))

    expect(page.locator("#site-name")).to_have_text("Newsroom desk")
    expect(page).to_have_title("Dashboard | Newsroom desk")
    assert menu_of(page, "#content-main") == MENUS[role]
    expect(page.locator("#pending-comments")).to_contain_text("1 comment awaiting moderation")
    shot(f"{role.lower()}-admin-index")

    # The sidebar of the admin's lists (the categories: both roles read them; the comment
    # queue has no sidebar) lists the same, and nothing else.
    page.goto("/admin/articles/category/")
    expect(page.locator("#nav-sidebar")).to_be_attached()
    assert menu_of(page, "#nav-sidebar") == MENUS[role]
    for hidden in ("Users", "Groups", "Tokens", "Access attempts", "Task results"):
        expect(page.locator("#nav-sidebar").get_by_text(hidden, exact=True)).to_have_count(0)
    shot(f"{role.lower()}-category-list")

    answer = page.goto("/admin/axes/accessattempt/")
    assert answer.status in (403, 404)
