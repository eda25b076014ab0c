"""The app's memory of cases and analyses: least recently used first out, one making per key
however many threads ask at once, and failures that are not kept."""

from __future__ import annotations

import threading
import time

import pytest

from backchannel.web.analysis_cache import Lru


def test_the_least_recently_used_entry_goes_first() -> None:
    kept: Lru[str, int] = Lru(2)
    kept.put("a", 1)
    kept.put("b", 2)
    assert kept.get("a") == 1  # "b" is now the least recently used
    kept.put("c", 3)
    assert (kept.get("a"), kept.get("b"), kept.get("c")) == (1, None, 3)
    assert len(kept) == 2
    with pytest.raises(ValueError, match="at least one"):
        Lru(0)


def test_a_value_asked_for_by_many_threads_at_once_is_made_once() -> None:
    kept: Lru[str, object] = Lru(4)
    made: list[object] = []
    release = threading.Event()

    def make() -> object:
        release.wait(timeout=10)  # hold the first maker until every thread has asked
        value = object()
        made.append(value)
        return value

    results: list[object] = []
    threads = [
        threading.Thread(target=lambda: results.append(kept.get_or_make("case", make)))
        for _ in range(20)
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    release.set()
    for thread in threads:
        thread.join(timeout=10)
    assert len(made) == 1
    assert len(results) == 20 and all(result is made[0] for result in results)
    assert kept.get_or_make("case", make) is made[0]  # kept: not made again


def test_refresh_makes_the_value_again() -> None:
    kept: Lru[str, int] = Lru(4)
    counter = iter(range(10))
    assert kept.get_or_make("k", lambda: next(counter)) == 0
    assert kept.get_or_make("k", lambda: next(counter)) == 0
    assert kept.get_or_make("k", lambda: next(counter), refresh=True) == 1
    assert kept.get("k") == 1


def test_a_failure_reaches_every_waiter_and_is_not_kept() -> None:
    kept: Lru[str, int] = Lru(4)
    release = threading.Event()

    def fail() -> int:
        release.wait(timeout=10)
        raise RuntimeError("the analysis failed")

    errors: list[BaseException] = []

    def ask() -> None:
        try:
            kept.get_or_make("k", fail)
        except RuntimeError as error:
            errors.append(error)

    threads = [threading.Thread(target=ask) for _ in range(5)]
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    release.set()
    for thread in threads:
        thread.join(timeout=10)
    assert len(errors) == 5 and all(str(e) == "the analysis failed" for e in errors)
    assert kept.get("k") is None
    assert kept.get_or_make("k", lambda: 7) == 7  # a later ask tries again
