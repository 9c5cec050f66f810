"""A team's sync through git (kompass sync): the database folder is a git repository whose shared
files are the evaluation files (store.gitrepo); a sync commits what changed here, fetches, merges
with Kompass's own merge, applies the result to the database, and pushes.

- The database lock is held only while Kompass reads or writes the database: while it stages and
  commits the folder's changes, and while it writes what a merge brought in (then commits that).
  Fetching, working out the merge (git objects and pure functions) and pushing run without it, so
  the app and other commands go on meanwhile; a save that lands in between is noticed under the
  lock and the round starts again with it committed.
- The merge is core.merging.merge3_files per evaluation file changed on both sides since their
  common version (each evaluator's entries kept, the newer edit of one evaluator's entry kept and
  reported, differing shared texts both kept, a deletion against an edit keeps the edit); a file
  changed on the remote only is taken as it is. Every file that arrives is checked as `merge` and
  `import` check one (a Kompass evaluation file, its texts cleaned, its scores fitting its
  framework): one that is not refuses the sync with one line naming the commit and the file, and
  nothing here changes.
- What a merge brings in is written through the database (atomically, the previous version kept),
  and the merge commit is made of the folder as the database then holds it. A sync killed at any
  point leaves a database that opens: the next sync commits whatever the folder holds that HEAD
  does not, and merges again (a merge of what is merged already changes nothing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kompass_tui.core import model
from kompass_tui.core.model import Evaluation
from kompass_tui.core.sanitize import visible
from kompass_tui.errors import InputError, KompassError, StoreError
from kompass_tui.store.files import evaluation_bytes, evaluation_from_bytes
from kompass_tui.store.gitrepo import ATTRIBUTES, ATTRIBUTES_TEXT, Git, Offline, evaluation_id

if TYPE_CHECKING:
    from kompass_tui.service.workbench import Workbench

ROUNDS = 5  # fetch-merge-push rounds before giving up (each lost to a push or a save in between)


@dataclass
class SyncReport:
    """What a sync did, as lines to show: what went out, what came in, what the merge decided."""

    sent: list[str] = field(default_factory=list)
    received: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    offline: str = ""  # why nothing was fetched or pushed ('' if the remote was reached)
    pushed: int = 0  # commits the remote received


@dataclass(frozen=True)
class SyncStatus:
    remote: str
    changed: list[str]  # evaluations changed here and not committed yet
    ahead: int  # commits here the remote has not had (as of the last fetch)
    behind: int  # commits on the remote not merged here (as of the last fetch)


@dataclass(frozen=True)
class _Plan:
    """What a merge writes: each evaluation's new document (None: deleted), and the lines to say."""

    head: str | None
    theirs: str
    documents: dict[str, model.Evaluation | None]
    fast_forward: bool
    paths: frozenset[str]  # the shared files either side changed: staged over theirs for the merge


