"""Site search with Wagtail's search backend, made to work for Chinese.

Full-text engines split text into words at spaces and punctuation. Chinese has no spaces, so
PostgreSQL (``to_tsvector``, any built-in configuration) and SQLite FTS5 (``unicode61``) both take
"飞云花园小区改造" for one word, and a search for "飞云花园" finds nothing. Instead of a Chinese word
segmenter (zhparser, jieba: an extension or a dictionary to install), each indexed model adds a
field whose text has every Han character as a word of its own (``cjk_spaced``), and a query's
Chinese runs become phrases of those characters (``site_query``): "飞云花园" matches the four
characters next to each other, in order, on every database backend (SQLite locally, PostgreSQL
in production, the plain fallback). Latin words and numbers stay whole.
"""

from __future__ import annotations

import re

from django.http import HttpRequest
from django.utils.html import strip_tags
from django_tasks import task
from wagtail.search import index
from wagtail.search.query import And, Phrase, PlainText, SearchQuery

# Han ideographs (CJK Unified, Extension A, Compatibility) and the CJK symbols and full-width forms.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_HAN}]|[^\s{_HAN}\u3000-\u303f\uff00-\uff0f\uff1a-\uff20]+")
_HAS_HAN = re.compile(rf"[{_HAN}]")

MAX_QUERY_LENGTH = 100


def cjk_spaced(*texts: str | None) -> str:
    """Text for the index: each Han character a word, other words kept, markup and punctuation dropped."""
    words: list[str] = []
    for text in texts:
        if text:
            words.extend(_TOKEN.findall(strip_tags(str(text))))
    return " ".join(words)


def text_param(request: HttpRequest, name: str, limit: int) -> str:
    """A query-string parameter as text a query may use: NUL dropped (PostgreSQL refuses it in
    text: a 500 instead of an empty result), trimmed, at most ``limit`` characters."""
    return request.GET.get(name, "").replace("\x00", "").strip()[:limit]


def site_query(raw: str) -> SearchQuery | None:
    """The search for what a visitor typed: every word must match; a Chinese word as a phrase of
    its characters. None when nothing searchable is left."""
    parts: list[SearchQuery] = []
    for term in raw.replace("\x00", "")[:MAX_QUERY_LENGTH].split():
        tokens = _TOKEN.findall(term)
        if not tokens:
            continue
        if _HAS_HAN.search(term) or len(tokens) > 1:
            parts.append(Phrase(" ".join(tokens)))
        else:
            parts.append(PlainText(tokens[0]))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(parts)


@task()
def project_pages_reindex(page_ids: list[int]) -> int:
    """Write the project pages' search text again (a place they name was renamed: their own
    publication would not come); returns how many. A background job: a street has many projects,
    and each page's text reads its project, estate, community and street."""
    from .models import ProjectPage

    count = 0
    for page in ProjectPage.objects.filter(pk__in=page_ids).order_by("pk"):
        index.insert_or_update_object(page)
        count += 1
    return count
