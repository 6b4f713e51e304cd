"""``python -m dd_evidence``: see ``dd_evidence.cli``."""

import atexit
import os
import sys

from dd_evidence.cli import main


def _exit(code: int) -> None:
    """Leave with ``code`` once the exit handlers have run and stdout and stderr are flushed, without the
    interpreter's teardown of every module and cached object: after a scan that teardown is pure CPU (a tenth to a
    fifth of a second with PyGithub, cryptography and the parse caches loaded) and frees nothing a later process
    could use. Reports are written and closed by then, git processes ended, and probe threads are daemons. When
    flushing fails (stdout closed by the reader) the ordinary exit path reports it as usual."""
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)
    os._exit(code)


def console() -> None:
    """The ``dd-evidence`` command: the CLI, left the same quick way."""
    _exit(main())


if __name__ == "__main__":
    console()
