"""`cms` is the project shell (settings, WSGI/ASGI, the root URLconf): it may wire the
apps together in cms/urls.py, and nowhere else may it import them. Anything the shell
needs from an app belongs in the app, anything an app needs from the shell in
`plumbing`."""

from tests.architecture.sources import (
    Module,
    imports,
    modules_from_files,
    production_modules,
    top_level,
)

SHELL = "cms"
MAY_IMPORT_APPS = {"cms.urls"}
APPS = {"articles", "comments", "wordpress_api"}


def app_imports_in_the_shell(modules: dict[str, Module]) -> list[str]:
    """'cms/x.py:12 imports comments.models' for each import of an app in the shell,
    in any form (import, from-import, relative, in a function, under TYPE_CHECKING,
    importlib.import_module with a literal name)."""
    offenders = []
    for module in modules.values():
        if top_level(module.name) != SHELL or module.name in MAY_IMPORT_APPS:
            continue
        for found in imports(module, modules):
            if top_level(found.target) in APPS:
                offenders.append(f"{module.path}:{found.line} imports {found.target}")
    return sorted(offenders)


def test_cms_is_the_shell():
    offenders = app_imports_in_the_shell(production_modules())

    assert not offenders, (
        "only cms/urls.py may import the apps (articles, comments); move the code these "
        "need into the app or into plumbing:\n  " + "\n  ".join(offenders)
    )


def test_the_checker_finds_every_form_of_app_import():
    modules = modules_from_files(
        {
            "cms/__init__.py": "",
            "cms/urls.py": "from articles.api.urls import urlpatterns\nimport comments\n",
            "cms/settings.py": (
                "import os\n"
                "from plumbing import errors\n"
                "INSTALLED_APPS = ['articles.apps.ArticlesConfig']  # a string, not an import\n"
                "def late():\n"
                "    from comments.models import Comment\n"
                "    return Comment\n"
            ),
            "cms/wsgi.py": "import articles.feeds as feeds\n",
            "cms/asgi.py": (
                "import importlib\nfrom typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from comments import services\n"
                "feeds = importlib.import_module('articles.feeds')\n"
            ),
            "articles/__init__.py": "",
            "articles/feeds.py": "from cms import settings\n",
            "comments/__init__.py": "",
            "comments/models.py": "",
            "comments/services.py": "",
            "plumbing/__init__.py": "",
            "plumbing/errors.py": "",
        }
    )

    assert app_imports_in_the_shell(modules) == [
        "cms/asgi.py:4 imports comments.services",
        "cms/asgi.py:5 imports articles.feeds",
        "cms/settings.py:5 imports comments.models",
        "cms/wsgi.py:1 imports articles.feeds",
    ]
