"""HTML of the staff console: small server-rendered pages, no external assets, everything escaped.

Every value from documents, investors or the database goes through ``html.escape`` (an answer's text through the
answers' Markdown renderer, raw HTML off); only the links and forms built here are markup. Stylesheet and script are served by the console itself (same origin)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import tzinfo
from html import escape
from typing import Any
from urllib.parse import urlencode

from fastapi.responses import HTMLResponse

from assistant.chat_types import Answer
from assistant.web.markup import answer_markup
from assistant.web.staff_data import GapGroup, candidate_rows
from assistant.web.staff_text import WORDS, StaffText, shown_confidence, shown_time

NO_STORE = {"Cache-Control": "no-store"}  # staff data must not linger in shared caches

NAV = (("ask", "/staff/ask", "nav_ask"), ("documents", "/staff/documents", "nav_documents"),
       ("review", "/staff/review", "nav_review"), ("lexicon", "/staff/lexicon", "nav_lexicon"),
       ("leads", "/staff/leads", "nav_leads"), ("gaps", "/staff/gaps", "nav_gaps"), ("log", "/staff/log", "nav_log"),
       ("privacy", "/staff/privacy", "nav_privacy"))

CODE_CHARS = 40  # a cell this short in Latin letters with no space is a code, a figure or a path: one line
PASSAGE_CHARS = 60  # a cell longer than this is a passage: given room to read

CSS = """
body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:0;color:#1d2733;background:#f5f7fa}
header{background:#0f3d5e;color:#fff;padding:.6rem 1.2rem;display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;align-items:center}
header a{color:#dbeafe;text-decoration:none}header a.on{color:#fff;font-weight:600;text-decoration:underline}
header .end{margin-left:auto;display:flex;gap:.8rem;align-items:center}header form{margin:0}main{padding:1rem 1.2rem;max-width:1400px}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.88rem;margin:.6rem 0}
th,td{border:1px solid #d5dbe3;padding:.3rem .45rem;text-align:left;vertical-align:top}
th{background:#e8eef5}td.num{text-align:right;font-variant-numeric:tabular-nums}
th,td.num,td.code{white-space:nowrap}td{min-width:6em}td.num{min-width:2em}td.text{min-width:16em}
.answer{background:#fff;border:1px solid #d5dbe3;padding:.7rem;overflow-wrap:break-word}.answer p{margin:0 0 .4rem}
.answer ul,.answer ol{margin:.2rem 0 .4rem;padding-left:1.4em}.zst-cite{font-size:.75em;color:#556}
.empty{color:#556;background:#fff;border:1px dashed #c5ccd6;padding:.8rem 1rem}.bad{color:#a11}.ok{color:#176117}.muted{color:#667}input[type=text],input[type=password]{width:28rem;max-width:90%}
input[type=file]{max-width:100%}button{padding:.35rem .8rem;min-height:2.2rem}
button.danger{background:#a11;color:#fff;border:1px solid #800}button.primary{background:#176117;color:#fff;border:1px solid #0d4d0d}
.actions{display:flex;flex-wrap:wrap;gap:.6rem;align-items:center;margin:.6rem 0}.actions form{margin:0}
form.find label{max-width:100%}form.find input[type=text]{width:18rem;max-width:calc(100vw - 6rem)}
.banner{background:#fff7e0;border:1px solid #e0c060;padding:.6rem .8rem}
textarea{width:100%;box-sizing:border-box;font-family:ui-monospace,monospace;font-size:.85rem}
progress{width:22rem;max-width:100%}.login{max-width:26rem;margin:5rem auto;background:#fff;padding:1.5rem;border:1px solid #d5dbe3}
@media (max-width:600px){main{padding:.6rem}header{padding:.5rem .6rem}h1{font-size:1.4rem}table{font-size:.8rem}}
"""

JS = """
(function(){var box=document.getElementById('reindex');if(!box)return;
var cancel=box.querySelector('form.cancel'),again=box.querySelector('form.again');
var words=JSON.parse(box.dataset.words||'{}');function w(x){return words[x]||x;}
function show(s){var busy=s.state==='running'||s.state==='cancelling';box.querySelector('progress').value=s.percent;
box.querySelector('.stage').textContent=w(s.state)+' '+w(s.stage)+' '+s.done+'/'+s.total+
(s.doc_id?' · '+s.doc_id+(s.doc_status?': '+w(s.doc_status):'')+(s.doc_reason?' ('+s.doc_reason+')':''):'')+
(s.message?' · '+s.message:'');if(cancel){cancel.hidden=!busy;}if(again){again.hidden=busy;}return busy;}
function poll(){fetch('/staff/api/reindex',{credentials:'same-origin'}).then(function(r){return r.json();})
.then(function(s){if(show(s)){box.dataset.running='1';setTimeout(poll,1000);}
else if(box.dataset.running==='1'){location.reload();}})
.catch(function(){setTimeout(poll,3000);});}poll();})();
"""


def html_response(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=NO_STORE)


def _cell(value: Any) -> str:
    if value is None:
        return "<td></td>"
    if isinstance(value, float):
        return f'<td class="num">{value:.4f}</td>'
    if isinstance(value, int) and not isinstance(value, bool):
        return f'<td class="num">{value}</td>'
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    # On a phone a wide table scrolls sideways rather than squeezing its columns: a short code (F-009, a doc
    # path) is never broken, a passage keeps a readable width, every other cell at least a few characters.
    kind = ' class="code"' if len(text) <= CODE_CHARS and text.isascii() and " " not in text else (
        ' class="text"' if len(text) > PASSAGE_CHARS else "")
    return f"<td{kind}>{escape(text)}</td>"


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], raw: set[int] | None = None,
          empty: str = "") -> str:
    """A table; columns listed in ``raw`` hold markup built by this module (links), the rest is escaped.
    Wrapped so that a wide table scrolls sideways on a phone instead of widening the page. Without rows and
    with ``empty``, that line instead of an empty table."""
    raw = raw or set()
    rows = list(rows)
    if not rows and empty:
        return f'<p class="empty">{escape(empty)}</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{v}</td>" if i in raw else _cell(v) for i, v in enumerate(row)) + "</tr>"
                   for row in rows)
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def notice(message: str, bad: bool | None = None) -> str:
    """A one-line result of the last action: red when it was refused (``bad``; guessed from the words when
    None, for messages that came back through a redirect)."""
    if not message:
        return ""
    if bad is None:
        bad = any(w in message.lower() for w in ("refused", "error", "cannot", "failed", "拒绝", "失败", "不能"))
    return f'<p class="{"bad" if bad else "ok"}">{escape(message)}</p>'


def post_button(action: str, label: str, css: str = "", fields: dict[str, str] | None = None,
                hidden: bool = False) -> str:
    """A form with one button posting to ``action`` (works without scripts; the console's CSP allows no
    inline ones)."""
    inputs = "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in (fields or {}).items())
    klass = f' class="{escape(css)}"' if css else ""
    return (f'<form method="post" action="{escape(action)}"{" hidden" if hidden else ""}{klass}>{inputs}'
            f'<button{klass}>{escape(label)}</button></form>')


def _html_lang(tx: StaffText) -> str:
    return "en" if tx.lang == "en" else "zh-CN"


def page(tx: StaffText, title: str, active: str, body: str) -> str:
    links = "".join(f'<a href="{href}"{" class=on" if key == active else ""}>{escape(tx(label))}</a>'
                    for key, href, label in NAV)
    switch = f'<a class="lang" href="{escape(tx.switch_href())}" lang="{"zh-CN" if tx.lang == "en" else "en"}">{escape(tx("switch"))}</a>'
    return (f'<!doctype html><html lang="{_html_lang(tx)}"><head><meta charset="utf-8"><title>{escape(title)} · '
            f'{escape(tx("brand"))}</title><meta name="viewport" content="width=device-width,initial-scale=1">'
            f'<link rel="stylesheet" href="/staff/static/console.css"></head><body><header><strong>'
            f'{escape(tx("brand"))}</strong>{links}<span class="end">{switch}<form method="post" '
            f'action="/staff/logout"><button>{escape(tx("logout"))}</button></form></span></header>'
            f"<main><h1>{escape(title)}</h1>{body}</main></body></html>")


def login_page(tx: StaffText, error: str = "") -> str:
    message = f'<p class="bad">{escape(error)}</p>' if error else ""
    switch = f'<p><a href="{escape(tx.switch_href())}">{escape(tx("switch"))}</a></p>'
    # The stylesheet is inline: nothing under /staff but this page is served before login.
    return (f'<!doctype html><html lang="{_html_lang(tx)}"><head><meta charset="utf-8"><title>'
            f'{escape(tx("login_title"))} · 筑商通</title><meta name="viewport" content="width=device-width,'
            f'initial-scale=1"><style>{CSS}</style></head><body><div class="login"><h1>{escape(tx("login_title"))}'
            f'</h1>{message}<form method="post" action="/staff/login"><label>{escape(tx("token"))} <input '
            'type="password" name="token" autocomplete="current-password" autofocus></label><p><button '
            f'type="submit">{escape(tx("login"))}</button></p></form>{switch}</div></body></html>')


def ask_body(tx: StaffText, question: str, answer: Answer | None) -> str:
    form = ('<form method="get" action="/staff/ask"><input type="text" name="q" maxlength="2000" '
            f'value="{escape(question)}" placeholder="{escape(tx("question"))}"> <button>{escape(tx("ask"))}'
            "</button></form>")
    if answer is None:
        return form
    return form + answer_html(tx, answer)


def answer_html(tx: StaffText, answer: Answer, candidates: bool = True) -> str:
    """An answer as staff read it: status and confidence, the text, notices, sources, retrieval candidates."""
    meta = tx.html("meta", status=f"<b>{escape(tx.word(answer.status))}</b>",
                   confidence=shown_confidence(answer.confidence), intents=escape(", ".join(answer.intents) or "—"),
                   language=escape(answer.language), mode=escape(answer.mode))
    meta = f'<p>{meta}{" · " + escape(tx("handoff")) if answer.handoff else ""}</p>'
    notices = "".join(f'<p class="bad">{escape(n)}</p>' for n in answer.notices)
    sources = table(("#", tx("col_title"), tx("col_locator"), tx("col_doc"), tx("col_passage")),
                    [(i, s.title, s.locator, s.doc_id, s.text[:300]) for i, s in enumerate(answer.sources, start=1)],
                    empty=tx("no_sources"))
    body = (f'{meta}<div class="answer">{answer_markup(answer.answer)}</div>{notices}'
            f'<h2>{escape(tx("sources"))}</h2>{sources}')
    if not candidates:
        return body
    rows = [(r["rank"], r["title"], r["locator"], r["doc_id"], r["score"], r["dense"], r["dense_rank"],
             r["lexical"], r["lexical_rank"], tx.word(r["found_by"])) for r in candidate_rows(answer.candidates)]
    candidates_table = table(("#", tx("col_title"), tx("col_locator"), tx("col_doc"), tx("col_fused"),
                              tx("col_dense"), tx("col_dense_rank"), tx("col_lexical"), tx("col_lexical_rank"),
                              tx("col_found_by")), rows, empty=tx("no_candidates"))
    return f'{body}<h2>{escape(tx("candidates"))}</h2>{candidates_table}'


def reindex_box(tx: StaffText, job: dict[str, Any]) -> str:
    """Progress of the background re-index, with Cancel while it runs (the script polls and toggles)."""
    busy = job["state"] in ("running", "cancelling")
    words = escape(json.dumps({code: tx.word(code) for code in WORDS}, ensure_ascii=False))
    return (f'<div id="reindex" data-running="{int(busy)}" data-words="{words}"><progress max="100" '
            f'value="{job["percent"]}"></progress> <span class="stage">{escape(tx.word(job["state"]))} '
            f'{escape(tx.word(job["stage"]))} {escape(job["doc_id"])} {escape(tx.word(job["doc_status"]))} '
            f'{escape(job["doc_reason"])} {escape(job["message"])}</span><div class="actions">'
            + post_button("/staff/documents/cancel", tx("cancel_reindex"), "cancel", hidden=not busy)
            + post_button("/staff/documents/reindex", tx("reindex_again"), "again", hidden=busy)
            + '</div></div><script src="/staff/static/console.js"></script>')


def documents_body(tx: StaffText, files: list[dict[str, Any]], build_id: str, job: dict[str, Any], max_mb: float,
                   message: str = "", pending: dict[str, Any] | None = None) -> str:
    upload = (f'<h2>{escape(tx("upload_heading"))}</h2><form method="post" action="/staff/documents/upload" '
              'enctype="multipart/form-data"><input type="file" name="file" '
              f'accept=".pdf,.md,.txt,.docx,.csv,.xlsx,.yaml,.yml"> <button>{escape(tx("upload"))}</button></form>'
              f'<p class="muted">{tx("upload_hint", mb=f"{max_mb:g}")}</p>')
    indexed = sum(1 for f in files if f.get("status") == "indexed")
    ordered = sorted(files, key=lambda f: (f.get("status") == "indexed", f.get("doc_id", "")))
    # The delete link sits under the name: on a phone the table scrolls sideways and a last column is out of view.
    rows = [(f'{escape(str(f.get("doc_id", "")))}<br>{_delete_link(tx, f.get("doc_id", ""))}', f.get("title"),
             f.get("kind"), tx.word(f.get("status")), f.get("chunks"), f.get("ocr_pages") or "", f.get("reason"),
             f.get("warnings") or []) for f in ordered]
    return (f"{notice(message)}{pending_banner(tx, pending)}{upload}<h2>{escape(tx('reindex_heading'))}</h2>"
            f"{reindex_box(tx, job)}<h2>{escape(tx('files_heading', build=build_id))}</h2>"
            f"<p>{escape(tx('files_summary', n=len(files), indexed=indexed, skipped=len(files) - indexed))}</p>"
            + table((tx("col_doc"), tx("col_title"), tx("col_kind"), tx("col_status"), tx("col_chunks"),
                     tx("col_ocr"), tx("col_skip"), tx("col_warnings")), rows, raw={0}, empty=tx("no_files")))


def _delete_link(tx: StaffText, doc_id: str) -> str:
    return (f'<a href="/staff/documents/delete?{escape(urlencode({"doc": doc_id}))}">{escape(tx("delete_link"))}</a>'
            if doc_id else "")


def pending_banner(tx: StaffText, pending: dict[str, Any] | None) -> str:
    """A notice that changes await review, with what they are."""
    if not pending or not (pending.get("added") or pending.get("removed") or pending.get("lexicon")
                           or pending.get("staged")):
        return ""
    parts = [tx("n_added", n=len(pending.get("added") or [])), tx("n_deleted", n=len(pending.get("removed") or []))]
    if pending.get("lexicon"):
        parts.append(tx("lexicon_edited"))
    return (f'<p class="banner">{escape(tx("pending_banner", parts=", ".join(parts)))} '
            f'<a href="/staff/review">{escape(tx("pending_link"))}</a></p>')


def leads_body(tx: StaffText, leads: list[dict[str, Any]], zone: tzinfo) -> str:
    rows = [(x["id"], shown_time(x["created"], zone), x["name"], x["company"], x["phone"], x["email"],
             x["interest"], x["message"], _session_link(x["session_id"]), x.get("consent_version") or "",
             _brief_link(tx, x),
             f'<a href="/staff/privacy?{escape(urlencode({"kind": "lead", "value": x["id"]}))}">'
             f'{escape(tx("erase_link"))}</a>') for x in leads]
    headers = (tx("col_id"), tx("col_created"), tx("col_name"), tx("col_company"), tx("col_phone"), tx("col_email"),
               tx("col_interest"), tx("col_message"), tx("col_session"), tx("col_consent"), tx("col_brief"), "")
    return (f'<p><a href="/staff/leads.csv">{escape(tx("export_csv"))}</a></p>'
            + table(headers, rows, raw={8, 10, 11}, empty=tx("no_leads")))


def _brief_link(tx: StaffText, lead: dict[str, Any]) -> str:
    if not lead.get("has_brief"):
        return ""
    return f'<a href="/staff/leads/{int(lead["id"])}/brief" target="_blank" rel="noopener">{escape(tx("open_brief"))}</a>'


def _session_link(session_id: str | None) -> str:
    if not session_id:
        return ""
    return f'<a href="/staff/log?{escape(urlencode({"session": session_id}))}">{escape(session_id[:12])}</a>'


def gaps_body(tx: StaffText, groups: list[GapGroup], low: float) -> str:
    if not groups:
        return f'<p class="empty">{escape(tx("no_gaps"))}</p>'
    parts = [f'<p class="muted">{escape(tx("gaps_hint", low=f"{low:g}"))}</p>']
    for g in groups:
        reasons = ", ".join(f"{tx.word(k)} {v}" for k, v in g.reasons.most_common())
        parts.append(f"<h2>{escape(g.topic)} ({g.count})</h2><p class=muted>{escape(reasons)}</p>"
                     + table((tx("col_question"), tx("col_times")), g.questions.most_common()))
    return "".join(parts)


def log_body(tx: StaffText, turns: list[dict[str, Any]], session: str, limit: int, zone: tzinfo) -> str:
    form = (f'<form method="get" action="/staff/log"><input type="text" name="session" '
            f'placeholder="{escape(tx("session_id"))}" value="{escape(session)}"> <input type="number" name="limit" '
            f'value="{limit}" min="1" max="1000"> <button>{escape(tx("filter"))}</button> <a href="/staff/log">'
            f'{escape(tx("all_sessions"))}</a></form>')
    rows = [(shown_time(t["created"], zone), _session_link(t["session_id"]), t["question"], t["answer"][:300],
             tx.word(t["status"]), shown_confidence(t.get("confidence")), t.get("intents") or [], t["language"])
            for t in turns]
    headers = (tx("col_time"), tx("col_session"), tx("col_question"), tx("col_answer"), tx("col_status"),
               tx("col_confidence"), tx("col_intents"), tx("col_lang"))
    return form + table(headers, rows, raw={1}, empty=tx("no_log"))
