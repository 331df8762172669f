"""What the last build knows, and what this one does with it: the nothing-changed shortcut
(`Snapshot`), the state a rebuild starts from, the pages to render (fingerprints and the
index of which pages read which source), and remembering what a build learned.

One interface, `LastBuild`, in two flavours: `OnDisk` for the command line (the cache
files: a full state plus a delta, and a snapshot for the shortcut) and `InMemory` for the
live preview (the state stays in memory between builds; `save` writes it). `pipeline.build`
calls the same steps whichever it has. Re-planning after edits is `plan.patch_plan`. The
proof that an incremental build equals a clean one is tests/test_incremental.py.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .bodies import BodyIndex, BodyIndexLayer
from .cache import KEYED, Cache, CacheState, Readers, StateChanges, build_key, engine_digest
from .errors import Packed, PackedField
from .config import CONFIG_FILE
from .i18n import catalogue_files
from .fingerprint import stamp_of
from .keystore import KeyStoreUnreadable, StoredMap
from .load import ArticleRecord, SourceEntry, Walk, stat_signature, unproven_sources, walk
from .model import patch_site
from .output import FolderState, OutputFolder, Staged, WriteReport
from .plan import BuildOptions, Plan, Summary
from .templates import THEME_DIR

if TYPE_CHECKING:
    from .render import Renderer
    from .routes import Route


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a build saw and left: the stat signature of every input, the output folder
    (`FolderState`: the size and mtime of every file, and what proves its folders
    unchanged), and its summary. The next build compares it with the files as they are (a
    walk of the content folder, a stat of each output file and folder, no file read, no
    cache loaded): when every one is unchanged, nothing is to be done (a no-op rebuild,
    the commonest build)."""

    config_digest: str
    content: dict[str, tuple | None]
    templates: dict[str, tuple | None]
    _folder: FolderState | Packed
    """`folder`, `Packed` as the cache loaded it: the survey's process unpacks it, on the other core."""
    summary: Summary
    file_count: int
    """Files in the output folder."""

    packed = "_folder"
    folder = PackedField("_folder")

    def still_holds(self, site_dir: Path, folder: OutputFolder, options: BuildOptions, now: datetime,
                    walked: Walk, unproven: list[tuple[str, os.stat_result]] | None) -> bool:
        """True when nothing is to be done; `unproven`: the walk's files not proven unchanged (`unproven`)."""
        summary = self.summary
        if (options.strict and summary.warnings) or summary.is_due_again(now):
            return False
        if self.config_digest != config_digest(site_dir):
            return False
        if not _same_signatures(template_signatures(site_dir), self.templates):
            return False
        if walked[1] or unproven != []:
            return False  # (a file just changed is unproven: it may change again within its clock tick)
        return folder.holds(self._folder)

    def unproven(self, walked: Walk) -> list[tuple[str, os.stat_result]] | None:
        """Return the files of the content folder's walk whose stat signature is not the one
        recorded (changed since, or just now); None when the walk has other files."""
        files, _ = walked
        if len(files) != len(self.content):
            return None
        return unproven_sources(files, self.content, time.time_ns())


@dataclass(slots=True)
class PagesToRender:
    """Which pages this build renders, and the fingerprints and readers it leaves."""

    fingerprints: dict[str, str]
    """out_path → fingerprint of each page fingerprinted by this build: every page of the
    plan when it was planned afresh, else those of `refingerprinted` (the others keep the
    last build's)."""
    readers: dict[str, Readers]
    """src_path → the pages that read it."""
    refingerprinted: list[Route] | None
    """The pages whose fingerprints were computed again after an edit; None when every
    page's was (the site planned afresh)."""
    todo: list[Route]
    """The pages to render: a new fingerprint, or a file not as the last build left it."""


