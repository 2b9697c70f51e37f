"""The contact a hand-over answer gives ("转人工", or no answer found): from the settings, else from the corpus.

Settings (``contact.*``, env ``ZST_CONTACT__HOTLINE`` …) name the service line of a deployment. Without them the
corpus speaks for itself: of the passages of its service documents (metadata ``topic: service``) that carry a
phone number or an e-mail address, the one saying the least besides them (the hotline article itself, not a
notice that mentions the hotline in passing, nor a directory of park lines). No number is known to the code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.answering.composer import source_ref
from assistant.answering.messages import say
from assistant.chat_types import SourceRef
from assistant.documents import Chunk
from assistant.sentences import sentences
from assistant.settings import ContactSettings

SERVICE_TOPIC = "service"
# A phone number as written in documents: a landline with its area code (0851-8123 4567, (010) 1234-5678), a mobile
# (+86 139…), a 400/800 service number; or an e-mail address. Not a date (2026-11-01) nor a decimal (0.562).
CONTACT = re.compile(
    r"(?<![\d.\-])(?:\+?86[-\s]?)?(?:\(?0\d{2,3}\)?[-\s]?\d{3,4}[-\s]?\d{4}|1[3-9]\d{9}|[48]00[-\s]?\d{3}[-\s]?\d{4})"
    r"(?![\d])|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


@dataclass(frozen=True)
class Contact:
    """The contact line of one language and the source it is cited as."""

    line: str
    source: SourceRef

    @property
    def sample(self) -> bool:
        return self.source.sample


def _besides(text: str) -> int:
    """How much a passage says besides its contact details (characters, whitespace left out)."""
    return len(re.sub(r"\s", "", CONTACT.sub("", text)))


def _passage_line(chunk: Chunk, lang: str) -> str:
    """The sentences of a passage that carry its contact details."""
    found = [s for s in sentences(chunk.text) if CONTACT.search(s)]
    return ("" if lang == "zh" else " ").join(found) or chunk.text


def service_passages(chunks: Iterable[Chunk]) -> list[Chunk]:
    """Passages of service documents that carry contact details, the one saying the least besides them first."""
    found = [c for c in chunks if c.topic == SERVICE_TOPIC and CONTACT.search(c.text)]
    return sorted(found, key=lambda c: (_besides(c.text), len(CONTACT.findall(c.text))))


def from_corpus(chunks: Iterable[Chunk], lang: str) -> Contact | None:
    """The service passage in the answer's language, else in any language; None when the corpus has none."""
    found = service_passages(chunks)
    chunk = next((c for c in found if c.language == lang), found[0] if found else None)
    if chunk is None:
        return None
    line = _passage_line(chunk, lang)
    first = next((s for s in sentences(chunk.text) if CONTACT.search(s)), line)
    return Contact(line, source_ref(chunk, first))


def settings_line(contact: ContactSettings, lang: str) -> str:
    """The contact line the settings give in ``lang``: its own text, else one made from the fields; "" if none."""
    en = lang == "en"
    own = contact.text_en if en else contact.text
    if own.strip():
        return own.strip()
    if not (contact.hotline or contact.email):
        return (contact.text or contact.text_en).strip()  # a text in the other language only
    name = (contact.name_en if en else "") or contact.name
    hours = (contact.office_hours_en if en else "") or contact.office_hours
    fields = [(say("contact_phone", lang), contact.hotline), (say("contact_email", lang), contact.email),
              (say("contact_hours", lang), hours)]
    body = ("; " if en else "；").join(f"{label} {value.strip()}" for label, value in fields if value.strip())
    head = f"{name.strip()}{': ' if en else '：'}" if name.strip() else ""
    return f"{head}{body}{'.' if en else '。'}"


def from_settings(contact: ContactSettings, lang: str) -> Contact | None:
    line = settings_line(contact, lang)
    if not line:
        return None
    name = (contact.name_en if lang == "en" else "") or contact.name
    source = SourceRef(title=say("contact_title", lang), locator=name.strip(), text=line, kind="contact",
                       language=lang)
    return Contact(line, source)


def hand_over_contact(contact: ContactSettings, chunks: Iterable[Chunk], lang: str) -> Contact | None:
    """The settings' contact when they give one, else the corpus's service passage."""
    return from_settings(contact, lang) or from_corpus(chunks, lang)
