"""Changes over a corpus folder that are not in it yet: what a staged build is made from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CorpusChanges:
    """``root`` holds each added (or replacing) file at its doc_id's path, and ``lexicon.yaml`` when the lexicon
    is replaced; ``removed`` doc_ids are left out of the build."""

    root: Path
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    lexicon: bool = False

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.lexicon)