class Sync:
    """kompass sync on one database (a Workbench's)."""

    def __init__(self, bench: Workbench, prompts: bool = False) -> None:
        """prompts: ssh may ask for a passphrase on the terminal (the CLI's sync, not the app's)."""
        self.bench = bench
        self.git = Git(Path(bench.folder), prompts)

    # -- set-up and status -------------------------------------------------------------

    def setup(self, remote: str, who: str) -> SyncReport:
        """Make the database folder a git repository shared through remote (any git URL: ssh://,
        user@host:path, a local bare repository) and sync it once: what the remote holds comes
        in, what this database holds goes out."""
        if not remote.strip() or remote.startswith("-"):
            raise InputError(f"{remote!r} is not a git remote; give its URL or path")
        db = self.bench.db
        with db.locked():
            if self.git.exists():
                self.git.check()
                known = self.git.remote_url()
                if known and known != remote:
                    raise InputError(
                        f"{self.bench.folder} is shared through {known} already; "
                        f"to change it: git -C {self.bench.folder} remote set-url origin {remote}"
                    )
            else:
                self.git.init(remote)
            self.git.configure()
        return self.sync(who)

    def status(self, wait: bool = True) -> SyncStatus:
        """What is not shared; wait False: StoreError at once if a sync is running here."""
        git = self._ready()
        with git.locked(wait) as free:
            if not free:
                raise StoreError("a sync is running", sv="en synkning pågår")
            return self._status(git)

    def _status(self, git: Git) -> SyncStatus:
        head, theirs = git.head(), git.tracking()
        changed = [evaluation_id(p) or p for p in git.changed()]
        ahead = git.count(f"{theirs}..HEAD") if head and theirs else (git.count("HEAD") if head else 0)
        behind = git.count(f"HEAD..{theirs}") if head and theirs else (git.count(theirs) if theirs else 0)
        return SyncStatus(git.remote_url(), sorted(changed), ahead, behind)

    # -- the sync ----------------------------------------------------------------------

    def sync(self, who: str) -> SyncReport:
        """Commit what changed here (as who), fetch, merge, push; see the module's words."""
        git = self._ready()
        with git.locked():
            return self._sync(git, who)

    def _sync(self, git: Git, who: str) -> SyncReport:
        report = SyncReport()
        db = self.bench.db
        for _ in range(ROUNDS):
            with db.locked():
                self._commit_local(who, report)
            try:
                git.fetch()
            except Offline as exc:
                report.offline = str(exc)
                return report
            head, theirs = git.head(), git.tracking()
            if theirs is not None and (head is None or not git.is_ancestor(theirs, head)):
                said = SyncReport()  # (what the merge says, once it is applied)
                plan = self._plan(head, theirs, said)
                with db.locked():
                    if git.head() != head or git.changed():
                        continue  # a save landed meanwhile: commit it first, then merge again
                    self._apply(plan, who)
                report.received += said.received
                report.merged += said.merged
                report.skipped += said.skipped
            head = git.head()
            if head is None or head == git.tracking():
                return report
            try:
                ahead = git.count(f"{theirs}..HEAD") if theirs else git.count("HEAD")
                if git.push():
                    report.pushed = ahead
                    return report
            except Offline as exc:
                report.offline = str(exc)
                return report
        raise StoreError(
            f"the remote kept moving ({ROUNDS} rounds); everything here is committed: run kompass sync again",
            sv=f"fjärrförrådet ändrades hela tiden ({ROUNDS} varv); allt här är incheckat: kör kompass sync igen",
        )

    def _ready(self) -> Git:
        self.git.check()
        return self.git

    def _commit_local(self, who: str, report: SyncReport) -> None:
        """Under the lock: the folder's changes to the shared files committed, as who, with a
        message saying what changed (each changed file checked first: a damaged one is not sent)."""
        from kompass_tui.core import changes

        git = self.git
        self._attributes()
        paths = git.changed()
        if not paths:
            return
        head = git.head()
        before = git.read(head, paths)
        lines: list[str] = []
        for path in sorted(paths):
            eid = evaluation_id(path)
            if eid is None:
                continue
            old = self._evaluation(before[path], f"HEAD:{path}", check=False)
            new = self._stored(eid)
            found = changes.changes(old, new, by=who) if old is not None and new is not None else ()
            if old is None or new is None:
                lines.append(f"{eid}: {who}: {'created' if new is not None else 'deleted'}")
            elif found:
                lines.append(f"{eid}: {changes.message(found)}")
        git.stage(paths)
        subject = lines[0] if len(lines) == 1 else f"{len(lines)} evaluations" if lines else "Kompass sync set-up"
        body = "\n".join(lines) if len(lines) > 1 else ""
        git.commit(subject + ("\n\n" + body if body else "") + "\n", who, [head] if head else [])
        report.sent += lines

    def _attributes(self) -> None:
        """Under the lock: the folder's .gitattributes as Kompass writes it (Kompass's merge driver
        for evaluation files), whatever a remote sent in its place."""
        from kompass_tui.store import write_file

        path = self.git.folder / ATTRIBUTES
        try:
            if path.read_bytes() == ATTRIBUTES_TEXT.encode("utf-8"):
                return
        except OSError:
            pass
        write_file(path, ATTRIBUTES_TEXT.encode("utf-8"))

    def _stored(self, eid: str) -> Evaluation | None:
        """The evaluation as the database holds it now; None if it has none (deleted)."""
        from kompass_tui.errors import NotFound

        try:
            return model.from_dict(self.bench.db.read(eid), eid)
        except NotFound:
            return None

    def _evaluation(self, raw: bytes | None, where: str, check: bool = True) -> Evaluation | None:
        """An evaluation file's bytes as an evaluation (None: no file); check: as an import checks
        one (texts cleaned, scores fitting the framework); InputError naming where otherwise."""
        if raw is None:
            return None
        try:
            ev = model.from_dict(evaluation_from_bytes(raw, where), where)
            if check:
                ev, _ = self.bench._prepared(ev, where)
        except KompassError as exc:
            raise InputError(
                f"{where}: {exc.words_in('en')}; the sync stopped and nothing here was changed",
                sv=f"{where}: {exc.words_in('sv')}; synkningen avbröts och inget här ändrades",
            ) from None
        return ev

    def _plan(self, head: str | None, theirs: str, report: SyncReport) -> _Plan:
        """What merging theirs into head writes (no lock: git objects and pure functions only)."""
        from kompass_tui.core import changes, merging

        git = self.git
        fast = head is None or git.is_ancestor(head, theirs)
        base = head if fast or head is None else git.merge_base(head, theirs)
        incoming = git.diff(base, theirs)
        ours = set() if fast or head is None else set(git.diff(base, head))
        short = theirs[:10]
        shared = [p for p in incoming if evaluation_id(p) is not None]
        for path in incoming:
            if path != ATTRIBUTES and evaluation_id(path) is None:
                report.skipped.append(f"{short}:{visible(path)}: not an evaluation file Kompass shares; left out")
        theirs_files = git.read(theirs, shared)
        mine_files = git.read(head, shared)
        base_files = git.read(base, [p for p in shared if p in ours])
        documents: dict[str, Evaluation | None] = {}
        for path in shared:
            eid = evaluation_id(path)
            assert eid is not None
            where = f"{short}:{path}"
            arrived = self._evaluation(theirs_files[path], where)
            if arrived is not None and arrived.id != eid:
                raise InputError(
                    f"{where}: holds {arrived.id}, not {eid}; the sync stopped and nothing here was changed"
                )
            mine = self._evaluation(mine_files[path], f"HEAD:{path}", check=False)
            if path in ours:
                result = merging.merge3_files(
                    self._evaluation(base_files[path], f"{base}:{path}", check=False), mine, arrived, where
                )
                merged = result.evaluation if result is not None else None
                if result is not None:
                    report.merged += [f"{eid}: {m}" for m in result.messages]
            else:
                merged = arrived
            documents[eid] = merged
            if mine is None or merged is None:
                if mine is not merged:
                    report.received.append(f"{'new' if merged is not None else 'deleted'}: {eid}")
                continue
            for who, kinds in changes.tally(changes.changes(mine, merged)).items():
                counted = ", ".join(
                    f"{n} {kind}{'s' if n != 1 and not kind.endswith('s') else ''}" for kind, n in kinds.items()
                )
                report.received.append(f"{'from ' + who if who else 'team'}: {counted} in {eid}")
        return _Plan(head, theirs, documents, fast, frozenset(ours | set(shared)))

    def _apply(self, plan: _Plan, who: str) -> None:
        """Under the lock: what the merge brings in written to the database, then committed (a
        merge commit; or the remote's own commit where the folder now holds exactly it)."""
        db, git = self.bench.db, self.git
        for eid, ev in plan.documents.items():
            if ev is None:
                if eid in db.ids():
                    db.delete(eid)
            else:
                db.put(eid, model.to_dict(ev))
        self._attributes()
        git.read_tree(plan.theirs)  # theirs, with what either side changed as the folder now holds it
        git.stage([*plan.paths, ATTRIBUTES])
        if plan.fast_forward and not git.differs(plan.theirs):
            git.point(plan.theirs)
            return
        parents = [p for p in (plan.head, plan.theirs) if p]
        git.commit(f"Merge of {plan.theirs[:10]} by Kompass sync\n", who, parents)


def merge_files(base: Path, mine: Path, theirs: Path, name: str) -> list[str]:
    """git's merge driver (a merge made with git by hand): the three versions of an evaluation
    file merged as a sync merges them, written over mine; what the merge decided, as lines."""
    from kompass_tui.core import merging
    from kompass_tui.store import write_file

    def read(path: Path, where: str) -> Evaluation | None:
        raw = path.read_bytes()
        if not raw:
            return None
        try:
            return model.from_dict(evaluation_from_bytes(raw, where), where)
        except KompassError as exc:
            raise InputError(f"{name} ({where}): {exc}; left for you to merge") from None

    result = merging.merge3_files(read(base, "base"), read(mine, "ours"), read(theirs, "theirs"), name)
    if result is None:
        raise InputError(f"{name}: deleted on one side; left for you to merge (git rm it to keep it deleted)")
    write_file(mine, evaluation_bytes(model.to_dict(result.evaluation)))
    return result.messages
