"""The files of a package as size-capped binary streams: a path, a caller's file object or a
zip member, opened as often as a reader needs, each byte read counted against the `Budget`.
"""
import io
import os
import zipfile
from typing import BinaryIO

from matchmaker.packages.problems import Problem
from matchmaker.packages.readers.limits import Budget, Stop

__all__ = ["Source"]


class _Capped(io.RawIOBase):
    """A binary stream that stops (`Stop`) once more than a part may hold has been read from it."""

    def __init__(self, raw: BinaryIO, part: str, budget: Budget):
        super().__init__()
        self._raw, self._part, self._budget, self._read = raw, part, budget, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self._read += n
        self._budget.spend(self._part, n, self._read)
        return n

    def close(self):
        try:
            self._raw.close()
        finally:
            super().close()


class Source:
    """One file of a package (a path, a file object, or a zip member), opened as often as needed."""

    def __init__(self, source: str | os.PathLike | BinaryIO | None, part: str, budget: Budget,
                 archive: zipfile.ZipFile | None = None, info: zipfile.ZipInfo | None = None):
        self.source, self.part, self.budget, self.archive, self.info = source, part, budget, archive, info

    def open(self) -> io.BufferedReader:
        """A size-capped binary stream of the part, from its beginning."""
        if self.archive is not None:
            info = self.info
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise Stop(Problem("package", 1, "-", f"{self.part} is compressed with an unsupported method "
                                   "(only stored or deflated members are read) (不支持的压缩方式)"))
            # zipfile never returns more than the declared size (it stops there, then checks the CRC).
            self.budget.claim(self.part, info.file_size)
            raw = self.archive.open(info)
        elif hasattr(self.source, "read"):
            if hasattr(self.source, "seek"):
                self.source.seek(0)
            raw = _Borrowed(self.source)
        else:
            self.budget.claim(self.part, os.path.getsize(self.source))
            raw = open(self.source, "rb")
        return io.BufferedReader(_Capped(raw, self.part, self.budget), 65536)

    def read(self) -> bytes:
        """The whole part."""
        with self.open() as fh:
            return fh.read()


class _Borrowed:
    """A caller's file object: read through, but left open."""

    def __init__(self, fh):
        self.read = fh.read

    def close(self):
        pass
