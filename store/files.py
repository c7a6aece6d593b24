"""Writing a file the way a shared host needs: whole or not at all, never through a symbolic
link, never over an existing file unless asked."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from store.errors import StoreError


def _put_in_place(temporary: str, path: Path) -> None:
    """Give the file its name unless that name exists: a hard link fails if it does. Where the
    file system has no hard links (vfat, some network shares), check and rename instead."""
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise
    except OSError:
        if path.exists() or path.is_symlink():
            raise FileExistsError(path) from None
        os.replace(temporary, path)


def write_atomically(path: Path, write: Callable[[TextIO], None], *,
                     replace: bool = False) -> None:
    """Write `path` through a private temporary file in the same folder, then rename it into
    place: a reader never sees half a file, and a failed write leaves nothing behind.

    Refuses a symbolic link (another user could point it anywhere), and an existing file unless
    `replace`. Without `replace` the file is linked into place, so a file that appears meanwhile
    is not overwritten either.
    """
    if path.is_symlink():
        raise StoreError(f"{path} is a symbolic link: not following it; choose another name")
    if path.exists() and not replace:
        raise StoreError(f"{path} exists: choose another name, or replace it (--force)")
    if path.is_dir():
        raise StoreError(f"{path} is a folder: add a file name")
    try:
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise StoreError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())  # on disk before it has its name: whole, even after a crash
        if replace:
            os.replace(temporary, path)
        else:
            _put_in_place(temporary, path)
    except FileExistsError:
        raise StoreError(f"{path} appeared while writing: choose another name, or replace it "
                         "(--force)") from None
    except OSError as exc:
        raise StoreError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
