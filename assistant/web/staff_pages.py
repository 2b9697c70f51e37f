"""HTML of the staff console: small server-rendered pages, no external assets, everything escaped.

Every value from documents, investors or the database goes through ``html.escape`` (an answer's text through the
answers' Markdown renderer, raw HTML off); only the links and forms built here are markup. Stylesheet and script are served by the console itself (same origin)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import Any
from urllib.parse import urlencode

from fastapi.responses import HTMLResponse

from assistant.chat_types import Answer
from assistant.web.markup import answer_markup
from assistant.web.staff_data import GapGroup, candidate_rows

NO_STORE = {"Cache-Control": "no-store"}  # staff data must not linger in shared caches

NAV = (("ask", "/staff/ask", "Ask"), ("documents", "/staff/documents", "Documents"), ("review", "/staff/review", "Review"),
       ("lexicon", "/staff/lexicon", "Lexicon"), ("leads", "/staff/leads", "Leads"),
       ("gaps", "/staff/gaps", "Knowledge gaps"), ("log", "/staff/log", "Conversation log"))

CSS = """
body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:0;color:#1d2733;background:#f5f7fa}
header{background:#0f3d5e;color:#fff;padding:.6rem 1.2rem;display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;align-items:center}
header a{color:#dbeafe;text-decoration:none}header a.on{color:#fff;font-weight:600;text-decoration:underline}
header form{margin-left:auto}main{padding:1rem 1.2rem;max-width:1400px}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.88rem;margin:.6rem 0}
th,td{border:1px solid #d5dbe3;padding:.3rem .45rem;text-align:left;vertical-align:top}
th{background:#e8eef5}td.num{text-align:right;font-variant-numeric:tabular-nums}
.answer{background:#fff;border:1px solid #d5dbe3;padding:.7rem;overflow-wrap:break-word}.answer p{margin:0 0 .4rem}
.answer ul,.answer ol{margin:.2rem 0 .4rem;padding-left:1.4em}.zst-cite{font-size:.75em;color:#556}
.bad{color:#a11}.ok{color:#176117}.muted{color:#667}input[type=text],input[type=password]{width:28rem;max-width:90%}
input[type=file]{max-width:100%}button{padding:.35rem .8rem;min-height:2.2rem}
button.danger{background:#a11;color:#fff;border:1px solid #800}button.primary{background:#176117;color:#fff;border:1px solid #0d4d0d}
.actions{display:flex;flex-wrap:wrap;gap:.6rem;align-items:center;margin:.6rem 0}.actions form{margin:0}
.banner{background:#fff7e0;border:1px solid #e0c060;padding:.6rem .8rem}
textarea{width:100%;box-sizing:border-box;font-family:ui-monospace,monospace;font-size:.85rem}
progress{width:22rem;max-width:100%}.login{max-width:26rem;margin:5rem auto;background:#fff;padding:1.5rem;border:1px solid #d5dbe3}
@media (max-width:600px){main{padding:.6rem}header{padding:.5rem .6rem}h1{font-size:1.4rem}table{font-size:.8rem}}
"""

JS = """
(function(){var box=document.getElementById('reindex');if(!box)return;
var cancel=box.querySelector('form.cancel'),again=box.querySelector('form.again');
function show(s){var busy=s.state==='running'||s.state==='cancelling';box.querySelector('progress').value=s.percent;
box.querySelector('.stage').textContent=s.state+' '+s.stage+' '+s.done+'/'+s.total+
(s.doc_id?' · '+s.doc_id+(s.doc_status?': '+s.doc_status:'')+(s.doc_reason?' ('+s.doc_reason+')':''):'')+
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
    return f"<td>{escape(str(value))}</td>"


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], raw: set[int] | None = None) -> str:
    """A table; columns listed in ``raw`` hold markup built by this module (links), the rest is escaped.
    Wrapped so that a wide table scrolls sideways on a phone instead of widening the page."""
    raw = raw or set()
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{v}</td>" if i in raw else _cell(v) for i, v in enumerate(row)) + "</tr>"
                   for row in rows)
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def notice(message: str) -> str:
    """A one-line result of the last action: red when it was refused."""
    if not message:
        return ""
    bad = any(w in message.lower() for w in ("refused", "error", "cannot", "failed"))
    return f'<p class="{"bad" if bad else "ok"}">{escape(message)}</p>'


def post_button(action: str, label: str, css: str = "", fields: dict[str, str] | None = None,
                hidden: bool = False) -> str:
    """A form with one button posting to ``action`` (works without scripts; the console's CSP allows no
    inline ones)."""
    inputs = "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in (fields or {}).items())
    klass = f' class="{escape(css)}"' if css else ""
    return (f'<form method="post" action="{escape(action)}"{" hidden" if hidden else ""}{klass}>{inputs}'
            f'<button{klass}>{escape(label)}</button></form>')


def page(title: str, active: str, body: str) -> str:
    links = "".join(f'<a href="{href}"{" class=on" if key == active else ""}>{escape(label)}</a>'
                    for key, href, label in NAV)
    return (f'<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>{escape(title)} · 筑商通 staff'
            f'</title><meta name="viewport" content="width=device-width,initial-scale=1">'
            f'<link rel="stylesheet" href="/staff/static/console.css"></head><body><header><strong>筑商通 staff'
            f'</strong>{links}<form method="post" action="/staff/logout"><button>Log out</button></form></header>'
            f"<main><h1>{escape(title)}</h1>{body}</main></body></html>")


def login_page(error: str = "") -> str:
    message = f'<p class="bad">{escape(error)}</p>' if error else ""
    # The stylesheet is inline: nothing under /staff but this page is served before login.
    return ('<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>Staff login · 筑商通</title>'
            f'<style>{CSS}</style></head><body><div class="login">'
            f'<h1>Staff login</h1>{message}<form method="post" action="/staff/login">'
            '<label>Token <input type="password" name="token" autocomplete="current-password" autofocus></label>'
            '<p><button type="submit">Log in</button></p></form></div></body></html>')


def ask_body(question: str, answer: Answer | None) -> str:
    form = ('<form method="get" action="/staff/ask"><input type="text" name="q" maxlength="2000" '
            f'value="{escape(question)}" placeholder="Question"> <button>Ask</button></form>')
    if answer is None:
        return form
    return form + answer_html(answer)


def answer_html(answer: Answer, candidates: bool = True) -> str:
    """An answer as staff read it: status and confidence, the text, notices, sources, retrieval candidates."""
    meta = (f'<p>status <b>{escape(answer.status)}</b> · confidence {answer.confidence:.3f} · intents '
            f'{escape(", ".join(answer.intents) or "—")} · language {escape(answer.language)} · mode '
            f'{escape(answer.mode)}{" · hand-over" if answer.handoff else ""}</p>')
    notices = "".join(f'<p class="bad">{escape(n)}</p>' for n in answer.notices)
    sources = table(("#", "title", "locator", "doc", "passage"), [(i, s.title, s.locator, s.doc_id, s.text[:300])
                                                                  for i, s in enumerate(answer.sources, start=1)])
    rows = [(r["rank"], r["title"], r["locator"], r["doc_id"], r["score"], r["dense"], r["dense_rank"],
             r["lexical"], r["lexical_rank"], r["found_by"]) for r in candidate_rows(answer.candidates)]
    candidates_table = table(("#", "title", "locator", "doc", "fused score", "dense score", "dense rank",
                              "lexical score", "lexical rank", "found by"), rows)
    if not candidates:
        return f'{meta}<div class="answer">{answer_markup(answer.answer)}</div>{notices}<h2>Sources</h2>{sources}'
    return (f'{meta}<div class="answer">{answer_markup(answer.answer)}</div>{notices}<h2>Sources</h2>{sources}'
            f"<h2>Retrieval candidates</h2>{candidates_table}")


def reindex_box(job: dict[str, Any]) -> str:
    """Progress of the background re-index, with Cancel while it runs (the script polls and toggles)."""
    busy = job["state"] in ("running", "cancelling")
    return (f'<div id="reindex" data-running="{int(busy)}"><progress max="100" value="{job["percent"]}">'
            f'</progress> <span class="stage">{escape(job["state"])} {escape(job["stage"])} '
            f'{escape(job["doc_id"])} {escape(job["doc_status"])} {escape(job["doc_reason"])} '
            f'{escape(job["message"])}</span><div class="actions">'
            + post_button("/staff/documents/cancel", "Cancel re-index", "cancel", hidden=not busy)
            + post_button("/staff/documents/reindex", "Re-index the corpus folder (staged)", "again", hidden=busy)
            + '</div></div><script src="/staff/static/console.js"></script>')


def documents_body(files: list[dict[str, Any]], build_id: str, job: dict[str, Any], max_mb: float,
                   message: str = "", pending: dict[str, Any] | None = None) -> str:
    upload = ('<h2>Upload a document</h2><form method="post" action="/staff/documents/upload" '
              'enctype="multipart/form-data"><input type="file" name="file" '
              'accept=".pdf,.md,.txt,.docx,.csv,.xlsx,.yaml,.yml"> <button>Upload and stage</button></form>'
              f'<p class="muted">PDF (scans are read by OCR), Markdown, text, Word, CSV, XLSX or YAML, up to {max_mb:g} MB. '
              "An upload is indexed in the background into a staged index: investors see it once you publish it on "
              '<a href="/staff/review">Review</a>.</p>')
    indexed = sum(1 for f in files if f.get("status") == "indexed")
    ordered = sorted(files, key=lambda f: (f.get("status") == "indexed", f.get("doc_id", "")))
    # The delete link sits under the name: on a phone the table scrolls sideways and a last column is out of view.
    rows = [(f'{escape(str(f.get("doc_id", "")))}<br>{_delete_link(f.get("doc_id", ""))}', f.get("title"),
             f.get("kind"), f.get("status"), f.get("chunks"), f.get("ocr_pages") or "", f.get("reason"),
             f.get("warnings") or []) for f in ordered]
    return (f"{notice(message)}{pending_banner(pending)}{upload}<h2>Re-index</h2>{reindex_box(job)}"
            f"<h2>Files of build {escape(build_id)}</h2>"
            f"<p>{len(files)} files, {indexed} indexed, {len(files) - indexed} skipped.</p>"
            + table(("doc", "title", "kind", "status", "chunks", "OCR pages", "skip reason", "warnings"), rows,
                    raw={0}))


def _delete_link(doc_id: str) -> str:
    return f'<a href="/staff/documents/delete?{escape(urlencode({"doc": doc_id}))}">Delete…</a>' if doc_id else ""


def pending_banner(pending: dict[str, Any] | None) -> str:
    """A notice that changes await review, with what they are."""
    if not pending or not (pending.get("added") or pending.get("removed") or pending.get("lexicon")
                           or pending.get("staged")):
        return ""
    parts = [f"{len(pending.get('added') or [])} added", f"{len(pending.get('removed') or [])} deleted"]
    if pending.get("lexicon"):
        parts.append("lexicon edited")
    return (f'<p class="banner">Changes await review ({escape(", ".join(parts))}); investors still see the '
            'published index. <a href="/staff/review">Review, then publish or discard</a></p>')


def leads_body(leads: list[dict[str, Any]]) -> str:
    rows = [(x["id"], x["created"], x["name"], x["company"], x["phone"], x["email"], x["interest"], x["message"],
             x["session_id"]) for x in leads]
    return ('<p><a href="/staff/leads.csv">Export all leads as CSV</a></p>'
            + table(("id", "created", "name", "company", "phone", "email", "interest", "message", "session"), rows))


def gaps_body(groups: list[GapGroup], low: float) -> str:
    if not groups:
        return "<p>No knowledge gaps recorded.</p>"
    parts = [f'<p class="muted">Unanswered questions, answers below confidence {low:g} and thumbs-down '
             "answers, grouped by topic.</p>"]
    for g in groups:
        reasons = ", ".join(f"{k} {v}" for k, v in g.reasons.most_common())
        parts.append(f"<h2>{escape(g.topic)} ({g.count})</h2><p class=muted>{escape(reasons)}</p>"
                     + table(("question", "times"), g.questions.most_common()))
    return "".join(parts)


def log_body(turns: list[dict[str, Any]], session: str, limit: int) -> str:
    form = ('<form method="get" action="/staff/log"><input type="text" name="session" placeholder="session id" '
            f'value="{escape(session)}"> <input type="number" name="limit" value="{limit}" min="1" max="1000"> '
            '<button>Filter</button> <a href="/staff/log">all sessions</a></form>')
    rows = []
    for t in turns:
        link = f'<a href="/staff/log?{escape(urlencode({"session": t["session_id"]}))}">{escape(t["session_id"][:12])}</a>'
        rows.append((t["created"], link, t["question"], t["answer"][:300], t["status"], t.get("confidence"),
                     t.get("intents") or [], t["language"]))
    return form + table(("time", "session", "question", "answer", "status", "confidence", "intents", "lang"),
                        rows, raw={1})
