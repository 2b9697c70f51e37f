"""HTML of the console's review of staged changes: the staged report with Publish and Discard, a question box
against the staged index, the confirmation before a deletion, and the lexicon editor. Everything from documents
and staff is escaped (``html.escape``); only the forms and links built here are markup."""

from __future__ import annotations

from html import escape
from typing import Any

from assistant.chat_types import Answer
from assistant.web.staff_pages import answer_html, notice, post_button, reindex_box, table
from assistant.web.staff_text import StaffText


def _report_tables(tx: StaffText, report: dict[str, Any], rows_shown: int) -> str:
    files = [("added", r) for r in report["added"]] + [("changed", r) for r in report["changed"]]
    changes = table((tx("col_change"), tx("col_doc"), tx("col_status"), tx("col_chunks"), tx("col_skip"),
                     tx("col_flags")),
                    [(tx.word(what), r["doc_id"], tx.word(r["status"]), r["chunks"], r["reason"], r["flags"])
                     for what, r in files]
                    + [(tx.word("deleted"), r["doc_id"], "", r["chunks"], "", "") for r in report["removed"]])
    chunks = report["chunks"]
    summary = "<p>" + escape(tx("report_summary", added=len(report["added"]), changed=len(report["changed"]),
                                removed=len(report["removed"]), skipped=len(report["skipped"]),
                                published=chunks["published"], staged=chunks["staged"],
                                lex=tx("report_lexicon") if report["lexicon_changed"] else "")) + "</p>"
    flags = report["flags"]
    if flags:
        shown = flags[:rows_shown]
        more = (f'<p class="muted">{escape(tx("more_not_shown", n=len(flags) - len(shown)))}</p>'
                if len(flags) > len(shown) else "")
        flagged = (f'<h2 class="bad">{escape(tx("flagged_heading"))}</h2><p>{escape(tx("flagged_hint"))}</p>'
                   + table((tx("col_sentence"), tx("col_doc"), tx("col_where"), tx("col_category"), tx("col_new")),
                           [(f["sentence"], f["doc_id"], f["locator"], f["category"], tx("yes") if f["new"] else "")
                            for f in shown]) + more)
    else:
        flagged = f'<p class=ok>{escape(tx("no_flags"))}</p>'
    return f"{summary}{changes}{flagged}"


def review_body(tx: StaffText, info: dict[str, Any], question: str, answer: Answer | None, message: str,
                rows_shown: int) -> str:
    head = notice(message)
    pending = info["pending"]
    if not info["staged"] and not (pending["added"] or pending["removed"] or pending["lexicon"]):
        return head + f'<p class="empty">{escape(tx("nothing_to_review"))}</p>' + reindex_box(tx, info["job"])
    state = (f'<p class="ok">{escape(tx("ready"))}</p>' if info["ready"]
             else f'<p class="bad">{escape(tx("cannot_publish", why=tx.reason(info["problem"], info.get("problem_key", ""))))}</p>')
    actions = ('<div class="actions">'
               + (post_button("/staff/review/publish", tx("publish"), "primary") if info["ready"] else "")
               + post_button("/staff/review/discard", tx("discard"), "danger") + "</div>")
    items = ([f"+ {d}" for d in pending["added"]] + [f"− {d}" for d in pending["removed"]]
             + ([tx("lexicon_file_edited")] if pending["lexicon"] else []))
    listing = "<p>" + escape(tx("pending", items=", ".join(items) or tx("pending_reindex"))) + "</p>"
    body = head + state + listing + actions + reindex_box(tx, info["job"])
    report = info.get("report")
    if report is not None:
        body += (f'<h2>{escape(tx("staged_build", id=report["build_id"]))}</h2><p class="muted">'
                 f'{escape(tx("against", id=report["published_build"]))}</p>' + _report_tables(tx, report, rows_shown))
        form = (f'<h2>{escape(tx("try_heading"))}</h2><form method="get" action="/staff/review">'
                f'<input type="text" name="q" maxlength="2000" value="{escape(question)}" '
                f'placeholder="{escape(tx("staged_placeholder"))}"> <button>{escape(tx("ask_staged"))}</button></form>')
        body += form + (answer_html(tx, answer) if answer is not None else "")
    return body


def delete_body(tx: StaffText, doc_id: str, record: dict[str, Any] | None) -> str:
    what = (tx.html("delete_what", title=escape(str(record.get("title") or "")), n=str(record.get("chunks", 0)))
            if record else tx.html("pending_upload"))
    return (f'<p>{tx.html("delete_question", doc=f"<b>{escape(doc_id)}</b>", what=what)}</p>'
            f'<p class=muted>{escape(tx("delete_hint"))}</p><div class=actions>'
            + post_button("/staff/documents/delete", tx("yes_delete"), "danger", {"doc_id": doc_id})
            + f'<a href="/staff/documents">{escape(tx("no_keep"))}</a></div>')


def lexicon_body(tx: StaffText, text: str, message: str = "") -> str:
    return (notice(message) + f'<p class="muted">{escape(tx("lexicon_hint"))}</p>'
            '<form method="post" action="/staff/lexicon"><textarea name="text" rows="28" spellcheck="false">'
            f'{escape(text)}</textarea><div class="actions"><button class="primary">{escape(tx("save_stage"))}'
            f'</button><a href="/staff/review">{escape(tx("nav_review"))}</a></div></form>')
