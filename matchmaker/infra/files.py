"""Files the service writes whole or not at all."""
import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

__all__ = ["replacing"]


@contextlib.contextmanager
def replacing(path: str | Path, mode: str) -> Iterator[IO]:
    """A file to write `path` with: opened under a temporary name in the same folder and moved over
    `path` once it is whole (``os.replace``), so a failure midway leaves the previous file (or
    none), never half a file, and two runs writing the same path leave one of them whole. The
    new file gets the old one's permissions, else the usual ones (0644)."""
    path = str(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".part", dir=folder)
    try:
        with open(fd, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as fh:
            yield fh
        try:
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        except FileNotFoundError:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
