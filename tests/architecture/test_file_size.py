"""No production module grows past 500 lines: a longer file is a sign that it holds more
than one job, and is split before it grows further."""

from tests.architecture.sources import line_count, production_files

LIMIT = 500


def oversized(files: dict[str, str], limit: int = LIMIT) -> list[str]:
    """'path: N lines' for each file over the limit, longest first."""
    counts = {path: line_count(source) for path, source in files.items()}
    over = sorted((path for path, n in counts.items() if n > limit), key=lambda p: -counts[p])
    return [f"{path}: {counts[path]} lines" for path in over]


def test_no_production_file_over_500_lines():
    offenders = oversized(production_files())

    assert not offenders, (
        f"production files over {LIMIT} lines (migrations excluded); split them:\n  "
        + "\n  ".join(offenders)
    )


def test_the_checker_flags_a_file_one_line_over_the_limit():
    files = {
        "pkg/at_the_limit.py": "x = 1\n" * LIMIT,
        "pkg/one_over.py": "x = 1\n" * (LIMIT + 1),
        "pkg/far_over.py": "x = 1\n" * (LIMIT * 2),
    }

    assert oversized(files) == ["pkg/far_over.py: 1000 lines", "pkg/one_over.py: 501 lines"]


def test_migrations_and_tests_are_not_production_files(tmp_path):
    for path in (
        "app/__init__.py",
        "app/views.py",
        "app/migrations/0001_initial.py",
        "app/tests/test_views.py",
        "app/tests.py",
        "app/test_models.py",
    ):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("x = 1\n")

    assert sorted(production_files(["app"], root=tmp_path)) == ["app/__init__.py", "app/views.py"]
