"""``python -m counter_app`` and the frozen program's entry point."""

import sys

from counter_app.cli import main

if __name__ == "__main__":
    sys.exit(main())
