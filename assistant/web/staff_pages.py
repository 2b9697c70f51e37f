"""HTML of the staff console: small server-rendered pages, no external assets, everything escaped.

Every value from documents, investors or the database goes through ``html.escape``; only the links and
forms built here are markup. Stylesheet and script are served by the console itself (same origin)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import Any
from urllib.parse import urlencode

from assistant.chat_types import Answer
from assistant.web.staff_data import GapGroup, candidate_rows

NAV = (("ask", "/staff/ask", "Ask"), ("documents", "/staff/documents", "Documents"), ("leads", "/staff/leads", "Leads"),
       ("gaps", "/staff/gaps", "Knowledge gaps"), ("log", "/staff/log", "Conversation log"))

CSS = """
body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:0;color:#1d2733;background:#f5f7fa}
header{background:#0f3d5e;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1.2rem;align-items:center}
header a{color:#dbeafe;text-decoration:none}header a.on{color:#fff;font-weight:600;text-decoration:underline}
header form{margin-left:auto}main{padding:1rem 1.2rem;max-width:1400px}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.88rem;margin:.6rem 0}
th,td{border:1px solid #d5dbe3;padding:.3rem .45rem;text-align:left;vertical-align:top}
th{background:#e8eef5}td.num{text-align:right;font-variant-numeric:tabular-nums}
.answer{background:#fff;border:1px solid #d5dbe3;padding:.7rem;white-space:pre-wrap}
.bad{color:#a11}.ok{color:#176117}.muted{color:#667}input[type=text],input[type=password]{width:28rem;max-width:90%}
progress{width:22rem}.login{max-width:26rem;margin:5rem auto;background:#fff;padding:1.5rem;border:1px solid #d5dbe3}
"""

JS = """
(function(){var box=document.getElementById('reindex');if(!box)return;
function show(s){box.querySelector('progress').value=s.percent;
box.querySelector('.stage').textContent=s.state+' '+s.stage+' '+s.done+'/'+s.total+
(s.doc_id?' · '+s.doc_id+': '+(s.doc_status||'…')+(s.doc_reason?' ('+s.doc_reason+')':''):'')+
(s.message?' · '+s.message:'');return s.state==='running';}
function poll(){fetch('/staff/api/reindex',{credentials:'same-origin'}).then(function(r){return r.json();})
.then(function(s){if(show(s)){setTimeout(poll,1000);}else if(box.dataset.running==='1'){location.reload();}})
.catch(function(){setTimeout(poll,3000);});}poll();})();
"""


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
    """A table; columns listed in ``raw`` hold markup built by this module (links), the rest is escaped."""
    raw = raw or set()
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{v}</td>" if i in raw else _cell(v) for i, v in enumerate(row)) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


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
    meta = (f'<p>status <b>{escape(answer.status)}</b> · confidence {answer.confidence:.3f} · intents '
            f'{escape(", ".join(answer.intents) or "—")} · language {escape(answer.language)} · mode '
            f'{escape(answer.mode)}{" · hand-over" if answer.handoff else ""}</p>')
    notices = "".join(f'<p class="bad">{escape(n)}</p>' for n in answer.notices)
    sources = table(("#", "title", "locator", "doc"), [(i, s.title, s.locator, s.doc_id)
                                                       for i, s in enumerate(answer.sources, start=1)])
    rows = [(r["rank"], r["title"], r["locator"], r["doc_id"], r["score"], r["dense"], r["dense_rank"],
             r["lexical"], r["lexical_rank"], r["found_by"]) for r in candidate_rows(answer.candidates)]
    candidates = table(("#", "title", "locator", "doc", "fused score", "dense score", "dense rank",
                        "lexical score", "lexical rank", "found by"), rows)
    return (f'{form}{meta}<div class="answer">{escape(answer.answer)}</div>{notices}<h2>Sources</h2>{sources}'
            f"<h2>Retrieval candidates</h2>{candidates}")


def documents_body(files: list[dict[str, Any]], build_id: str, job: dict[str, Any], max_mb: float,
                   message: str = "") -> str:
    running = job["state"] == "running"
    notice = f'<p class="{"bad" if "refused" in message else "ok"}">{escape(message)}</p>' if message else ""
    upload = ('<h2>Upload a document</h2><form method="post" action="/staff/documents/upload" '
              'enctype="multipart/form-data"><input type="file" name="file" '
              'accept=".pdf,.md,.txt,.docx,.csv,.xlsx,.yaml,.yml"> <button>Upload and re-index</button></form>'
              f'<p class="muted">PDF (scans are read by OCR), Markdown, text, Word, CSV, XLSX or YAML, up to {max_mb:g} MB; saved under uploads/ '
              "in the served corpus, then the index is rebuilt in the background.</p>")
    status = (f'<div id="reindex" data-running="{int(running)}"><progress max="100" value="{job["percent"]}">'
              f'</progress> <span class="stage">{escape(job["state"])} {escape(job["stage"])} '
              f'{escape(job["doc_id"])} {escape(job["doc_status"])} {escape(job["doc_reason"])} '
              f'{escape(job["message"])}</span></div><script src="/staff/static/console.js"></script>')
    indexed = sum(1 for f in files if f.get("status") == "indexed")
    rows = [(f.get("doc_id"), f.get("title"), f.get("kind"), f.get("status"), f.get("chunks"),
             f.get("ocr_pages") or "", f.get("reason"), f.get("warnings") or []) for f in sorted(files, key=lambda f: (f.get("status") == "indexed",
                                                                             f.get("doc_id", "")))]
    return (f"{notice}{upload}<h2>Re-index</h2>{status}<h2>Files of build {escape(build_id)}</h2>"
            f"<p>{len(files)} files, {indexed} indexed, {len(files) - indexed} skipped.</p>"
            + table(("doc", "title", "kind", "status", "chunks", "OCR pages", "skip reason", "warnings"), rows))


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