@dataclass(slots=True)
class Built:
    """What a build did, for `LastBuild.remember` to keep for the next one."""

    plan: Plan
    renderer: Renderer
    """Its bodies, cards and link world, as this build left them."""
    pages: PagesToRender
    media_problems: dict[str, tuple]
    """src_path → its hero image or avatar problems."""
    templates: dict[str, tuple | None]
    """The signature of every template and theme file, as this build saw them."""
    folder: OutputFolder
    staged: list[Staged]
    """The pages rendered, as written (or found already holding their bytes)."""
    kept: int
    """How many pages were not rendered, kept as the last build left them."""
    report: WriteReport
    summary: Summary
    wrote_anything: bool
    """Something was converted, rendered, written or removed."""

    def let_go(self) -> None:
        """Drop the renderer, the pages and the staged files, once the state has what it
        keeps of them: the maps of a cold build's state can then be freed as soon as the
        key store has them (`Cache.save`), before the rest is pickled."""
        self.renderer = self.pages = None
        self.staged = []


def template_signatures(site_dir: Path) -> dict[str, tuple | None]:
    """Return the stat signature (for a file that just changed, the hash of its bytes) of
    every file under layouts/ and the default theme: when all are unchanged, so is every
    template and static file."""
    now_ns = time.time_ns()
    signatures: dict[str, tuple | None] = {}
    for root in (site_dir / "layouts", THEME_DIR):
        for folder, _dirs, names in os.walk(root):
            for name in names:
                path = os.path.join(folder, name)
                try:
                    signatures[path] = stat_signature(os.stat(path), now_ns) or _content_digest(path)
                except OSError:
                    signatures[path] = None
    return signatures


def have_same_templates(templates: dict[str, tuple | None], state: CacheState) -> bool:
    """True when every template and theme file is as the state's build saw it."""
    return _same_signatures(templates, state.templates)


def config_digest(site_dir: Path) -> str:
    """Return a hash of config.yaml and the site's message catalogues (layouts/i18n/): what
    every page of the site depends on."""
    config_path = site_dir / CONFIG_FILE
    digest = hashlib.blake2b(config_path.read_bytes() if config_path.exists() else b"", digest_size=12)
    for path in catalogue_files(site_dir):
        digest.update(f"\0{path.name}\0".encode())
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"\0unreadable")
    return digest.hexdigest()


def cache_for(site_dir: Path, out_dir: Path, options: BuildOptions) -> Cache:
    """Return the cache of this engine, these options and this output folder."""
    engine = engine_digest()
    key = build_key(engine, out_dir, drafts=options.drafts, future=options.future, preview=options.preview,
                    base_url=options.base_url)
    return Cache(site_dir, key, engine)


def state_of(cache: Cache, site_dir: Path, options: BuildOptions) -> CacheState:
    """Return the cache's state: empty under --clean, after a config change, or when it
    cannot be trusted; its plan with the edits since its last full save applied."""
    digest = config_digest(site_dir)
    state = CacheState(cache.key) if options.clean else cache.load()
    if state.config_digest != digest:
        state = CacheState(cache.key, digest)
    if state.plan is not None:
        site = patch_site(state.plan.site, state.plan_patch) if state.plan_patch else state.plan.site
        # (the problems of the sources edited since are not those the plan was saved with)
        state.plan = replace(state.plan, site=site, sources=state.sources,
                             source_problems=None if state.plan_patch else state.plan.source_problems) \
            if site is not None else None
        state.plan_patch = {}
    return state


class LastBuild:
    """What the last build knows, and where this build leaves what it learns.

    A build asks, in order: `nothing_changed` (the shortcut), `recall` (the state to start
    from), `page_states` (how to tell a page file is as the last build left it),
    `produced_before`, and, once its output is in place, `remember`.
    """

    cache: Cache
    state: CacheState
    walked: Walk | None = None
    """The content folder's walk, when this build has made it (planning reuses it)."""
    unproven: list[tuple[str, os.stat_result]] | None = None
    """The files of `walked` whose stat signature is not the one the last build recorded,
    when known (planning reads only those)."""
    cards: dict[str, dict] | None = None
    """src_path → the article card views of the last build, when kept (in memory)."""

    def nothing_changed(self, site_dir: Path, folder: OutputFolder, options: BuildOptions,
                        now: datetime) -> Snapshot | None:
        """Return the last build's snapshot when it proves nothing is to be done."""
        return None

    def recall(self, site_dir: Path, options: BuildOptions) -> CacheState:
        """Return the state this build starts from."""
        return self.state

    def page_states(self, folder: OutputFolder, plan: Plan, refingerprinted: list[Route] | None,
                    ) -> tuple[list[Route], set[str]]:
        """Return the pages that may need rendering, and those of them (by out_path) whose
        file is not as the last build left it."""
        raise NotImplementedError

    def produced_before(self) -> set[str] | None:
        """Return every file the last build left in the output folder, when known for sure."""
        return None

    def remember(self, built: Built) -> None:
        """Keep what this build learned for the next one."""
        raise NotImplementedError


