"""Write files atomically: readers see the old file or the new one, never half of one.

Each output is written to a temporary file in the target's directory and renamed over the
target with :func:`os.replace` only when writing succeeded. A failure leaves the previous
file (or no file) in place and removes the temporary one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _file_mode() -> int:
    """The mode a newly created file gets under the current umask (e.g. 0o644)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def atomic_path(target: Path | str) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``target``.

    The temporary file sits next to the target (same file system, so the rename is atomic)
    and starts with a dot, so globs such as ``*.csv`` never pick it up half-written.
    Parent directories are created. Writers that infer a format from the file name need
    it passed explicitly: the temporary name ends in ``.tmp``.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(descriptor)
    temporary = Path(name)
    try:
        yield temporary
        with temporary.open("rb") as written:
            os.fsync(written.fileno())
        temporary.chmod(_file_mode())
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def atomic_write_bytes(target: Path | str, data: bytes) -> None:
    """Write ``data`` to ``target`` atomically."""
    with atomic_path(target) as temporary:
        temporary.write_bytes(data)


def atomic_write_text(target: Path | str, text: str) -> None:
    """Write ``text`` to ``target`` atomically, UTF-8 encoded, with ``\\n`` line endings."""
    with atomic_path(target) as temporary, temporary.open("w", encoding="utf-8", newline="\n") as f:
        f.write(text)
