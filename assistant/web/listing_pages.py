"""Pages of the structured sources a citation opens: a listing row (parks.csv, factories.xlsx …) and the rules of
a rules file, each rule named and linked to the document article it comes from. Every value is escaped."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi.responses import HTMLResponse

from assistant.language import romanise
from assistant.lexicon import LexiconError, load_lexicon
from assistant.listings import LEVEL_EN, SAMPLE_ZH, Factory, english_term, english_terms
from assistant.web.source_shell import not_found, page
from assistant.web.sources import SourceFiles, row_url, rule_statement, rules_of
from assistant.web.ui_text import field_label, listing_title, t

HIDDEN = {"sample"}
_CJK = re.compile(r"[\u3400-\u9fff]")
Labels = Mapping[str, str]  # the lexicon's industry stems in English (label_en)


def _keys(row: dict[str, Any], lang: str) -> list[str]:
    """The fields a page shows: in English a field's English column stands in its place, not beside it."""
    return [k for k in row if k not in HIDDEN and not (lang == "en" and k.endswith("_en") and k[:-3] in row)]


def _english(key: str, value: Any, row: dict[str, Any], labels: Labels) -> Any:
    """A field in English: its English column, the level's English word, else (a row without that column) the
    lexicon's label_en for its industry stems and pinyin for the rest, as English answers name things."""
    if row.get(f"{key}_en"):
        return row[f"{key}_en"]
    if key == "level":
        return LEVEL_EN.get(str(value), value)
    if isinstance(value, (tuple, list)):
        return english_terms(tuple(str(v) for v in value), labels)
    if isinstance(value, str) and _CJK.search(value):
        return english_term(value, labels)
    return value