class OnDisk(LastBuild):
    """The command line's: the cache files of the site, read at the start of a build and
    written at its end (a delta after an edit; nothing after a no-op)."""

    def __init__(self, cache: Cache):
        self.cache = cache
        self.state = CacheState(cache.key)
        self.snapshot: Snapshot | None = None
        """The last build's, when this build's survey of the output folder started from it."""

    def nothing_changed(self, site_dir: Path, folder: OutputFolder, options: BuildOptions,
                        now: datetime) -> Snapshot | None:
        if options.clean:
            folder.start_survey()  # on the other core, while this one reads the content folder and the cache
            return None
        snapshot = self.cache.read_snapshot()
        if isinstance(snapshot, Snapshot):
            self.snapshot = snapshot
        folder.start_survey(self.snapshot._folder if self.snapshot else None)
        self.walked = walk(site_dir / "content")
        if self.snapshot is not None:
            # A snapshot is the last build's (`remember`): what it proves unchanged, that build read.
            self.unproven = self.snapshot.unproven(self.walked)
        if self.snapshot is not None and folder.root.is_dir() and \
                self.snapshot.still_holds(site_dir, folder, options, now, self.walked, self.unproven):
            if folder.settled:  # (after a build that wrote into many folders: once)
                before = self.snapshot.folder
                self.cache.write_snapshot(replace(self.snapshot, _folder=FolderState(
                    before.files, {**before.folders, **folder.settled})))
            return self.snapshot
        return None

    def recall(self, site_dir: Path, options: BuildOptions) -> CacheState:
        self.state = state_of(self.cache, site_dir, options)
        return self.state

    def page_states(self, folder: OutputFolder, plan: Plan, refingerprinted: list[Route] | None,
                    ) -> tuple[list[Route], set[str]]:
        # Anyone may have touched the output folder since the last build: look at every file
        # (one walk, which also finds what to remove), compared map to map; unless the
        # folder was proven as the snapshot of the last build has it (its pages as in the manifest).
        if self.snapshot is not None and folder.holds(self.snapshot._folder):
            return plan.routes, set()
        return plan.routes, _stale_pages(folder, plan, refingerprinted, self.state.manifest)

    def remember(self, built: Built) -> None:
        state, plan = self.state, built.plan
        built.renderer.views.forget_cards()  # (the next build, another process, makes its own)
        self.cache.drop_snapshot()  # first: a snapshot, when there is one, is the last build's
        if built.wrote_anything or not _same_entries(plan.sources, state.sources):
            # (a no-op rebuild does not rewrite a cache of many megabytes; one that found
            # files settled records their signatures: the snapshot it writes relies on them)
            changes = _changes(built, state) if plan.changed is not None else None
            _update(state, self.cache, built)
            if changes is not None:
                self.cache.save_delta(state, changes)
            else:  # (nothing after this reads the maps but the manifest: the snapshot does)
                built.let_go()
                self.cache.save(state, forget=tuple(name for name in KEYED if name != "manifest"))
        content = plan.content_signatures()
        if None not in content.values():  # a file just changed: no use before it settles (and
            # at 50,000 articles writing a snapshot costs a few tenths of a second)
            before = self.snapshot.folder if self.snapshot else None
            if not isinstance(before, FolderState):  # (a snapshot of another make cannot be trusted)
                before = None
            now = built.folder.state_now(state.manifest, before, (*built.report.written, *built.report.removed))
            self.cache.write_snapshot(Snapshot(state.config_digest, content, built.templates, now, built.summary,
                                               len(now.files)))
        self.cache.close()  # folds the stores' journals into them: the folder holds one file per store


