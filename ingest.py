"""Build the assistant's index from a corpus folder: ``python ingest.py [FOLDER] [--rebuild|--check]``."""

import sys

from assistant.ingest.cli import main

if __name__ == "__main__":
    sys.exit(main())
