"""Small reference tables read on every villager's request (the holiday overrides, the request
categories, the village behind a form), memoised in each process.

``@reference`` keeps a function's results for ``REFERENCE_CACHE_SECONDS`` (cachetools'
``ttl_cache``: thread-safe, no pickling, so a hit costs a dictionary lookup). Each app connects
``forget_references`` to the saving and deleting of the models behind its memoised functions, so a
change made through the application shows at once in the process that made it, and in the other
processes within that time. What the functions return is shared: treat it as read-only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from cachetools.func import ttl_cache
from django.conf import settings

F = TypeVar("F", bound=Callable[..., Any])

_MEMOISED: list[Any] = []


def reference(function: F) -> F:
    memoised = ttl_cache(maxsize=4096, ttl=settings.REFERENCE_CACHE_SECONDS)(function)
    _MEMOISED.append(memoised)
    return memoised  # type: ignore[return-value]


def forget_references(**_signal: object) -> None:
    """Empty every memoised function (a signal receiver; the tests call it before each test)."""
    for memoised in _MEMOISED:
        memoised.cache_clear()
