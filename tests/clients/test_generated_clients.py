"""Generated clients, used as a frontend team would (issue #16).

The live server's /api/schema/ is handed, unchanged, to openapi-python-client and to
openapi-typescript (with openapi-fetch, checked by `tsc --noEmit`); a small program written
against each client lists a category's articles two by two following `next`, reads one,
walks its thread in two sorts following cursors, posts a comment, reads a 400's field
errors and a 429's Retry-After. The tools are pinned (tests/clients/requirements.txt,
package-lock.json) and installed by `make clients-deps` (a prerequisite of `make test`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone

from comments.models import Comment
from tests.comments.helpers import make_comment, set_policy
from tests.factories import ArticleFactory, CategoryFactory
from tests.images import rendered_image

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CLIENTS_VENV = ROOT / "var" / "clients-venv"
NODE_MODULES = HERE / "node_modules"

pytestmark = [pytest.mark.clients, pytest.mark.django_db(transaction=True)]


def _tools_or_fail() -> None:
    missing = [
        str(path)
        for path in (CLIENTS_VENV / "bin" / "openapi-python-client", NODE_MODULES / ".bin" / "tsc")
        if not path.exists()
    ]
    if missing or shutil.which("node") is None:
        pytest.fail(
            f"Client generators missing ({', '.join(missing) or 'node'}): run `make clients-deps`"
        )


@pytest.fixture
def newsroom(live_server, settings, tmp_path):
    """A category with three visible articles; the newest has five approved comments and
    a lead image with its renditions."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMAGE_RENDITION_WIDTHS = [160]
    lead = rendered_image(alt_text="Two cameras", caption="The new bodies", credit="Desk")
    set_policy(default_status="pending", flood_interval_seconds=15)
    section = CategoryFactory(
        slug="cameras", name="Cameras", parent=CategoryFactory(slug="tech", name="Technology")
    )
    now = timezone.now()
    articles = [
        ArticleFactory(
            category=section,
            slug=f"story-{n}",
            published_at=now - timedelta(hours=n),
            lead_image=lead if n == 0 else None,
        )
        for n in range(3)
    ]
    for _ in range(5):
        make_comment(articles[0], status="approved")
    return {"base_url": live_server.url, "articles": articles}


def _schema(base_url: str, directory: Path) -> Path:
    import urllib.request

    with urllib.request.urlopen(f"{base_url}/api/schema/?format=json") as answer:
        path = directory / "schema.json"
        path.write_bytes(answer.read())
    return path


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, **kwargs)
    assert done.returncode == 0, f"{command[0]} failed:\n{done.stdout}\n{done.stderr}"
    return done


def _forget_posts() -> None:
    # Each client posts as a new reader from 127.0.0.1: the other's post must not count
    # against its flood interval.
    Comment.objects.filter(author_email__endswith="-reader@example.com").delete()
    cache.clear()


def _expected_facts(facts: dict, articles) -> None:
    assert facts["listed"] == [a.slug for a in articles]
    thread = list(
        Comment.objects.filter(article=articles[0], status="approved").order_by(
            "submitted_at", "id"
        )
    )
    assert facts["thread_oldest"] == [c.pk for c in thread]
    assert facts["thread_newest"] == [c.pk for c in reversed(thread)]
    assert facts["thread_total"] == len(thread) == 5
    assert facts["breadcrumbs"] == ["Technology", "Cameras"]
    assert facts["lead_alt"] == "Two cameras"
    assert facts["lead_srcset"].endswith(" 160w") and facts["lead_srcset"].startswith("http")
    assert facts["post_status"] == 202
    assert facts["invalid_status"] == 400 and facts["invalid_fields"] == ["author_email"]
    assert facts["again_status"] == 429 and int(facts["again_retry_after"]) > 0


def test_the_typescript_client_builds_and_runs(newsroom, tmp_path):
    _tools_or_fail()
    _forget_posts()
    schema = _schema(newsroom["base_url"], tmp_path)
    for name in ("frontend.ts", "tsconfig.json", "package.json"):
        shutil.copy(HERE / name, tmp_path / name)
    (tmp_path / "node_modules").symlink_to(NODE_MODULES)
    bin_dir = NODE_MODULES / ".bin"
    _run([str(bin_dir / "openapi-typescript"), str(schema), "-o", str(tmp_path / "schema.d.ts")])
    _run([str(bin_dir / "tsc"), "--noEmit", "-p", str(tmp_path)])
    _run([str(bin_dir / "tsc"), "-p", str(tmp_path)])
    done = _run(
        ["node", str(tmp_path / "build" / "frontend.js")],
        env=dict(os.environ, BASE_URL=newsroom["base_url"], CATEGORY="cameras"),
    )
    facts = json.loads(done.stdout.strip().splitlines()[-1])
    _expected_facts(facts, newsroom["articles"])
    assert facts["detail_title"] == newsroom["articles"][0].title
    assert facts["teaser_fields"] == ["title", "url"]
    assert facts["by_path_url"].endswith(f"/api/v1/articles/{newsroom['articles'][0].slug}/")


def test_the_python_client_imports_and_runs(newsroom, tmp_path):
    _tools_or_fail()
    _forget_posts()
    schema = _schema(newsroom["base_url"], tmp_path)
    generator = CLIENTS_VENV / "bin" / "openapi-python-client"
    generated = _run(
        [
            str(generator),
            "generate",
            "--path",
            str(schema),
            "--output-path",
            str(tmp_path / "client"),
            "--meta",
            "none",
        ]
    )
    # Every route's answer is in the client: the generator leaves out what it cannot read
    # (its other warnings are about formatting the code it wrote).
    said = generated.stdout + generated.stderr
    assert "WARNING parsing" not in said and "Unable to process schema" not in said, said
    done = _run(
        [str(CLIENTS_VENV / "bin" / "python"), str(HERE / "frontend.py")],
        env=dict(
            os.environ,
            PYTHONPATH=str(tmp_path),
            CLIENT_PACKAGE="client",
            BASE_URL=newsroom["base_url"],
            CATEGORY="cameras",
        ),
    )
    facts = json.loads(done.stdout.strip().splitlines()[-1])
    _expected_facts(facts, newsroom["articles"])
    assert facts["detail_title"] == newsroom["articles"][0].title
    assert facts["by_path_status"] == 302
    assert facts["by_path_location"].endswith(f"/api/v1/articles/{newsroom['articles'][0].slug}/")
