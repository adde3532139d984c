"""File storage that never leaves a partly written file under its final name.

Django's `FileSystemStorage` writes a file in place: a process killed in the middle of a PDF or a
photo leaves a truncated file where the document is expected. This storage writes into a hidden
temporary file of the same folder, flushes it to disk, then renames it into place (a rename is
atomic on one file system): a reader sees the whole file or none. A killed write leaves only a
hidden `.…part` file behind, never served.
"""

from __future__ import annotations

import os
import tempfile

from django.core.files.storage import FileSystemStorage

FILE_MODE = 0o644


class _WrittenFile:
    """A file already on disk, handed to FileSystemStorage, which then moves it into place."""

    def __init__(self, path: str):
        self.path = path

    def temporary_file_path(self) -> str:
        return self.path

    def close(self) -> None:
        pass


class AtomicFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        if hasattr(content, "temporary_file_path"):
            # Already a file on disk: moved, not copied. (`_save` is missing from the stubs.)
            return super()._save(name, content)  # type: ignore[misc]
        directory = os.path.dirname(self.path(name))
        os.makedirs(directory, exist_ok=True)
        fd, partial = tempfile.mkstemp(dir=directory, prefix=".", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in content.chunks():
                    out.write(chunk if isinstance(chunk, bytes) else chunk.encode())
                out.flush()
                os.fsync(out.fileno())
            os.chmod(partial, FILE_MODE)
            return super()._save(name, _WrittenFile(partial))  # type: ignore[misc]
        finally:
            if os.path.exists(partial):
                os.unlink(partial)
