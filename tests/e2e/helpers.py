"""Steps the browser tests share: signing in to the admin, picking in an autocomplete
widget, reading an API URL in the page."""

import re

from playwright.sync_api import Page, expect

PASSWORD = "e2e-correct-horse-battery-staple"


def api_get(page, path: str) -> dict:
    """Open an API URL in the browser (so the screenshot shows it) and return its JSON."""
    response = page.goto(path)
    assert response.status == 200, (path, response.status, response.text())
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def admin_login(page: Page, user, password: str = PASSWORD, shot=None) -> None:
    """Sign in through the real /admin/login/ form and land on the admin index."""
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/$"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    if shot:
        shot("admin-login")
    page.click("input[type=submit]")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator("#site-name")).to_be_visible()
    expect(page.locator("#logout-form")).to_be_attached()


def select2_choose(page: Page, field_id: str, search: str, option: str) -> None:
    """Pick `option` in the admin's autocomplete (select2) widget for <select id=field_id>:
    open it, type into its search box (which queries /admin/autocomplete/), click the
    result. The hidden <select> then holds the chosen object's id."""
    page.click(f"#{field_id} + .select2 .select2-selection")
    search_box = page.locator(".select2-container--open .select2-search__field")
    search_box.fill(search)  # one input event, one autocomplete request
    choice = page.locator(
        ".select2-container--open .select2-results__option",
        has_text=re.compile(f"^{re.escape(option)}$"),
    )
    choice.click()
    expect(page.locator(f"#{field_id} + .select2 .select2-selection__rendered")).to_contain_text(
        option
    )
