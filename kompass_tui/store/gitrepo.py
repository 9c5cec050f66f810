"""The database folder as a git repository, for a team's sync (service.sync): the `git` command run
safely, and the few steps of git a sync needs. Nothing here decides what a merge keeps; that is
core.merging, called by the service.

- Only the evaluation files are shared (and .gitattributes, which names Kompass's merge driver for
  them): the index, the lock, the kept versions and temp files are excluded by .git/info/exclude,
  which is local. Kompass's merge driver is registered in .git/config, which is local too: nothing
  a remote sends is configuration, and no hook runs (core.hooksPath=/dev/null on every command).
- The repository is the database folder's, and obeys its rules: every git command runs with
  umask 077 (folders 0700, files 0600, core.sharedRepository off), and .git must be the user's own
  and closed to others, checked before use.
- Commits are made with git's plumbing (write-tree, commit-tree, update-ref) with the author and
  committer given, so a machine with no git identity configured works and no commit hook exists to
  run. No command prompts (GIT_TERMINAL_PROMPT=0); a command that cannot reach the remote raises
  Offline.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import stat
import subprocess
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from kompass_tui.errors import InputError, StoreError
from kompass_tui.paths import not_private
from kompass_tui.store.files import EVALUATIONS, _is_evaluation_file

BRANCH = "main"
REMOTE = "origin"
TRACKING = f"refs/remotes/{REMOTE}/{BRANCH}"
ATTRIBUTES = ".gitattributes"
DRIVER = "kompass"
ATTRIBUTES_TEXT = (
    f"# Kompass: its own merge for evaluation files (kompass sync)\n{EVALUATIONS}/*.json -text merge={DRIVER}\n"
)
# Shared: the evaluation files and the attributes; everything else in the folder stays local.
EXCLUDE_TEXT = f"/*\n!/{EVALUATIONS}/\n!/{ATTRIBUTES}\n/{EVALUATIONS}/*\n!/{EVALUATIONS}/*.json\n/{EVALUATIONS}/.*\n"
SHARED = (f":(glob){EVALUATIONS}/*.json", ATTRIBUTES)  # pathspecs of what Kompass shares (more: is_shared)
SYNC_LOCK = "kompass-sync.lock"  # in .git: one Kompass git operation at a time in this repository
# What a killed git leaves behind and blocks every later command with; safe to remove while
# SYNC_LOCK is held (no other Kompass git process can be using the repository then).
STALE = ("index.lock", "HEAD.lock", "ORIG_HEAD.lock", "packed-refs.lock", "config.lock", "shallow.lock")
TIMEOUT = 300.0  # seconds any one git command may take (a fetch over a slow line)

# On every command, whatever the user's or the repository's configuration says.
_SAFE = (
    "-c",
    "core.hooksPath=/dev/null",
    "-c",
    "core.fsmonitor=false",
    "-c",
    "core.sharedRepository=false",
    "-c",
    "gc.autoDetach=false",  # no git process left behind a sync
    "-c",
    "advice.detachedHead=false",
)
_OFFLINE = (
    "could not resolve host",
    "could not read from remote",
    "connection refused",
    "connection timed out",
    "network is unreachable",
    "no route to host",
    "does not appear to be a git repository",
    "unable to access",
    "operation timed out",
    "temporary failure in name resolution",
)


def evaluation_id(path: str) -> str | None:
    """The evaluation a path of the repository holds (evaluations/<id>.json), None for any other."""
    folder, _, name = path.partition("/")
    return name[:-5] if folder == EVALUATIONS and _is_evaluation_file(name) else None


def is_shared(path: str) -> bool:
    """Whether Kompass shares a path of the repository: .gitattributes, evaluations/<id>.json."""
    return path == ATTRIBUTES or evaluation_id(path) is not None


def is_local(url: str) -> bool:
    """Whether a git remote is a folder on this machine (its receive-pack runs here, as us)."""
    if url.startswith("file://"):
        return True
    if "://" in url:
        return False
    colon, slash = url.find(":"), url.find("/")
    return colon < 0 or (0 <= slash < colon)


class Offline(StoreError):
    """The remote could not be reached: nothing was fetched or pushed."""


class Git:
    """The git repository of one database folder."""

    def __init__(self, folder: Path, prompts: bool = False) -> None:
        """prompts: ssh may ask for a passphrase on the terminal (the CLI; never in the app, whose
        screen it would write over: there ssh fails at once, and the sync says why)."""
        self.prompts = prompts
        self.folder = folder.absolute()
        self.git_dir = self.folder / ".git"

    # -- running git -------------------------------------------------------------------

    def run(
        self,
        *args: str,
        data: bytes | None = None,
        env: Mapping[str, str] | None = None,
        check: bool = True,
        timeout: float = TIMEOUT,
    ) -> subprocess.CompletedProcess[bytes]:
        """git args in the folder, its output captured; a failure is a StoreError with git's last line."""
        program = shutil.which("git")
        if program is None:
            raise InputError(
                "kompass sync needs git, which is not installed: sudo apt install git (or your system's package)",
                sv="kompass sync behöver git, som inte är installerat: sudo apt install git (eller ditt systems paket)",
            )
        environment = {
            **os.environ,
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ASKPASS": "",
            "SSH_ASKPASS": "",
            "LC_ALL": "C",
            "GIT_DIR": str(self.git_dir),
            "GIT_WORK_TREE": str(self.folder),
            **(env or {}),
        }
        if not self.prompts:
            environment.setdefault("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")
        try:
            done = subprocess.run(
                [program, *_SAFE, *args],
                cwd=self.folder,
                input=data,
                env=environment,
                capture_output=True,
                timeout=timeout,
                umask=0o077,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise Offline(f"git {args[0]} took longer than {timeout:g} s; nothing was changed by it") from None
        if check and done.returncode != 0:
            raise self._failure(args, done)
        return done

    def _failure(self, args: Sequence[str], done: subprocess.CompletedProcess[bytes]) -> StoreError:
        text = done.stderr.decode("utf-8", "replace").strip()
        last = next((line.strip() for line in reversed(text.splitlines()) if line.strip()), f"exit {done.returncode}")
        from kompass_tui.core.sanitize import one_line

        line = one_line(last, 200)
        if any(sign in text.lower() for sign in _OFFLINE):
            return Offline(f"the remote cannot be reached ({line})")
        return StoreError(f"git {args[0]} failed: {line}")

    def out(self, *args: str, data: bytes | None = None, env: Mapping[str, str] | None = None) -> str:
        return self.run(*args, data=data, env=env).stdout.decode("utf-8", "surrogateescape").strip()

    # -- the repository ----------------------------------------------------------------

    def exists(self) -> bool:
        return self.git_dir.is_dir() and not self.git_dir.is_symlink()

    def check(self) -> None:
        """.git must be a folder of the user's own, closed to others (as the database folder)."""
        try:
            info = os.lstat(self.git_dir)
        except FileNotFoundError:
            raise InputError(
                f"{self.folder} is not shared yet: kompass sync setup REMOTE first",
                sv=f"{self.folder} delas inte ännu: kör kompass sync setup REMOTE först",
            ) from None
        if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
            raise StoreError(f"{self.git_dir} is not a folder; kompass sync leaves it alone")
        problem = not_private(info)
        if problem:
            why, what = problem
            raise StoreError(f"{self.git_dir} {why}; {what}, or kompass sync leaves it alone")

    def init(self, remote: str) -> None:
        """A new repository in the folder, with Kompass's local configuration and remote."""
        self.run("init", "-q", "-b", BRANCH)
        self.configure()
        self.run("remote", "add", REMOTE, remote)

    def configure(self) -> None:
        """What Kompass keeps in the repository's own (local) configuration and exclude file."""
        import sys

        info = self.git_dir / "info"
        info.mkdir(mode=0o700, exist_ok=True)
        (info / "exclude").write_text(EXCLUDE_TEXT, encoding="utf-8")
        os.chmod(info / "exclude", 0o600)
        driver = f"{_quoted(sys.executable)} -m kompass_tui sync merge-file %O %A %B %P"
        for key, value in (
            (f"merge.{DRIVER}.name", "Kompass: each evaluator's entries kept (kompass sync)"),
            (f"merge.{DRIVER}.driver", driver),
            ("core.hooksPath", "/dev/null"),
            ("core.sharedRepository", "false"),
            ("core.autocrlf", "false"),
            ("pull.rebase", "false"),
        ):
            self.run("config", "--local", key, value)

    def remote_url(self) -> str:
        done = self.run("config", "--local", "--get", f"remote.{REMOTE}.url", check=False)
        return done.stdout.decode("utf-8", "replace").strip()

    # -- revisions ---------------------------------------------------------------------

    def rev(self, name: str) -> str | None:
        """The commit a name points at, or None."""
        done = self.run("rev-parse", "-q", "--verify", f"{name}^{{commit}}", check=False)
        return done.stdout.decode().strip() or None if done.returncode == 0 else None

    def head(self) -> str | None:
        return self.rev("HEAD")

    def tracking(self) -> str | None:
        """What the remote's branch was at the last fetch."""
        return self.rev(TRACKING)

    def is_ancestor(self, older: str, newer: str) -> bool:
        return self.run("merge-base", "--is-ancestor", older, newer, check=False).returncode == 0

    def merge_base(self, one: str, other: str) -> str | None:
        done = self.run("merge-base", one, other, check=False)
        return done.stdout.decode().strip() or None if done.returncode == 0 else None

    def count(self, spec: str) -> int:
        return int(self.out("rev-list", "--count", spec) or 0)

    # -- what differs ------------------------------------------------------------------

    def changed(self) -> list[str]:
        """The shared files that differ from HEAD in the folder (changed, new or deleted)."""
        raw = self.run("status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *SHARED).stdout
        paths = []
        entries = raw.split(b"\0")
        n = 0
        while n < len(entries):
            entry = entries[n]
            n += 1
            if len(entry) < 4:
                continue
            if entry[:1] in (b"R", b"C"):  # a rename has its source after it
                n += 1
            path = entry[3:].decode("utf-8", "surrogateescape")
            if is_shared(path):
                paths.append(path)
        return paths

    def diff(self, old: str | None, new: str) -> list[str]:
        """The files that differ between two commits (old None: every file of new), shared or not."""
        if old is None:
            raw = self.run("ls-tree", "-r", "-z", "--name-only", new).stdout
        else:
            raw = self.run("diff", "--no-renames", "--name-only", "-z", old, new).stdout
        return [p.decode("utf-8", "surrogateescape") for p in raw.split(b"\0") if p]

    def differs(self, commit: str) -> bool:
        """Whether git's index holds other shared files than commit does."""
        return self.run("diff", "--cached", "--quiet", commit, "--", *SHARED, check=False).returncode != 0

    def read(self, commit: str | None, paths: Iterable[str]) -> dict[str, bytes | None]:
        """The files at a commit (None for one it does not have, or no commit), in one git process."""
        wanted = list(paths)
        if commit is None or not wanted:
            return dict.fromkeys(wanted)
        return dict(zip(wanted, self.blobs([f"{commit}:{path}" for path in wanted]), strict=True))

    def blobs(self, names: Sequence[str]) -> list[bytes | None]:
        """The bytes of each object named (a blob's id, or commit:path), in one git process; None
        for one that is not a blob git has."""
        if not names:
            return []
        raw = self.run("cat-file", "--batch", data=b"".join(f"{name}\n".encode() for name in names)).stdout
        found: list[bytes | None] = []
        at = 0
        for _ in names:
            end = raw.index(b"\n", at)
            header = raw[at:end].split()
            at = end + 1
            if len(header) == 3 and header[1] == b"blob":
                size = int(header[2])
                found.append(raw[at : at + size])
                at += size + 1
            else:
                found.append(None)
        return found

    # -- commits -----------------------------------------------------------------------

    def stage(self, paths: Iterable[str]) -> None:
        """These shared files, as the folder holds them (one missing: removed), into git's index;
        whatever else the index holds (a file of the team's that Kompass does not share) stays."""
        wanted = sorted({p for p in paths if is_shared(p)})
        if wanted:
            listed = b"\0".join(p.encode("utf-8", "surrogateescape") for p in wanted)
            self.run(
                "add",
                "-A",
                "--pathspec-from-file=-",
                "--pathspec-file-nul",
                data=listed,
                env={"GIT_LITERAL_PATHSPECS": "1"},
            )

    def read_tree(self, commit: str) -> None:
        """git's index to commit's tree (the folder's files as they are)."""
        self.run("read-tree", commit)

    def commit(self, message: str, author: str, parents: Sequence[str]) -> str:
        """A commit of git's index with these parents, made HEAD. author is also the committer;
        a fixed address, as Kompass knows evaluators by name."""
        tree = self.out("write-tree")
        from kompass_tui.core.sanitize import one_line

        name = one_line(author, 200).replace("<", "").replace(">", "") or "Kompass"
        identity = {
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": "kompass@localhost",
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": "kompass@localhost",
        }
        args = ["commit-tree", tree]
        for parent in parents:
            args += ["-p", parent]
        commit = self.out(*args, data=message.encode("utf-8"), env=identity)
        self.run("update-ref", "HEAD", commit)
        return commit

    def point(self, commit: str) -> None:
        """HEAD and git's index to commit, the folder's files as they are (they hold it already)."""
        self.run("reset", "-q", "--mixed", commit)

    # -- the remote --------------------------------------------------------------------

    def _packs(self, kind: str) -> list[str]:
        """For a remote that is a folder here, its pack program run without hooks: a push's
        receive-pack would otherwise run the remote folder's hooks, as us."""
        if not is_local(self.remote_url()):
            return []
        return [f"--{kind}=git -c core.hooksPath=/dev/null -c core.fsmonitor=false {kind}"]

    def fetch(self) -> None:
        self.run("fetch", "-q", "--no-tags", "--prune", *self._packs("upload-pack"), REMOTE)

    def push(self) -> bool:
        """HEAD to the remote's branch; False if the remote moved on meanwhile (fetch and merge again)."""
        done = self.run(
            "push", "-q", "--porcelain", *self._packs("receive-pack"), REMOTE, f"HEAD:refs/heads/{BRANCH}", check=False
        )
        if done.returncode == 0:
            self.run("update-ref", TRACKING, "HEAD")
            return True
        for line in done.stdout.decode("utf-8", "replace").splitlines():
            # "!<tab>HEAD:refs/heads/main<tab>[rejected] (fetch first)": the remote moved on
            if line.startswith("!") and "[rejected]" in line and ("fetch first" in line or "non-fast-forward" in line):
                return False
            if line.startswith("!") and "[remote rejected]" in line:
                from kompass_tui.core.sanitize import one_line

                why = one_line(line.split("[remote rejected]", 1)[1].strip(" ()"), 200)
                raise StoreError(f"the remote refused the push ({why}); your changes are committed here")
        raise self._failure(("push",), done)

    @contextmanager
    def locked(self, wait: bool = True) -> Iterator[bool]:
        """One Kompass git operation at a time in this repository (a sync from the app and one from
        the CLI, say); under it, the lock files a killed git left are removed. wait False: yields
        False at once if another holds it (the app's status count skips a turn)."""
        fd = os.open(self.git_dir / SYNC_LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            self._clear_stale()
            yield True
        finally:
            os.close(fd)

    def _clear_stale(self) -> None:
        names = [self.git_dir / name for name in STALE]
        names += list((self.git_dir / "refs").rglob("*.lock"))
        for path in names:
            try:
                if path.is_file() and not path.is_symlink():
                    path.unlink()
            except OSError:
                pass


def _quoted(path: str) -> str:
    """A path for git's driver command line (run by a shell)."""
    return "'" + path.replace("'", "'\\''") + "'"
