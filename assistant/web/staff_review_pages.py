"""HTML of the console's review of staged changes: the staged report with Publish and Discard, a question box
against the staged index, the confirmation before a deletion, and the lexicon editor. Everything from documents
and staff is escaped (``html.escape``); only the forms and links built here are markup."""

from __future__ import annotations

from html import escape
from typing import Any

from assistant.chat_types import Answer
from assistant.web.staff_pages import answer_html, notice, post_button, reindex_box, table


def _report_tables(report: dict[str, Any], rows_shown: int) -> str:
    files = [("added", r) for r in report["added"]] + [("changed", r) for r in report["changed"]]
    changes = table(("change", "doc", "status", "chunks", "skip reason", "flagged sentences"),
                    [(what, r["doc_id"], r["status"], r["chunks"], r["reason"], r["flags"]) for what, r in files]
                    + [("deleted", r["doc_id"], "", r["chunks"], "", "") for r in report["removed"]])
    chunks = report["chunks"]
    summary = (f'<p>{len(report["added"])} added, {len(report["changed"])} changed, {len(report["removed"])} '
               f'deleted, {len(report["skipped"])} skipped; chunks {chunks["published"]} published → '
               f'{chunks["staged"]} staged{"; lexicon changed" if report["lexicon_changed"] else ""}.</p>')
    flags = report["flags"]
    if flags:
        shown = flags[:rows_shown]
        more = f'<p class="muted">{len(flags) - len(shown)} more not shown.</p>' if len(flags) > len(shown) else ""
        flagged = ('<h2 class="bad">Flagged sentences</h2><p>These sentences address an AI assistant rather than '
                   "the reader (instructions to ignore rules, take a new role, or tell users something). They are "
                   "kept out of the index's answer text; read them before publishing.</p>"
                   + table(("sentence", "doc", "where", "kind", "new"),
                           [(f["sentence"], f["doc_id"], f["locator"], f["category"], "yes" if f["new"] else "")
                            for f in shown]) + more)
    else:
        flagged = "<p class=ok>No flagged sentences.</p>"
    return f"{summary}{changes}{flagged}"


def review_body(info: dict[str, Any], question: str, answer: Answer | None, message: str, rows_shown: int) -> str:
    head = notice(message)
    pending = info["pending"]
    if not info["staged"] and not (pending["added"] or pending["removed"] or pending["lexicon"]):
        return (head + "<p>Nothing awaits review. Uploads, deletions and lexicon edits are built into a staged "
                "index first; you review it here and publish it to investors.</p>" + reindex_box(info["job"]))
    state = ('<p class="ok">Ready to publish.</p>' if info["ready"]
             else f'<p class="bad">Cannot publish yet: {escape(info["problem"])}.</p>')
    actions = ('<div class="actions">'
               + (post_button("/staff/review/publish", "Publish to investors", "primary") if info["ready"] else "")
               + post_button("/staff/review/discard", "Discard the changes", "danger") + "</div>")
    listing = ("<p>Pending: " + escape(", ".join(
        [f"+ {d}" for d in pending["added"]] + [f"− {d}" for d in pending["removed"]]
        + (["lexicon.yaml edited"] if pending["lexicon"] else [])) or "a re-index of the corpus folder") + "</p>")
    body = head + state + listing + actions + reindex_box(info["job"])
    report = info.get("report")
    if report is not None:
        body += (f'<h2>Staged build {escape(str(report["build_id"]))}</h2><p class="muted">against published build '
                 f'{escape(str(report["published_build"]))}</p>' + _report_tables(report, rows_shown))
        form = ('<h2>Try a question against the staged index</h2><form method="get" action="/staff/review">'
                f'<input type="text" name="q" maxlength="2000" value="{escape(question)}" '
                'placeholder="Question, as an investor would ask"> <button>Ask the staged index</button></form>')
        body += form + (answer_html(answer) if answer is not None else "")
    return body


def delete_body(doc_id: str, record: dict[str, Any] | None) -> str:
    what = (f' ({escape(str(record.get("title") or ""))}, {record.get("chunks", 0)} chunks)' if record else
            " (a pending upload)")
    return (f"<p>Delete <b>{escape(doc_id)}</b>{what} and its metadata sidecar, if any, from the corpus?</p>"
            "<p class=muted>The deletion is staged: investors keep this document until you publish on Review, "
            "and Discard there keeps it.</p><div class=actions>"
            + post_button("/staff/documents/delete", "Yes, delete", "danger", {"doc_id": doc_id})
            + '<a href="/staff/documents">No, keep it</a></div>')


def lexicon_body(text: str, message: str = "") -> str:
    return (notice(message) + '<p class="muted">The corpus lexicon (lexicon.yaml): words, synonyms, places and '
            "phrases of this city. Saving checks it and stages a re-index; investors get it when you publish.</p>"
            '<form method="post" action="/staff/lexicon"><textarea name="text" rows="28" spellcheck="false">'
            f'{escape(text)}</textarea><div class="actions"><button class="primary">Save and stage</button>'
            '<a href="/staff/review">Review</a></div></form>')
