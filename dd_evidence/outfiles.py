"""Report files written so that a failure never leaves a broken report and a planted symlink redirects nothing.

Every report file goes to a temporary file in the output directory and is renamed over its name once fully
written and flushed: a full disk or a killed process leaves the earlier report as it was (and no half file),
and a symlink named like the report is replaced by the report, its target untouched (``rename`` swaps the
directory entry; it never writes through a link).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file in the same directory and a rename.

    Raises OSError when it cannot; ``path`` then keeps its earlier content.
    """
    path = Path(path)
    data = text.encode("utf-8")
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name[:64]}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        # mkstemp creates 0600; a report is an ordinary file, readable as the umask allows.
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _read_umask() -> int:
    # The only portable way to read the umask is to set it and put it straight back: done once, at import, before
    # any thread of a scan could create a file in between.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _read_umask()
