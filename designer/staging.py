"""The atomic staged folder every writer uses: all files at once, or none.

Files are first written into a temporary folder beside ``outdir``; only when all of them are
complete is the folder moved into place, so a failure never leaves a half-written ``outdir``.

The temporary folder is hidden and named after its writer, ``.OUTDIR.tmp-<pid>-<random>``. An
exception removes it; a process killed outright (SIGKILL, power loss) cannot, so the next write
beside it removes every such folder whose process is gone (:func:`remove_stale_staging`).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from designer.errors import InputError


@contextlib.contextmanager
def staged_folder(outdir: str | Path, force: bool = False,
                  ours: tuple[str, ...] = ()) -> Iterator[Path]:
    """Yield a temporary folder beside ``outdir``; on success it replaces ``outdir`` whole,
    on any failure it is removed, so ``outdir`` is never half-written."""
    outdir = Path(outdir)
    if outdir.parent.is_dir():
        remove_stale_staging(outdir.parent, outdir.name)
    check_outdir(outdir, force, ours)
    outdir = outdir.resolve()
    outdir.parent.mkdir(parents=True, exist_ok=True)
    staging = new_staging(outdir.parent, outdir.name)
    try:
        yield staging
        replace_folder(staging, outdir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def new_staging(parent: Path, name: str) -> Path:
    """A new empty hidden folder ``parent/.name.tmp-<pid>-<random>`` for this process."""
    return Path(tempfile.mkdtemp(prefix=f".{name}.tmp-{os.getpid()}-", dir=parent))


def _staging_pattern(name: str) -> re.Pattern:
    return re.compile(rf"\.{re.escape(name)}\.tmp-(\d+)-[^/]*")


def _process_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (POSIX); elsewhere assume it does."""
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process, or no way to tell: leave its folder alone
        return True
    return True


def remove_stale_staging(parent: Path, name: str) -> list[Path]:
    """Remove what a killed writer of ``parent/name`` left behind; return what was removed.

    That is every ``.name.tmp-<pid>-*`` folder whose process no longer runs, and the previous
    ``.name.old`` folder of an interrupted :func:`replace_folder`: when ``name`` is missing,
    the old complete folder is moved back into place rather than deleted.
    """
    removed = []
    pattern = _staging_pattern(name)
    try:
        entries = sorted(parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match and entry.is_dir() and not entry.is_symlink() \
                and not _process_alive(int(match[1])):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    old, target = parent / f".{name}.old", parent / name
    if old.is_dir() and not old.is_symlink():
        if target.exists() or target.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
            removed.append(old)
        else:
            os.replace(old, target)
    return removed


def check_outdir(outdir: Path, force: bool, ours: tuple[str, ...] = ()) -> None:
    """Refuse an OUTDIR that cannot be replaced safely.

    Not a file; not the current folder or one of its parents; and, unless ``force``, holding
    nothing but files a previous run wrote (``ours``).
    """
    if outdir.exists() and not outdir.is_dir():
        raise InputError(f"{outdir}: exists and is not a folder")
    resolved = outdir.resolve()
    if resolved == Path.cwd().resolve() or resolved in Path.cwd().resolve().parents:
        raise InputError(f"{outdir}: the output folder cannot be the current folder or one "
                         "of its parents (it is replaced as a whole)")
    if outdir.exists() and not force:
        leftovers = [_staging_pattern(name) for name in ours]
        foreign = sorted(p.name for p in outdir.iterdir() if p.name not in ours
                         and not any(pattern.fullmatch(p.name) for pattern in leftovers))
        if foreign:
            raise InputError(f"{outdir}: folder holds other files ({', '.join(foreign[:3])}); "
                             "use --force to replace it")


def replace_folder(staging: Path, target: Path) -> None:
    """Move the finished ``staging`` folder to ``target``, replacing an older one.

    The old folder is renamed aside before the new one moves in, so ``target`` is always either
    the old complete folder or the new complete one.
    """
    os.chmod(staging, 0o755)
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
        os.replace(staging, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, target)