class InMemory(LastBuild):
    """The live preview's: builds of one site one after another in one process, the state
    in memory between them, written to disk only by `save`. A build works on a shallow copy
    (`begin`), dropped by `abandon`; its last step, `remember`, updates the maps in place
    and makes it the completed state at once, under the lock `save` takes: a build that
    fails or is stopped half-way never leaves a half-updated state, `save` may run while a
    build does, and a save in the preview copies no map of the whole site."""

    def __init__(self, cache: Cache, site_dir: Path, options: BuildOptions):
        self.cache = cache
        self.completed = _read_whole(cache, state_of(cache, site_dir, options))
        """The state the last completed build left (or the one loaded): what `save` writes."""
        self.state = self.completed
        self.cards = {}
        self._completed_cards: dict[str, dict] = {}
        self.dirty = False
        self.folder_trusted = True
        """Nothing but these builds writes the output folder (the preview's own; a watch's
        while no other build has written it): a build looks only at the pages it may
        change. When False, the next build surveys the whole folder, as the command line's."""
        self._lock = threading.Lock()
        """Held by `remember` and `save`: the state a build begins shares the maps of the
        completed one, which `remember` updates in place (they are copied by no build)."""

    def begin(self, site_dir: Path) -> None:
        """Start a build on a copy of the last completed build's state."""
        self._completed_cards = self.cards
        completed = self.completed
        digest = config_digest(site_dir)
        if completed.config_digest != digest:
            self.state = CacheState(self.cache.key, digest)
        else:  # shares the completed state's maps: nothing changes them before `remember`, except
            # these two memos, filled in place while the build runs
            self.state = replace(completed, model_memo=dict(completed.model_memo),
                                 template_references=dict(completed.template_references))

    def forget(self) -> None:
        """Start the next build from nothing, as `--clean` does (`save` then writes its state)."""
        with self._lock:
            self.completed = CacheState(self.cache.key, self.completed.config_digest)
            self.state, self.cards, self._completed_cards = self.completed, {}, {}
            self.folder_trusted = False

    def abandon(self) -> None:
        """Forget what the build begun did: the last completed state stays."""
        self.state, self.cards = self.completed, self._completed_cards

    def commit(self) -> None:
        with self._lock:
            self.completed, self._completed_cards = self.state, self.cards
            self.dirty = True

    def save(self) -> None:
        """Write the state of the last completed build, if it is not on disk yet."""
        with self._lock:
            if self.dirty:
                self.cache.save(self.completed)
                self.dirty = False

    def page_states(self, folder: OutputFolder, plan: Plan, refingerprinted: list[Route] | None,
                    ) -> tuple[list[Route], set[str]]:
        if not self.folder_trusted:
            return plan.routes, _stale_pages(folder, plan, refingerprinted, self.state.manifest)
        # The preview's folder is its own: only the pages fingerprinted again can differ.
        candidates = plan.routes if refingerprinted is None else refingerprinted
        manifest = self.state.manifest
        return candidates, {route.out_path for route in candidates
                            if folder.file_state(route.out_path) != manifest.get(route.out_path)}

    def produced_before(self) -> set[str] | None:
        return self.state.produced if self.folder_trusted else None

    def remember(self, built: Built) -> None:
        # The cards of this build, for the next one (views are the same while the structure is).
        cards = built.renderer.card_views_by_source()
        with self._lock:  # the maps updated in place are the completed state's too: it is this one now
            if built.plan.changed is not None:
                self.cards.update(cards)
            else:
                self.cards = cards
            _update(self.state, self.cache, built)
            self.completed, self._completed_cards = self.state, self.cards
            self.dirty = True
            self.folder_trusted = True


def _stale_pages(folder: OutputFolder, plan: Plan, refingerprinted: list[Route] | None,
                 manifest: dict[str, tuple[int, int]]) -> set[str]:
    """Return the pages (by out_path) whose file is not as the last build left it, by one
    walk of the output folder (which also finds what to remove), compared map to map."""
    survey = folder.survey()
    stale = {out_path for out_path, state in manifest.items() if survey.get(out_path) != state}
    if refingerprinted is None or len(manifest) != len(plan.routes):  # a page the last build did not leave
        stale.update(route.out_path for route in plan.routes
                     if route.out_path not in manifest and survey.get(route.out_path) is not None)
    return stale


