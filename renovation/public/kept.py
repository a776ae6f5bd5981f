"""Small reads of public pages kept by each process while what they show has not changed.

A page's filter choices (the years and streets of the tender list) are the same for every request
until a change the pages show is committed: ``Kept`` reads them once and keeps them while the
public cache's versions of ``scopes`` stay where they were (``CHANGE_PAGES`` bumps them after
commit; renovation/public/cache.py) and for at most ``PUBLIC_CACHE_SECONDS`` (a change no service
reported shows no later than a cached page would). When the page declared those scopes already
(the cache is on), their versions cost nothing more; else one read of the cache. Without a cache
to ask, the value is read for each request. The tender list's and the project index's
(cms/project_index.py) filter choices are kept so.

A request that reads some scopes' versions anyway (routing, cms/routing.py) reads every kept
value's scopes in the same round trip (``scope_versions_with_kept``): the page's kept values then
cost nothing more, cache or no cache.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from django.conf import settings
from django.http import HttpRequest

from .cache import CACHE_DOWN, SITE, scope_versions

T = TypeVar("T")

_every: list[Kept] = []


class Kept(Generic[T]):
    """``read()`` kept while the versions of ``scopes`` (and ``site``) are unchanged."""

    def __init__(self, read: Callable[[], T], *scopes: str) -> None:
        self.read = read
        self.scopes = tuple(sorted({SITE, *scopes}))
        self._memo: tuple[dict[str, int], float, T] | None = None
        _every.append(self)

    def get(self, request: HttpRequest) -> T:
        versions = self._versions(request)
        memo = self._memo
        if versions is not None and memo is not None and memo[0] == versions and memo[1] > time.monotonic():
            return memo[2]
        value = self.read()
        if versions is not None:  # read before the value: a change committed meanwhile moves them
            self._memo = (versions, time.monotonic() + settings.PUBLIC_CACHE_SECONDS, value)
        return value

    def _versions(self, request: HttpRequest) -> dict[str, int] | None:
        declared = getattr(request, "public_cache", None)
        if declared is not None and all(scope in declared.versions for scope in self.scopes):
            return {scope: declared.versions[scope] for scope in self.scopes}
        read = getattr(request, "kept_versions", None)
        if read is not None and all(scope in read for scope in self.scopes):
            return {scope: read[scope] for scope in self.scopes}
        try:
            return scope_versions(self.scopes)
        except CACHE_DOWN:
            return None

    def forget(self) -> None:
        self._memo = None


def scope_versions_with_kept(request: HttpRequest, scopes: Iterable[str]) -> dict[str, int]:
    """``scope_versions(scopes)``, read with every kept value's scopes, which are left on the request
    for ``Kept.get`` (read before any kept value, as ``get`` reads them). Raises ``CACHE_DOWN``."""
    wanted = sorted({*scopes, *(scope for kept in _every for scope in kept.scopes)})
    versions = scope_versions(wanted)
    request.kept_versions = versions
    return versions


def forget() -> None:
    """Drop every kept value (a new process starts so; tests, whose changes never commit)."""
    for kept in _every:
        kept.forget()
