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


def test_a_saved_state_keeps_each_record_packed_until_read(tmp_path: Path):
    # Issue 11: loading the state of 50,000 articles must not rebuild 50,000 records; an
    # edit reads a few. The record an entry and its article share is packed once.
    from broadsheet.errors import Packed
    from broadsheet.model import Article
    from broadsheet.pipeline import BuildOptions, plan_site
    from conftest import article, make_site
    site = make_site(tmp_path / "site", {f"content/articles/a{i}.md": article(f"Story {i}", f"2026-03-0{i + 1} 08:00",
                                                                              f"Body {i}.\n") for i in range(3)})
    plan = plan_site(site, BuildOptions())
    cache = Cache(tmp_path, "key")
    cache._write(tmp_path / "state.pickle", CacheState("key", sources=plan.sources, plan=plan))
    loaded = cache._read(tmp_path / "state.pickle")
    first = loaded.plan.site.articles[0]
    entry = loaded.sources[first.src_path]
    assert type(first._record) is Packed and first._record is entry._record  # one Packed for both
    assert first.slug == "a2" and first.date == plan.site.articles[0].date  # read without unpacking
    assert type(first._record) is Packed
    assert first.record == plan.site.articles[0].record and type(first._record) is not Packed
    assert type(loaded.plan.site.articles[1]._record) is Packed  # the others stay packed
    assert entry.record is first.record
    assert loaded.plan.site == plan.site and loaded.sources == plan.sources
    # Saved again unread, a Packed is written as the same bytes (not unpacked to be packed again).
    blob = loaded.plan.site.articles[2]._record.blob
    cache._write(tmp_path / "again.pickle", loaded)
    assert blob in (tmp_path / "again.pickle").read_bytes()
    assert type(loaded.plan.site.articles[2]._record) is Packed


def test_a_dataclass_pickles_positionally_through_one_getter_per_class():
    from broadsheet.errors import positional_reduce
    readers = Readers(("a.html",), ("b.html",), ("c.html",))
    assert positional_reduce(readers) == (Readers, (("a.html",), ("b.html",), ("c.html",)))
    assert positional_reduce(SourceLoc("x.md", 3, 4)) == (SourceLoc, ("x.md", 3, 4))