def _read_whole(cache: Cache, state: CacheState) -> CacheState:
    """Return `state` with the maps of its key store read whole, once (the preview's builds
    update them in place); an empty state when the store fails."""
    try:
        for name in KEYED:
            if isinstance(getattr(state, name), StoredMap):
                setattr(state, name, dict(getattr(state, name).items()))
        state.body_index = BodyIndex(state.body_index)  # (knows the bodies with problems: see `Bodies.convert_all`)
    except KeyStoreUnreadable as exc:
        cache.set_keys_aside(exc)
        return CacheState(cache.key, state.config_digest)
    return state


def decide_pages(plan: Plan, renderer: Renderer, last: LastBuild, folder: OutputFolder) -> PagesToRender:
    """Return the pages this build renders. Planned afresh, every page is fingerprinted and
    the readers index is made anew; re-planned after edits (the structure the previous
    build's), only the pages that read a changed source can differ, and of those that show
    its article card only when the card changed."""
    state = last.state
    refingerprinted: list[Route] | None = None
    if plan.changed is None:
        fingerprints: dict[str, str] = {}
        found: dict[str, tuple[list[str], list[str], list[str]]] = {}  # src_path → (of its card, content, stamp)
        for route in plan.routes:
            fingerprints[route.out_path], cards, stamps, direct = renderer.fingerprint_and_sources(route)
            for which, sources in enumerate((cards, direct, stamps)):
                for src_path in sources:
                    found.setdefault(src_path, ([], [], []))[which].append(route.out_path)
        readers = {src_path: Readers(tuple(of_card), tuple(of_content), tuple(of_stamp))
                   for src_path, (of_card, of_content, of_stamp) in found.items()}
    else:
        fingerprints, readers = {}, state.readers
        renderer.reuse_cards(state.card_token_by_source, plan.changed, last.cards)
        affected: set[str] = set()
        for src_path in plan.changed:
            source_readers = readers.get(src_path)
            if source_readers is None:
                continue
            affected.update(source_readers.of_content)
            if renderer.card_token_of(src_path) != state.card_token_by_source.get(src_path):
                affected.update(source_readers.of_card)
            if source_readers.of_stamp and _stamp_changed(plan.sources[src_path], state.sources.get(src_path)):
                affected.update(source_readers.of_stamp)
        positions = plan.route_positions()  # (not a look at every route: at 50,000 articles, 80,000)
        refingerprinted = [plan.routes[i] for i in sorted(positions[out_path] for out_path in affected
                                                           if out_path in positions)]
        for route in refingerprinted:
            fingerprints[route.out_path] = renderer.fingerprint(route)
    candidates, stale = last.page_states(folder, plan, refingerprinted)
    if refingerprinted is None:
        todo = [route for route in candidates
                if state.fingerprints.get(route.out_path) != fingerprints[route.out_path] or route.out_path in stale]
    else:  # the other pages keep their fingerprints (no copy of them all: the preview saves often)
        stale.update(out_path for out_path, fingerprint in fingerprints.items()
                     if state.fingerprints.get(out_path) != fingerprint)
        todo = [route for route in candidates if route.out_path in stale] if stale else []
    return PagesToRender(fingerprints, readers, refingerprinted, todo)


def _stamp_changed(entry: SourceEntry, before: SourceEntry | None) -> bool:
    """True when an edited article's stamp (what a sitemap shows of it) may differ from the
    last build's: the only two records read of a sitemap's thousands of articles."""
    if before is None or not isinstance(entry.record, ArticleRecord) or not isinstance(before.record, ArticleRecord):
        return True
    return stamp_of(entry.record) != stamp_of(before.record)


