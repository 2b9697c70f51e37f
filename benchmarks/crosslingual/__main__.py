"""``python -m benchmarks.crosslingual``."""

import sys

from benchmarks.crosslingual.cli import main

sys.exit(main())
