"""The build cache's typed state: compact pickles, the delta's rules, and the loaded state
kept out of the garbage collector's way (issue 11)."""

import gc
import pickle
from pathlib import Path

import pytest

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
    first = StateChanges(media_problems={"a.md": (), "b.md": ()}, plan_patch={"a.md": 1})
    first.add(StateChanges(media_problems={"b.md": ("odd",)}, sources={"c.md": 3}))
    assert len(first) == 4
    state = CacheState("key", media_problems={"a.md": ("old",), "c.md": ()})
    first.apply_to(state)
    assert state.media_problems == {"a.md": (), "b.md": ("odd",), "c.md": ()}
    assert state.plan_patch == {"a.md": 1} and state.sources == {"c.md": 3}


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


def test_a_stored_map_reads_by_key_and_writes_only_what_a_build_set(tmp_path: Path, monkeypatch):
    # Issue 11: an edit at 50,000 articles reads a few dozen entries of maps of 80,000,
    # and writes the rows it changed, not the maps.
    from broadsheet import keystore
    from broadsheet.keystore import KeyStore, StoredMap
    store = KeyStore(tmp_path / "keys.sqlite")
    store.write({"fingerprints": {f"{n}.html": f"f{n}" for n in range(50)}, "body_index": {}}, "one")
    assert store.stamp() == "one"
    fingerprints = StoredMap(store, "fingerprints")
    queries = []
    store._connect().set_trace_callback(queries.append)
    assert fingerprints["7.html"] == "f7" and fingerprints.get("nope") is None and "3.html" in fingerprints
    assert len(queries) == 3 and all("WHERE key = " in q for q in queries)  # one row each, not the table

    # A build's layer: its changes are its own until written; the map it came from is as it was.
    layer = fingerprints.layer()
    layer.update({"7.html": "g7", "new.html": "n"})
    del layer["3.html"]
    assert layer["7.html"] == "g7" and "3.html" not in layer and fingerprints["3.html"] == "f3"
    assert fingerprints["7.html"] == "f7" and "new.html" not in fingerprints
    assert len(layer) == 50 and dict(layer.items())["new.html"] == "n"
    with pytest.raises(KeyError):
        del layer["3.html"]

    # Written: only the changed rows (the others keep their bytes), with the new stamp.
    before = dict(store._connect().execute("SELECT key, value FROM fingerprints"))
    queries.clear()
    store.write({"fingerprints": layer, "body_index": StoredMap(store, "body_index")}, "two")
    inserts = [q for q in queries if q.startswith("INSERT OR REPLACE INTO fingerprints")]
    assert len(inserts) == 2 and not any(q.startswith(("DROP", "CREATE")) for q in queries)
    after = dict(store._connect().execute("SELECT key, value FROM fingerprints"))
    assert {k for k in after.keys() | before.keys() if after.get(k) != before.get(k)} == {"7.html", "new.html", "3.html"}
    reread = StoredMap(store, "fingerprints")
    assert store.stamp() == "two" and reread["7.html"] == "g7" and "3.html" not in reread

    # Many keys asked one by one: the table is read whole once.
    monkeypatch.setattr(keystore, "WHOLE_AFTER", 5)
    queries.clear()
    many = StoredMap(store, "fingerprints")
    assert [many.get(f"{n}.html") for n in range(10, 20)] == [f"f{n}" for n in range(10, 20)]
    assert len(queries) == 6 and "WHERE" not in queries[-1]

    # Values with problems (a body's broken links) are found without reading the others.
    from broadsheet.bodies import BodyInfo
    from broadsheet.errors import SourceLoc, warning
    odd = BodyInfo("d", "h", (warning(SourceLoc("content/articles/a.md", 3), "odd link"),), (), "", 1, 0)
    fine = BodyInfo("d", "h", (), (), "", 1, 0)
    store.write({"body_index": {"a.md": odd, "b.md": fine, "c.md": fine}}, "three")
    index = StoredMap(store, "body_index")
    queries.clear()
    assert index.flagged_values() == [odd]
    assert len(queries) == 1 and "WHERE flagged" in queries[0]
    layer = index.layer()
    layer["a.md"], layer["b.md"] = fine, odd  # a build fixed one and broke another
    assert layer.flagged_values() == [odd] and index.flagged_values() == [odd]
    store.write({"body_index": layer}, "four")
    assert StoredMap(store, "body_index").flagged_values() == [odd] and StoredMap(store, "body_index")["b.md"] == odd

    # A build's body index over a stored one starts reading nothing (an `or {}` read it whole).
    from broadsheet.bodies import Bodies
    known = StoredMap(store, "body_index")
    queries.clear()
    bodies = Bodies({}, None, [], known_index=known)
    assert bodies.known_index is known and queries == []
    store.close()
