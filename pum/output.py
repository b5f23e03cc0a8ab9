"""`--output FILE` and `--report FORMAT=PATH`: checked before the run and written atomically.

A report is written to a temporary file beside the target, flushed to disk and renamed over it, so a reader (or a
full disk) never sees a half-written report. When a run fails (exit 2 or 3) the CLI writes a report saying so over
the target; when even that cannot be written the target is removed: an earlier run's report must not look like
this run's.
"""

from __future__ import annotations

import os
import tempfile

from .errors import UsageError


def check_output(path: str, flag: str = "--output") -> str:
    """Fail before the run (exit 2) when `path` cannot be written; returns it absolute."""
    target = os.path.abspath(path)
    directory = os.path.dirname(target)
    if not os.path.isdir(directory):
        raise UsageError(f"{flag} {path}: the directory {directory} does not exist; create it or write elsewhere")
    if os.path.isdir(target):
        raise UsageError(f"{flag} {path}: is a directory; name a file to write the report to")
    if os.path.lexists(target) and not os.path.isfile(target):
        raise UsageError(f"{flag} {path}: exists and is not a regular file; name a file to write the report to")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise UsageError(f"{flag} {path}: the directory {directory} is not writable; write elsewhere")
    return target


def write_atomically(path: str, text: str, flag: str = "--output") -> None:
    """Write `text` to `path` through a temporary file in the same directory and a rename."""
    target = os.path.abspath(path)
    directory = os.path.dirname(target)
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise UsageError(f"{flag} {path}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        mode = os.stat(target).st_mode & 0o777 if os.path.isfile(target) else 0o666 & ~_umask()
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except OSError as exc:
        _remove(temporary)
        raise UsageError(f"{flag} {path}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        _remove(temporary)
        raise


def remove_stale(path: str | None) -> None:
    """After a failed run: remove an earlier report at `path`, so nothing there looks like this run's result."""
    if path and os.path.isfile(path):
        _remove(path)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
