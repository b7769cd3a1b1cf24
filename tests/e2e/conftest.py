"""Browser tests: Playwright (sync API) driving Debian's Chromium against `live_server`.

Every test gets a fresh browser context and page on pytest-django's `live_server`
(a real threaded HTTP server on a transactional test database), a `shot()` helper that
keeps numbered screenshots under var/test-artifacts/e2e/<test name>/, and a guard that
aborts (and reports) any request the page makes to a host other than the live server.
"""

import os
import re
import shutil
from importlib import import_module
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.migrations.loader import MigrationLoader
from playwright.sync_api import Page, expect, sync_playwright

from tests.e2e.helpers import PASSWORD

# Playwright's sync API runs an asyncio event loop in this thread; Django's ORM refuses
# to run while one is running (SynchronousOnlyOperation) unless told it is safe. It is:
# the loop only drives the browser, and the ORM calls are ordinary blocking ones. The
# loop lives for the whole session once the browser has started (and the database
# teardown happens under it), so this has to be process-wide.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(settings.BASE_DIR) / "var" / "test-artifacts" / "e2e"
TIMEOUT_MS = 10_000


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the item, so the page fixture can tell a failed test.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: the browser tests need Debian's chromium. "
            "Run `make e2e-deps` (apt-get install chromium), or point E2E_CHROMIUM at a "
            "Chromium binary.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class Screenshots:
    """`shot("login")` saves NN-login.png (full page) in the test's own directory."""

    def __init__(self, page: Page, directory: Path):
        self.page = page
        self.directory = directory
        self.count = 0

    def __call__(self, step: str) -> Path:
        self.count += 1
        path = self.directory / f"{self.count:02d}-{step}.png"
        self.page.screenshot(path=path, full_page=True)
        return path


@pytest.fixture
def artifacts_dir(request) -> Path:
    directory = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(directory, ignore_errors=True)  # only this run's screenshots
    directory.mkdir(parents=True)
    return directory


@pytest.fixture
def page(browser, live_server, artifacts_dir, request):
    live_host = urlsplit(live_server.url).netloc
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="en-US"
    )
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)

    def foreign(url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in {"http", "https", "ws", "wss"} and parts.netloc != live_host

    foreign_requests: list[str] = []
    context.on("request", lambda r: foreign(r.url) and foreign_requests.append(r.url))
    # Nothing leaves the machine: a page that reaches for a CDN fails instead of hanging.
    context.route(foreign, lambda route: route.abort())

    page = context.new_page()
    page.foreign_requests = foreign_requests
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        page.screenshot(path=artifacts_dir / "99-failure.png", full_page=True)
    context.close()
    assert not foreign_requests, f"requests to hosts other than the live server: {foreign_requests}"


@pytest.fixture
def shot(page, artifacts_dir) -> Screenshots:
    return Screenshots(page, artifacts_dir)


@pytest.fixture
def editor(transactional_db):
    """A staff superuser (editor and moderator) with a known password."""
    return get_user_model().objects.create_superuser(
        username="editor", email="editor@newsroom.example", password=PASSWORD
    )


def replay_role_migrations() -> None:
    """Grant what every role migration grants (comments 0008 and each RoleGrant after
    it), as migrating did: a transactional test before this one flushed the groups."""
    from comments.migrations._roles import RoleGrant

    loader = MigrationLoader(None, ignore_no_migrations=True)
    plan = dict.fromkeys(
        key for leaf in loader.graph.leaf_nodes() for key in loader.graph.forwards_plan(leaf)
    )
    for key in plan:
        migration = loader.graph.nodes[key]
        for operation in migration.operations:
            if isinstance(operation, RoleGrant):
                operation.code(apps, None)
            elif key == ("comments", "0008_role_permissions"):
                import_module(migration.__module__).grant_roles_without_machinery(apps, None)


@pytest.fixture
def member_of(transactional_db):
    """A staff account (not a superuser) in one role's group, with the permissions the
    migrations gave the group."""
    replay_role_migrations()

    def make(role: str):
        user = get_user_model().objects.create_user(
            username=role.lower(), password=PASSWORD, is_staff=True
        )
        user.groups.add(Group.objects.get(name=role))
        return user

    return make
