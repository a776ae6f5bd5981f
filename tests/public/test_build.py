"""The release digest every stored rendering's ``build`` is made of (renovation/public/build.py)."""

from __future__ import annotations

import pytest

from renovation.public.build import source_digest


@pytest.fixture
def tree(tmp_path, settings):
    (tmp_path / "app" / "templates").mkdir(parents=True)
    (tmp_path / "locale").mkdir()
    (tmp_path / "app" / "views.py").write_text("x = 1\n")
    (tmp_path / "app" / "templates" / "page.html").write_text("<p>1</p>\n")
    (tmp_path / "app" / "notes.txt").write_text("not part of the release\n")
    (tmp_path / "locale" / "django.mo").write_bytes(b"\x00\x01")
    settings.BASE_DIR = tmp_path
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    source_digest.cache_clear()
    yield tmp_path
    source_digest.cache_clear()


def digest() -> bytes:
    source_digest.cache_clear()
    return source_digest(("app",), (".py", ".html", ".mo"))


def test_it_changes_with_any_file_of_the_release(tree):
    before = digest()
    assert digest() == before  # stable
    for name, text in [("app/views.py", "x = 2\n"), ("app/templates/page.html", "<p>2</p>\n")]:
        (tree / name).write_text(text)
        assert digest() != before
        before = digest()
    (tree / "locale" / "django.mo").write_bytes(b"\x00\x02")
    assert digest() != before


def test_it_changes_when_a_file_moves_and_ignores_other_files(tree):
    before = digest()
    (tree / "app" / "notes.txt").write_text("changed\n")
    assert digest() == before
    (tree / "app" / "views.py").rename(tree / "app" / "models.py")
    assert digest() != before


def test_it_is_read_once_per_process(tree):
    first = digest()
    (tree / "app" / "views.py").write_text("x = 3\n")
    assert source_digest(("app",), (".py", ".html", ".mo")) == first  # kept until the next release
