"""The investor page (Gradio Blocks), mounted at ``/`` on the API's FastAPI app.

Streamed answers with source cards, factory tables and calculator working; suggested questions per topic;
a 中文 / English switch for the interface; thumbs up/down stored as feedback; a "contact me" form stored
as a lead. It calls the same service and store as the API (constructor injection, no globals)."""

from __future__ import annotations

import logging
from html import escape
from typing import Any

import gradio as gr
from fastapi import FastAPI
from pydantic import ValidationError

from assistant.answering import ChatService
from assistant.matching import Profile
from assistant.settings import Settings
from assistant.text_input import visible
from assistant.web import turns
from assistant.web.answer_runner import AnswerRunner, AnswerTimeout, TooManyAnswers
from assistant.web.consent import CONSENT_VERSION, consent_text
from assistant.web.markup import answer_markup
from assistant.web.match_api import lead_brief
from assistant.web.render import answer_css, answer_html
from assistant.web.schemas import LeadRequest
from assistant.web.store import Store
from assistant.web.ui_match import build_match_form, district_choices
from assistant.web.ui_text import LANGS, TOPICS, interest_choices, placeholder, t, topic_label, topic_questions

log = logging.getLogger(__name__)
History = list[dict[str, Any]]
TurnMap = dict[str, dict[str, str]]  # chat message index -> the question and answer text, for feedback
LEAD_FIELDS = ("name", "company", "phone", "email", "interest", "message")
# The chat's label floats over its message list in Gradio and hid the first visible line (on a phone, characters
# of the question): it takes its own line above the list instead.
# Gradio's Markdown breaks words anywhere (overflow-wrap:anywhere) and lets its block shrink to nothing: a topic
# label or the header then breaks inside a word on a phone ("Electricit/y"). They wrap between words instead,
# and their block is never narrower than their longest word.
PAGE_CSS = """
#zst-chat label[data-testid="block-label"] {position:static; display:inline-flex; margin:0 0 4px}
.zst-words {min-width:min-content !important}
.zst-words .prose, .zst-words .prose * {overflow-wrap:normal !important; word-break:normal; hyphens:manual}
"""


def page_client(request: gr.Request | None) -> str:
    """The visitor's address, as the API's ``client_key`` reads it (uvicorn has applied trusted proxies)."""
    client = getattr(request, "client", None) if request is not None else None
    return getattr(client, "host", None) or "unknown"


def notice_html(lang: str) -> str:
    return f'<div class="zst-notice">⚠ {escape(t("sample_notice", lang))}</div>'


