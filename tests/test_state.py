"""The build cache's typed state: compact pickles, the delta's rules, and the loaded state
kept out of the garbage collector's way (issue 11)."""

import gc
import pickle
from pathlib import Path

from broadsheet.cache import FREEZE_MIN, Cache, CacheState, Readers, StateChanges
from broadsheet.errors import SourceLoc, warning
from broadsheet.load import SourceEntry


def test_a_source_entry_pickles_as_its_values_alone():
    entry = SourceEntry("d1g3st", None, (warning(SourceLoc("content/articles/a.md", 3), "odd"),), (1, 2, 3, 4))
    data = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
    assert pickle.loads(data) == entry
    # Positional: tens of thousands of entries load without a field name each.
    assert b"digest" not in data and b"signature" not in data
    assert entry.has_errors() is False


def test_readers_pickle_as_their_values_alone():
    readers = Readers(("index.html",), ("articles/a/index.html", "feed.xml"))
    data = pickle.dumps(readers, protocol=pickle.HIGHEST_PROTOCOL)
    assert pickle.loads(data) == readers
    assert b"of_card" not in data


def test_later_changes_win_and_apply_to_the_state():
    first = StateChanges(fingerprints={"a.html": "1", "b.html": "1"}, manifest={"a.html": (1, 1)})
    first.add(StateChanges(fingerprints={"b.html": "2"}, card_token_by_inputs={"t": "c"}))
    assert len(first) == 4
    state = CacheState("key", fingerprints={"a.html": "0", "c.html": "0"})
    first.apply_to(state)
    assert state.fingerprints == {"a.html": "1", "b.html": "2", "c.html": "0"}
    assert state.manifest == {"a.html": (1, 1)} and state.card_token_by_inputs == {"t": "c"}


def test_a_large_loaded_state_is_frozen_and_a_small_one_is_not(tmp_path: Path):
    cache = Cache(tmp_path, "key")
    small, large = tmp_path / "small.pickle", tmp_path / "large.pickle"
    cache._write(small, CacheState("key", fingerprints={"a.html": "1"}))
    cache._write(large, CacheState("key", fingerprints={f"{n}.html": f"{n:040}" for n in range(FREEZE_MIN // 40)}))
    assert large.stat().st_size >= FREEZE_MIN > small.stat().st_size
    gc.unfreeze()
    try:
        assert cache._read(small).fingerprints == {"a.html": "1"}
        assert gc.get_freeze_count() == 0
        assert len(cache._read(large).fingerprints) == FREEZE_MIN // 40
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
