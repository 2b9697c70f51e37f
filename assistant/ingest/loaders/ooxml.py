"""Word (.docx) and Excel (.xlsx) files are zip packages. Checked before parsing, so staff get a reason
they can act on instead of a parser's traceback."""

from __future__ import annotations

import zipfile
from pathlib import Path

from assistant.ingest.loaders.errors import Unreadable

# An OLE compound file: what Office writes for a password-protected (encrypted) .docx/.xlsx, and for the
# legacy binary .doc/.xls formats.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def check_package(path: Path, kind: str) -> None:
    """Raise Unreadable unless ``path`` is a readable zip package; ``kind`` names the format for the reason."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise Unreadable(f"cannot read {kind} file: {exc}") from exc
    if head == _OLE_MAGIC:
        raise Unreadable(f"password-protected (encrypted) or legacy binary {kind} file: save it as "
                         f"{path.suffix.lower()} without a password")
    if not zipfile.is_zipfile(path):
        raise Unreadable(f"corrupt {kind} file: not a {path.suffix.lower()} (zip) package")