class InvestorPage:
    """Event handlers of the page; the Blocks layout is built by ``build``."""

    def __init__(self, service: ChatService, store: Store, settings: Settings, runner: AnswerRunner) -> None:
        self.service = service
        self.store = store
        self.limit = settings.web.max_message_chars
        self.runner = runner

    # ---- chat ----
    def respond(self, question: str, history: History | None, lang: str, session_id: str,
                turn_map: TurnMap, request: gr.Request | None = None) -> Any:
        """Gradio passes the visitor's request (the annotation asks for it): answers count against the same
        per-client allowance as the API's."""
        history = list(history or [])
        question = visible(question or "")
        if not question:  # nothing visible ("\u200b", control characters): nothing to answer, nothing shown
            yield history, "", session_id, turn_map
            return
        if len(question) > self.limit:
            gr.Warning(t("too_long", lang, n=self.limit))
            yield history, question, session_id, turn_map
            return
        session_id = session_id or turns.new_session_id()
        history += [{"role": "user", "content": escape(question)}, {"role": "assistant", "content": ""}]
        yield history, "", session_id, turn_map
        written = ""
        events: turns.EventStream | None = None
        try:
            events = turns.stream(self.service, self.store, question, session_id, None, self.runner,
                                  page_client(request))
            for kind, value in events:
                if kind == "token":
                    written += value
                    history[-1] = {"role": "assistant", "content": f'<div class="zst-answer">{answer_markup(written)}</div>'}
                    yield history, "", session_id, turn_map
                elif kind == "answer":
                    files = turns.source_files(self.service)
                    # The labels around an answer are in its language, whatever the page's: one language per answer.
                    history[-1] = {"role": "assistant", "content": answer_html(value, files, value.language)}
                    turn = {"question": question, "answer": value.answer}
                    turn_map = {**turn_map, str(len(history) - 1): turn}
        except TooManyAnswers as exc:
            log.info("page visitor refused in session %s: %d answers already in progress", session_id, exc.limit)
            history[-1] = {"role": "assistant", "content": escape(t("busy", lang, n=exc.limit))}
        except AnswerTimeout:
            log.warning("answer timed out in session %s", session_id)
            history[-1] = {"role": "assistant", "content": escape(t("timeout", lang))}
        except Exception:
            log.exception("answering failed in session %s", session_id)
            history[-1] = {"role": "assistant", "content": escape(t("failed", lang))}
        finally:
            if events is not None:
                events.close()  # the visitor left mid-answer (Gradio closes this generator): stop the producer
        yield history, "", session_id, turn_map

    def respond_at_once(self, question: str, history: History | None, lang: str, session_id: str,
                        turn_map: TurnMap, request: gr.Request | None = None) -> Any:
        """``respond``'s last step, for the page served without Gradio's queue (several workers): one plain
        request and its response, the answer shown whole."""
        last: Any = None
        for last in self.respond(question, history, lang, session_id, turn_map, request):  # noqa: B007
            pass
        return last

    def feedback(self, data: gr.LikeData, turn_map: TurnMap, session_id: str, lang: str) -> None:
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        turn = turn_map.get(str(index))
        rating = {True: 1, "Like": 1, False: -1, "Dislike": -1}.get(data.liked)  # type: ignore[call-overload]
        if turn is None or rating is None:  # a greeting, or a thumb taken back
            return
        self.store.add_feedback(question=turn["question"], answer=turn["answer"], rating=rating,
                                session_id=session_id or None)
        gr.Info(t("thanks", lang))

    # ---- contact form ----
    def submit_lead(self, name: str, company: str, phone: str, email: str, interest: str, message: str,
                    session_id: str, lang: str, matched: dict[str, Any] | None = None) -> list[Any]:
        """``matched``: the profile of the page's match form, if one was run: its brief goes with the lead (else
        the profile given in this chat's conversation, if any)."""
        keep = [gr.update()] * len(LEAD_FIELDS)
        values = dict(zip(LEAD_FIELDS, (name, company, phone, email, interest, message), strict=True))
        try:
            lead = LeadRequest(**{k: v or "" for k, v in values.items()}, session_id=session_id or None,
                               consent_version=CONSENT_VERSION)  # the consent line the form shows
        except ValidationError as exc:
            fields = dict.fromkeys(str(e["loc"][0]) for e in exc.errors() if e["loc"])
            labels = [t(f, lang).rstrip(" *") for f in fields if f in LEAD_FIELDS]
            names = ("、" if lang == "zh" else ", ").join(labels)
            return [t("lead_bad", lang, fields=names), *keep]
        if lead.contact_errors():
            return [t("lead_bad", lang, fields=t("need_contact", lang)), *keep]
        profile = lead.profile or (Profile.model_validate(matched) if matched else None)
        brief = lead_brief(self.service, profile, lead.session_id, lang)
        lead_id = self.store.add_lead(**lead.model_dump(exclude={"profile", "profile_lang"}), brief_html=brief)
        return [t("lead_ok", lang, id=lead_id), "", "", "", "", gr.update(), ""]