def forget_sources_changed_while_building(plan: Plan, renderer: Renderer) -> None:
    """Make the next build read again each source edited while this one converted it,
    whatever its stat says: its body is stored under the hash of the text converted, its
    record is the one planned (issue 10)."""
    for src_path in renderer.changed_while_building():
        entry = plan.sources[src_path]
        plan.sources[src_path] = SourceEntry("", entry._record, entry.problems, None)


def _changes(built: Built, state: CacheState) -> StateChanges:
    """Return what a build that kept the site's structure changes in `state` (before
    `_update`), but for the maps of the key store: it writes the entries set in them."""
    plan, media_problems = built.plan, built.media_problems
    changed = plan.changed or frozenset()
    return StateChanges(
        sources={src: entry for src, entry in plan.sources.items() if state.sources.get(src) is not entry},
        media_problems={src: media_problems.get(src, ()) for src in changed},
        plan_patch={src: plan.sources[src].record for src in changed},
    )


def _update(state: CacheState, cache: Cache, built: Built) -> None:
    """Set `state` to what this build leaves, and store the bodies it converted. After an
    edit that kept the site's structure, the maps of every page and article are updated in
    place with the entries this build set (the others hold): a save in the live preview
    costs what it changed, not a copy of the whole site's maps."""
    plan, renderer, pages = built.plan, built.renderer, built.pages
    if plan.changed is not None:  # the renderer took every other body as it was
        forget = {src for src in plan.changed if src in state.body_index and src not in renderer.bodies.info}
    else:
        forget = set(state.body_index) - set(renderer.bodies.info)
    cache.bodies.put(renderer.bodies.fresh, forget=forget)  # first: what follows cannot fail half-way
    state.sources = plan.sources
    info = renderer.bodies.info
    if isinstance(info, BodyIndexLayer) and info.under is state.body_index:
        state.body_index.fold(info)  # (in place, as the maps below)
    else:
        state.body_index = info
    state.readers = pages.readers
    state.media_problems = built.media_problems
    state.link_world = renderer.resolver.link_world
    state.produced = built.folder.produced
    staged = {item.out_path: (item.size, item.mtime_ns) for item in built.staged}
    if plan.changed is not None:
        state.fingerprints.update(pages.fingerprints)
        state.card_token_by_inputs.update(renderer.tokens.card_token_by_inputs)
        state.card_token_by_source.update(renderer.tokens.card_token_by_source)
        state.manifest.update(staged)  # the same pages as the last build's: the others kept theirs
    else:
        state.fingerprints = pages.fingerprints
        state.card_token_by_inputs = renderer.tokens.card_token_by_inputs
        state.card_token_by_source = renderer.tokens.card_token_by_source
        state.manifest = {route.out_path: staged.get(route.out_path) or state.manifest[route.out_path]
                          for route in plan.routes}
    state.plan = replace(plan, texts={}, changed=None)
    state.plan_patch = {}
    state.templates = built.templates


def _content_digest(path: str) -> tuple[str, str]:
    """Stands for a file's stat signature when that cannot be trusted (just changed)."""
    with open(path, "rb") as handle:
        return ("bytes", hashlib.blake2b(handle.read(), digest_size=16).hexdigest())


def _same_signatures(new: dict[str, tuple | None], old: dict[str, tuple | None]) -> bool:
    """True when both hold the same files, each unchanged: the same trustworthy stat
    signature, or, for a file the old build saw just changed (and so recorded by the hash
    of its bytes), the same bytes now. Without the second case, a template saved less than
    RACY_NS before a build would never match again (its stat signature is recorded by the
    next builds), and every later build would plan the whole site afresh."""
    if new.keys() != old.keys() or None in new.values():
        return False
    for path, signature in new.items():
        before = old[path]
        if signature == before:
            continue
        if before is None or before[0] != "bytes" or signature[0] == "bytes":
            return False
        try:
            if _content_digest(path) != before:
                return False
        except OSError:  # gone since it was looked at
            return False
    return True


def _same_entries(new: dict[str, SourceEntry], old: dict[str, SourceEntry]) -> bool:
    """True when both have the same sources, each with the same digest and stat signature."""
    return new.keys() == old.keys() and all(new[path].digest == old[path].digest and
                                            new[path].signature == old[path].signature for path in new)