def _value(key: str, value: Any, row: dict[str, Any], lang: str, labels: Labels | None = None) -> str:
    if lang == "en" and key != "status":
        value = _english(key, value, row, labels or {})
    if value is None or value == "" or value == ():
        return "—"
    if key == "status":
        try:
            return Factory(**row).status_text(lang)
        except (TypeError, KeyError):
            return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (tuple, list)):
        return (", " if lang == "en" else "、").join(str(v) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _name(row: dict[str, Any], lang: str) -> str:
    """What a person calls the row: a park's name (English where the listing has one), a factory's place."""
    if row.get("name"):
        return str(row.get("name_en") or romanise(row["name"])) if lang == "en" else str(row["name"])
    keys = ("park", "building", "floor")  # English where the listing gives English names, else pinyin
    parts = [(row.get(f"{k}_en") or romanise(str(row.get(k) or ""))) if lang == "en" else row.get(k) for k in keys]
    return " ".join(str(p) for p in parts if p) or str(row.get("id", ""))


def industry_labels(root: Path) -> Labels:
    """The corpus lexicon's English industry names; none when it is missing or invalid (pinyin then)."""
    try:
        return load_lexicon(root).industry_labels
    except (LexiconError, OSError):
        return {}


def listing_rows(path: Path, root: Path, lang: str = "zh") -> tuple[str, list[dict[str, Any]]]:
    """The listing's title in ``lang`` and its rows, as the index reads them (CSV or workbook alike). The English
    title is the metadata's ``title_en``, else the generic name of what it lists ("Park list")."""
    from assistant.ingest import english_title, load_file

    doc = load_file(path, root)
    title = doc.meta.title
    if lang == "en":
        kinds = [kind for kind, rows in doc.structured.items() if rows]
        title = english_title(path) or listing_title(kinds[0] if kinds else "", "en") or title
    return title, [row for rows in doc.structured.values() for row in rows]


def _badge(sample: bool, lang: str) -> str:
    return f' <span class="badge">{escape(t("sample_badge", lang))}</span>' if sample else ""


def row_html(row: dict[str, Any], lang: str, labels: Labels | None = None) -> str:
    cells = "".join(f"<tr><th>{escape(field_label(k, lang))}</th>"
                    f"<td>{escape(_value(k, row[k], row, lang, labels))}</td></tr>" for k in _keys(row, lang))
    return f'<div class="scroll"><table class="fields">{cells}</table></div>'


def table_html(doc_id: str, rows: list[dict[str, Any]], lang: str, labels: Labels | None = None) -> str:
    keys = _keys(rows[0], lang) if rows else []
    head = "".join(f"<th>{escape(field_label(k, lang))}</th>" for k in keys)
    body = ""
    for row in rows:
        ident = str(row.get("id", ""))
        link = f'<a href="{escape(row_url(doc_id, ident, lang), quote=True)}">{escape(ident)}</a>'
        cells = "".join(f"<td>{link if k == 'id' else escape(_value(k, row.get(k), row, lang, labels))}</td>"
                        for k in keys)
        body += f'<tr id="{escape(ident, quote=True)}">{cells}</tr>'
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def listing_page(path: Path, root: Path, doc_id: str, row_id: str, lang: str) -> HTMLResponse:
    """One row (``row_id``) with every field, or the whole listing; 404 for a row it does not hold."""
    from assistant.ingest import LoaderError

    try:
        title, rows = listing_rows(path, root, lang)
    except (LoaderError, ValueError, OSError):  # changed on disk since the index read it
        return not_found(lang)
    labels = industry_labels(root) if lang == "en" else {}
    all_rows = f'<p class="raw"><a href="{escape(_all(doc_id, lang), quote=True)}">{escape(t("all_rows", lang))}</a>' \
               f' · <a href="{escape(quote(path.name), quote=True)}?raw=1">{escape(t("original_file", lang))}</a></p>'
    if not row_id:
        sample = any(r.get("sample") for r in rows)
        return page(title, f"<h1>{escape(title)}{_badge(sample, lang)}</h1>{table_html(doc_id, rows, lang, labels)}"
                    + all_rows, lang)
    row = next((r for r in rows if str(r.get("id", "")) == row_id), None)
    if row is None:
        return not_found(lang)
    name = _name(row, lang)
    body = (f'<p class="meta">{escape(title)} · {escape(row_id)}</p><h1>{escape(name)}'
            f'{_badge(bool(row.get("sample")), lang)}</h1>{row_html(row, lang, labels)}{all_rows}')
    return page(f"{name} · {title}", body, lang)


def _all(doc_id: str, lang: str) -> str:
    return "/sources/" + quote(doc_id) + ("?lang=en" if lang == "en" else "")


def _rule_text(text: str) -> str:
    """The rule's own statement: the index text less the source and sample notes the page shows apart."""
    return rule_statement(text).replace(SAMPLE_ZH, "")


def rules_page(files: SourceFiles, doc_id: str, path: Path, rule_id: str, lang: str) -> HTMLResponse:
    """Every rule of the file by name, the cited one marked, each naming and linking its document article."""
    rules = rules_of(path)
    if rule_id and not any(r.id == rule_id for r in rules):
        return not_found(lang)
    title = files.names.get(doc_id) or path.stem
    if lang == "en":  # the file's title_en, else its title in Latin letters
        title = files.english_title(doc_id) or files.name_for(title, lang)
    colon = ": " if lang == "en" else "："
    out = []
    for rule in rules:
        target = files.titles.get(rule.title)
        if lang == "en":
            number = f" ({files.name_for(rule.doc_number, lang)})" if rule.doc_number else ""
            article = files.locator_for(rule.article, lang)
            cite = files.title_for(rule.title, target or "", lang) + number + (f", {article}" if article else "")
        else:
            cite = f"《{rule.title}》" + (f"（{rule.doc_number}）" if rule.doc_number else "") + rule.article
        source = escape(cite)
        if target is not None:
            source = f'<a href="{escape(files.article_url(target, rule.article, lang), quote=True)}">{source}</a>'
        marked = " cited" if rule.id == rule_id else ""
        name = rule.name_en or files.name_for(rule.name, lang) if lang == "en" else rule.name
        out.append(f'<section class="rule{marked}" id="{escape(rule.id, quote=True)}"><h2>{escape(name)}'
                   f"{_badge(rule.sample, lang)}</h2><p>{escape(_rule_text(rule.text))}</p>"
                   f'<p class="meta">{escape(t("rule_basis", lang))}{colon}{source}</p></section>')
    return page(title, f"<h1>{escape(title)}</h1>" + "".join(out), lang)