def build_ui(service: ChatService, store: Store, settings: Settings, runner: AnswerRunner) -> gr.Blocks:
    page = InvestorPage(service, store, settings, runner)
    zh = "zh"
    suggestions = service.lexicon.suggestions  # read when the page is built: a restart shows edited ones
    # Several workers (or hosts: state shared through a database) and any of them may get any call: Gradio's
    # queue (a join, then a stream from the same process) and its server-side gr.State would split across
    # them. So the page keeps its state in the browser (hidden fields, sent with every call) and its events
    # are plain requests.
    stateless = settings.web.shares_state()
    with gr.Blocks(title="筑商通 · Invest Guiyang Assistant", analytics_enabled=False) as demo:
        if stateless:
            session: Any = gr.Textbox("", visible=False, elem_id="zst-session")
            turn_map: Any = gr.JSON({}, visible=False)
        else:
            session, turn_map = gr.State(""), gr.State({})
        with gr.Row():
            header = gr.Markdown(t("header", zh), elem_classes=["zst-words"])
            lang = gr.Radio(choices=list(LANGS), value=zh, label=t("language", zh), scale=0, min_width=200)
        notice = gr.HTML(notice_html(zh))
        chatbot = gr.Chatbot(label=t("chat", zh), height=520, feedback_options=("Like", "Dislike"),
                             sanitize_html=True, buttons=["copy"], elem_id="zst-chat")
        with gr.Row():
            box = gr.Textbox(show_label=False, placeholder=placeholder(zh, suggestions), max_length=page.limit,
                             scale=8, lines=1, max_lines=6)
            send = gr.Button(t("send", zh), variant="primary", scale=1, min_width=80)
        suggested = gr.Markdown(t("suggested", zh))
        topic_titles: list[gr.Markdown] = []
        questions: list[gr.Button] = []
        slots: list[int] = []  # buttons per topic: enough for either language; the spare ones are hidden
        for i in range(len(TOPICS)):
            slots.append(max(len(topic_questions(i, lang_, suggestions)) for lang_ in ("zh", "en")))
            if not slots[-1]:
                topic_titles.append(gr.Markdown(topic_label(i, zh), min_height=0, visible=False))
                continue
            with gr.Row(equal_height=True):
                topic_titles.append(gr.Markdown(topic_label(i, zh), min_height=0, elem_classes=["zst-words"]))
                shown = topic_questions(i, zh, suggestions)
                questions += [gr.Button(shown[n] if n < len(shown) else "", size="sm", scale=3, visible=n < len(shown))
                              for n in range(slots[-1])]
        matched, match_labels, district = build_match_form(service, lang)
        with gr.Accordion(t("contact", zh), open=False) as contact:
            with gr.Row():
                name = gr.Textbox(label=t("name", zh), max_length=100)
                company = gr.Textbox(label=t("company", zh), max_length=200)
            with gr.Row():
                phone = gr.Textbox(label=t("phone", zh), max_length=40)
                email = gr.Textbox(label=t("email", zh), max_length=254)
            interest = gr.Dropdown(choices=interest_choices(zh), value="land", label=t("interest", zh))
            message = gr.Textbox(label=t("message", zh), lines=3, max_length=2000)
            consent = gr.Markdown(consent_text(zh, settings), elem_classes=["zst-consent"])
            submit = gr.Button(t("submit", zh))
            lead_result = gr.Markdown()

        # Programs use /api; only the chat event is callable from outside the page (tests, gradio_client).
        private: dict[str, Any] = {"api_visibility": "private"} | ({"queue": False} if stateless else {})
        respond = page.respond_at_once if stateless else page.respond
        chat_io = dict(inputs=[box, chatbot, lang, session, turn_map],
                       outputs=[chatbot, box, session, turn_map])
        box.submit(respond, **chat_io, api_name="chat", api_visibility="undocumented",
                   **({"queue": False} if stateless else {}))
        send.click(respond, **chat_io, **private)
        for button in questions:
            fill = button.click(lambda q: q, button, box, **({"queue": False} | private))
            fill.then(respond, **chat_io, **private)
        chatbot.like(page.feedback, [turn_map, session, lang], None, **private)
        submit.click(page.submit_lead, [name, company, phone, email, interest, message, session, lang, matched],
                     [lead_result, name, company, phone, email, interest, message], **private)
        demo.load(turns.new_session_id, None, session, **({"queue": False} | private))

        relabelled: list[tuple[Any, str, str]] = [
            (header, "value", "header"), (lang, "label", "language"), (chatbot, "label", "chat"),
            (send, "value", "send"), (suggested, "value", "suggested"),
            (contact, "label", "contact"), (name, "label", "name"), (company, "label", "company"),
            (phone, "label", "phone"), (email, "label", "email"), (message, "label", "message"),
            (submit, "value", "submit"), *match_labels]

        def relabel(choice: str) -> list[Any]:
            updates = [gr.update(**{attr: t(key, choice)}) for _c, attr, key in relabelled]
            updates.append(gr.update(value=notice_html(choice)))
            updates.append(gr.update(placeholder=placeholder(choice, suggestions)))
            updates += [gr.update(value=topic_label(i, choice)) for i in range(len(TOPICS))]
            for i, count in enumerate(slots):
                shown = topic_questions(i, choice, suggestions)
                updates += [gr.update(value=shown[n] if n < len(shown) else "", visible=n < len(shown))
                            for n in range(count)]
            updates.append(gr.update(label=t("interest", choice), choices=interest_choices(choice)))
            updates.append(gr.update(value=consent_text(choice, settings)))
            updates.append(gr.update(label=t("m_district", choice), choices=district_choices(service, choice)))
            return updates

        outputs = [c for c, _a, _k in relabelled] + [notice, box, *topic_titles, *questions, interest, consent,
                                                      district]
        lang.change(relabel, lang, outputs, **({"queue": False} | private))
    return demo


def mount_ui(app: FastAPI, service: ChatService, store: Store, settings: Settings,
             runner: AnswerRunner) -> FastAPI:
    demo = build_ui(service, store, settings, runner)
    # Answers are CPU work on a small machine: a few at a time, the rest wait in Gradio's queue.
    demo.queue(default_concurrency_limit=4)
    return gr.mount_gradio_app(app, demo, path="/", css=answer_css() + PAGE_CSS, ssr_mode=False, footer_links=[],
                               run_history=False)
