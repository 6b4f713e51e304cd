"""``python -m dd_evidence``: see ``dd_evidence.cli``."""

import sys

from dd_evidence.cli import main

if __name__ == "__main__":
    sys.exit(main())
