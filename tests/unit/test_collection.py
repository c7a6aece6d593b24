"""No garbage-collection pass while a write transaction holds the lock; on again after."""

from __future__ import annotations

import gc
import threading

import pytest

from store.collection import collection_paused


@pytest.fixture(autouse=True)
def collecting():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_a_write_pauses_collection_until_it_commits_or_fails(store):
    with store.writing():
        assert not gc.isenabled()
        with store.writing():              # a savepoint inside: still the one lock
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), store.writing():
        raise RuntimeError("refused half way")
    assert gc.isenabled()


def test_collection_resumes_when_the_last_of_two_threads_writing_is_done():
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen = []

    def second():
        first_in.wait(5)
        with collection_paused():
            second_in.set()
            first_out.wait(5)
            seen.append(gc.isenabled())   # the first is done, this one is not
        seen.append(gc.isenabled())

    other = threading.Thread(target=second)
    other.start()
    with collection_paused():
        first_in.set()
        second_in.wait(5)
    first_out.set()
    other.join(5)
    assert seen == [False, True] and gc.isenabled()


def test_collection_left_off_stays_off():
    gc.disable()
    with collection_paused():
        pass
    assert not gc.isenabled()
