"""Wording of the staff console in both languages: Chinese by default, English by ``?lang=en`` (remembered in a
cookie). Every label, heading, button, empty state and message of the console is here, keyed; pages ask a
``StaffText`` bound to the request's language. Codes shown as values (job states, statuses) have words too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from html import escape
from typing import Any
from urllib.parse import urlencode

from starlette.requests import HTTPConnection

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
LANG_COOKIE = "zst_staff_lang"
LANG_COOKIE_DAYS = 365

# key: (中文, English)
TEXT: dict[str, tuple[str, str]] = {
    # ---- frame ----
    "brand": ("筑商通 工作台", "筑商通 staff"),
    "logout": ("退出登录", "Log out"),
    "switch": ("English", "中文"),  # the link to the other language
    "nav_ask": ("提问", "Ask"), "nav_documents": ("文档", "Documents"), "nav_review": ("审核", "Review"),
    "nav_lexicon": ("词表", "Lexicon"), "nav_leads": ("线索", "Leads"), "nav_gaps": ("知识缺口", "Knowledge gaps"),
    "nav_log": ("对话记录", "Conversation log"), "nav_privacy": ("个人数据", "Personal data"),
    # ---- login ----
    "login_title": ("工作人员登录", "Staff login"), "token": ("令牌", "Token"), "login": ("登录", "Log in"),
    "wrong_token": ("令牌错误。", "Wrong token."),
    "too_many": ("尝试次数过多，请几分钟后再试。", "Too many attempts; try again in a few minutes."),
    # ---- ask and answers ----
    "question": ("问题", "Question"), "ask": ("提问", "Ask"),
    "meta": ("状态 {status} · 置信度 {confidence} · 意图 {intents} · 语言 {language} · 模式 {mode}",
             "status {status} · confidence {confidence} · intents {intents} · language {language} · mode {mode}"),
    "handoff": ("转人工", "hand-over"),
    "sources": ("来源", "Sources"), "candidates": ("检索候选", "Retrieval candidates"),
    "col_title": ("标题", "title"), "col_locator": ("位置", "locator"), "col_doc": ("文档", "doc"),
    "col_passage": ("段落", "passage"), "col_fused": ("融合得分", "fused score"), "col_dense": ("向量得分", "dense score"),
    "col_dense_rank": ("向量排名", "dense rank"), "col_lexical": ("词法得分", "lexical score"),
    "col_lexical_rank": ("词法排名", "lexical rank"), "col_found_by": ("检索方式", "found by"),
    "no_sources": ("此回答没有引用来源。", "This answer cites no source."),
    "no_candidates": ("没有检索候选。", "No retrieval candidates."),
    # ---- documents ----
    "upload_heading": ("上传文档", "Upload a document"), "upload": ("上传并暂存", "Upload and stage"),
    "upload_hint": ("支持 PDF（扫描件经 OCR 识别）、Markdown、文本、Word、CSV、XLSX 或 YAML，最大 {mb} MB。上传的文件在后台编入暂存索引，"
                    "在<a href=\"/staff/review\">审核</a>页发布后投资者才能看到。",
                    "PDF (scans are read by OCR), Markdown, text, Word, CSV, XLSX or YAML, up to {mb} MB. An upload is "
                    "indexed in the background into a staged index: investors see it once you publish it on "
                    "<a href=\"/staff/review\">Review</a>."),
    "reindex_heading": ("重建索引", "Re-index"), "files_heading": ("索引 {build} 的文件", "Files of build {build}"),
    "files_summary": ("共 {n} 个文件，已索引 {indexed} 个，跳过 {skipped} 个。", "{n} files, {indexed} indexed, {skipped} skipped."),
    "no_files": ("暂无文件。", "No files yet."),
    "col_kind": ("类型", "kind"), "col_status": ("状态", "status"), "col_chunks": ("分块", "chunks"),
    "col_ocr": ("OCR 页数", "OCR pages"), "col_skip": ("跳过原因", "skip reason"), "col_warnings": ("警告", "warnings"),
    "delete_link": ("删除…", "Delete…"),
    "cancel_reindex": ("取消重建", "Cancel re-index"),
    "reindex_again": ("重建语料目录的索引（暂存）", "Re-index the corpus folder (staged)"),
    "saved_upload": ("已保存 {doc}，正在构建暂存索引以供审核。", "Saved {doc}; building the staged index for review."),
    "upload_refused": ("上传被拒绝：{why}", "Upload refused: {why}"),
    "pending_banner": ("有更改等待审核（{parts}）；投资者看到的仍是已发布的索引。",
                       "Changes await review ({parts}); investors still see the published index."),
    "pending_link": ("去审核，然后发布或放弃", "Review, then publish or discard"),
    "n_added": ("新增 {n} 个", "{n} added"), "n_deleted": ("删除 {n} 个", "{n} deleted"),
    "lexicon_edited": ("词表已修改", "lexicon edited"),
    # ---- leads ----
    "export_csv": ("导出全部线索（CSV）", "Export all leads as CSV"), "no_leads": ("暂无线索", "No leads yet"),
    "col_id": ("编号", "id"), "col_created": ("时间", "created"), "col_name": ("姓名", "name"),
    "col_company": ("公司", "company"), "col_phone": ("电话", "phone"), "col_email": ("邮箱", "email"),
    "col_interest": ("关注领域", "interest"), "col_message": ("留言", "message"), "col_session": ("会话", "session"),
    "col_consent": ("同意书版本", "consent"), "erase_link": ("删除个人数据…", "Delete personal data…"),
    "col_brief": ("投资简报", "brief"), "open_brief": ("查看简报", "Open brief"),
    # ---- gaps ----
    "no_gaps": ("暂无知识缺口记录。", "No knowledge gaps recorded."),
    "gaps_hint": ("未回答的问题、置信度低于 {low} 的回答和被点踩的回答，按主题分组。",
                  "Unanswered questions, answers below confidence {low} and thumbs-down answers, grouped by topic."),
    "col_question": ("问题", "question"), "col_times": ("次数", "times"),
    # ---- log ----
    "session_id": ("会话 ID", "session id"), "filter": ("筛选", "Filter"), "all_sessions": ("全部会话", "all sessions"),
    "no_log": ("暂无对话记录", "No conversations logged yet"),
    "col_time": ("时间", "time"), "col_answer": ("回答", "answer"), "col_confidence": ("置信度", "confidence"),
    "col_intents": ("意图", "intents"), "col_lang": ("语言", "lang"),
    # ---- review ----
    "review_title": ("审核暂存的更改", "Review staged changes"),
    "nothing_to_review": ("没有待审核的内容。上传、删除和词表修改会先编入暂存索引，在这里审核后再发布给投资者。",
                          "Nothing awaits review. Uploads, deletions and lexicon edits are built into a staged index "
                          "first; you review it here and publish it to investors."),
    "problem_nothing": ("没有暂存的内容", "nothing is staged"),
    "problem_not_built": ("待处理的更改尚未构建完成", "the pending changes are not built yet"),
    "ready": ("可以发布。", "Ready to publish."), "cannot_publish": ("暂不能发布：{why}。", "Cannot publish yet: {why}."),
    "publish": ("发布给投资者", "Publish to investors"), "discard": ("放弃这些更改", "Discard the changes"),
    "pending": ("待处理：{items}", "Pending: {items}"),
    "pending_reindex": ("重建语料目录的索引", "a re-index of the corpus folder"),
    "lexicon_file_edited": ("lexicon.yaml 已修改", "lexicon.yaml edited"),
    "staged_build": ("暂存索引 {id}", "Staged build {id}"), "against": ("对比已发布的索引 {id}", "against published build {id}"),
    "try_heading": ("用暂存索引试问", "Try a question against the staged index"),
    "staged_placeholder": ("像投资者那样提问", "Question, as an investor would ask"),
    "ask_staged": ("向暂存索引提问", "Ask the staged index"),
    "report_summary": ("新增 {added}，修改 {changed}，删除 {removed}，跳过 {skipped}；分块：已发布 {published} → 暂存 {staged}{lex}。",
                       "{added} added, {changed} changed, {removed} deleted, {skipped} skipped; chunks {published} "
                       "published → {staged} staged{lex}."),
    "report_lexicon": ("；词表已修改", "; lexicon changed"),
    "col_change": ("变更", "change"), "col_flags": ("被标记的句子", "flagged sentences"),
    "flagged_heading": ("被标记的句子", "Flagged sentences"),
    "flagged_hint": ("这些句子是对 AI 助手说的，而不是对读者（要求忽略规则、扮演新角色或告诉用户某些话）。它们不会进入索引的回答文本；"
                     "发布前请阅读。",
                     "These sentences address an AI assistant rather than the reader (instructions to ignore rules, "
                     "take a new role, or tell users something). They are kept out of the index's answer text; read "
                     "them before publishing."),
    "col_sentence": ("句子", "sentence"), "col_where": ("位置", "where"), "col_category": ("类别", "kind"),
    "col_new": ("新", "new"), "yes": ("是", "yes"), "more_not_shown": ("另有 {n} 条未显示。", "{n} more not shown."),
    "no_flags": ("没有被标记的句子。", "No flagged sentences."),
    # ---- delete a document ----
    "delete_title": ("删除文档", "Delete a document"),
    "delete_question": ("从语料中删除 {doc}{what} 及其元数据文件（如有）？",
                        "Delete {doc}{what} and its metadata sidecar, if any, from the corpus?"),
    "delete_what": ("（{title}，{n} 个分块）", " ({title}, {n} chunks)"),
    "pending_upload": ("（待发布的上传）", " (a pending upload)"),
    "delete_hint": ("删除会先暂存：在审核页发布之前投资者仍能看到这份文档，在那里放弃则保留它。",
                    "The deletion is staged: investors keep this document until you publish on Review, and Discard "
                    "there keeps it."),
    "yes_delete": ("是，删除", "Yes, delete"), "no_keep": ("不，保留", "No, keep it"),
    # ---- lexicon ----
    "lexicon_hint": ("语料词表（lexicon.yaml）：本市的词语、同义词、地名和短语。保存时会检查并暂存重建；发布后投资者才会用到。",
                     "The corpus lexicon (lexicon.yaml): words, synonyms, places and phrases of this city. Saving "
                     "checks it and stages a re-index; investors get it when you publish."),
    "save_stage": ("保存并暂存", "Save and stage"),
    # ---- results of actions ----
    "refused": ("已拒绝：{why}", "Refused: {why}"), "back": ("返回", "Back"),
    "msg_reindexing": ("正在把语料目录重建为暂存索引。", "Re-indexing the corpus folder into a staged index."),
    "msg_cancelling": ("正在取消重建；已发布的索引不变。", "Cancelling the re-index; the published index is unchanged."),
    "msg_delete_staged": ("已暂存对 {doc} 的删除；请审核并发布。", "Deletion of {doc} staged; review and publish it."),
    "msg_lexicon_saved": ("词表已随待处理的更改保存；正在构建暂存索引以供审核。",
                          "Lexicon saved with the pending changes; building the staged index for review."),
    "msg_published": ("已发布：投资者现在使用新索引。", "Published: investors now get the new index."),
    "msg_discarded": ("已放弃：待处理的更改和暂存索引已删除。", "Discarded: the pending changes and the staged index are gone."),
    # ---- refusals of the console (ConsoleError keys) ----
    "err_busy": ("正在重建索引：请等待完成或取消", "a re-index is running: wait for it to finish or cancel it"),
    "err_no_document": ("语料中没有文档 {doc}", "no document {doc} in the corpus"),
    "err_lexicon_size": ("词表超过上传大小限制", "the lexicon is larger than the upload limit"),
    "err_not_running": ("没有正在进行的重建", "no re-index is running"),
    "err_nothing_staged": ("没有暂存的内容：请先上传、删除或编辑", "nothing is staged: upload, delete or edit first"),
    "err_unsupported": ("不支持的文件类型 {suffix}（支持：{allowed}）", "unsupported file type '{suffix}' (allowed: {allowed})"),
    "err_file_name": ("文件名不可用", "not a usable file name"),
    "err_empty_file": ("文件是空的", "the file is empty"),
    "err_too_large": ("文件超过 {mb} MB", "the file is larger than {mb} MB"),
    # ---- personal data ----
    "privacy_hint": ("应访客的请求删除其个人数据：线索、对话记录和反馈。先查找，确认后删除，删除后无法恢复。"
                     "到期数据自动删除：线索保存 {lead_days} 天，对话记录和反馈保存 {log_days} 天。",
                     "Delete a visitor's personal data on request: their leads, logged conversations and feedback. "
                     "Find them first, then confirm; a deletion cannot be undone. Expired data is deleted by itself: "
                     "leads after {lead_days} days, conversations and feedback after {log_days} days."),
    "find_by": ("查找方式", "Find by"), "by_lead": ("线索编号", "lead number"), "by_session": ("会话 ID", "session id"),
    "by_contact": ("电话或邮箱", "phone or e-mail"), "find": ("查找", "Find"), "value": ("查找内容", "Value"),
    "found": ("将删除：线索 {leads} 条，对话 {conversations} 轮，反馈 {feedback} 条。",
              "To delete: {leads} leads, {conversations} conversation turns, {feedback} feedback entries."),
    "nothing_found": ("没有找到这位访客的数据。", "No data of this visitor found."),
    "confirm_erase": ("确认删除这些数据", "Yes, delete this data"), "cancel": ("取消", "Cancel"),
    "erased": ("已删除：线索 {leads} 条，对话 {conversations} 轮，反馈 {feedback} 条。",
               "Deleted: {leads} leads, {conversations} conversation turns, {feedback} feedback entries."),
    "bad_lead_number": ("线索编号应为数字", "a lead number is made of digits"),
    "empty_value": ("请填写要查找的内容", "give something to find"),
}

# Codes shown as values: job states and stages, answer and document statuses, gap reasons, retrievers.
WORDS: dict[str, tuple[str, str]] = {
    "idle": ("空闲", "idle"), "running": ("进行中", "running"), "cancelling": ("正在取消", "cancelling"),
    "done": ("完成", "done"), "failed": ("失败", "failed"), "cancelled": ("已取消", "cancelled"),
    "starting": ("启动", "starting"), "reading": ("读取文件", "reading"), "dictionary": ("构建词典", "dictionary"),
    "embedding": ("计算向量", "embedding"), "sentences": ("计算句子向量", "sentence vectors"),
    "writing": ("写入索引", "writing"), "ocr": ("文字识别", "ocr"),
    "answered": ("已回答", "answered"), "no_answer": ("未找到答案", "no_answer"),
    "out_of_scope": ("超出范围", "out_of_scope"), "indexed": ("已索引", "indexed"),
    "unreadable": ("无法读取", "unreadable"), "needs_ocr": ("需要 OCR", "needs_ocr"), "too_large": ("过大", "too_large"),
    "unsupported": ("不支持", "unsupported"), "low_confidence": ("置信度低", "low_confidence"),
    "negative_feedback": ("被点踩", "negative_feedback"), "both": ("两者", "both"), "dense": ("向量", "dense"),
    "lexical": ("词法", "lexical"), "added": ("新增", "added"), "changed": ("修改", "changed"), "deleted": ("删除", "deleted"),
}


@dataclass(frozen=True)
class StaffText:
    """The console's words in one language, and where the visitor is (for the language switch)."""

    lang: str = DEFAULT_LANG
    here: str = "/staff/ask"  # path and query of this page, without ``lang``

    def __call__(self, key: str, **values: Any) -> str:
        zh, en = TEXT[key]
        text = en if self.lang == "en" else zh
        return text.format(**values) if values else text

    def html(self, key: str, **markup: str) -> str:
        """The text escaped, with ``markup`` (already escaped or built here) put in its slots."""
        return escape(self(key)).format(**markup) if markup else escape(self(key))

    def reason(self, message: str, key: str = "", values: dict[str, str] | None = None) -> str:
        """A refusal in this language where it has words here; else its own (English) message."""
        return self(key, **(values or {})) if key in TEXT else message

    def word(self, code: Any) -> str:
        """A code's word in this language; an unknown code as it is."""
        pair = WORDS.get(str(code))
        return (pair[1] if self.lang == "en" else pair[0]) if pair else str(code)

    def switch_href(self) -> str:
        path, _, query = self.here.partition("?")
        return f"{path}?{urlencode([('lang', 'zh' if self.lang == 'en' else 'en')])}" + (f"&{query}" if query else "")


def chosen_lang(conn: HTTPConnection) -> str:
    """``?lang=`` of this request, else the remembered choice (cookie), else Chinese."""
    asked = conn.query_params.get("lang")
    if asked in LANGS:
        return asked
    kept = conn.cookies.get(LANG_COOKIE)
    return kept if kept in LANGS else DEFAULT_LANG


def staff_text(conn: HTTPConnection) -> StaffText:
    """A FastAPI dependency: the words for this request."""
    query = [(k, v) for k, v in conn.query_params.multi_items() if k != "lang"]
    return StaffText(chosen_lang(conn), conn.url.path + (f"?{urlencode(query)}" if query else ""))


def shown_time(value: Any, zone: tzinfo) -> str:
    """A stored time as staff read it: in the console's zone, to the second (naive values are UTC, as stored)."""
    if not isinstance(value, datetime):
        return "" if value is None else str(value)
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def shown_confidence(value: float | None) -> str:
    """A confidence in [0, 1] with two decimals; rows logged before answers were clamped may hold 1.1."""
    return "" if value is None else f"{min(1.0, max(0.0, float(value))):.2f}"
