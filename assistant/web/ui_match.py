"""The investor page's policy-match form: a company profile in a few fields, the result as the chat shows it
(the shared server-side renderer) and the investment brief to download. The profile stays in the page's state,
so a contact request sent afterwards carries the brief to staff."""

from __future__ import annotations

import tempfile
from html import escape
from pathlib import Path
from typing import Any

import gradio as gr
from pydantic import ValidationError

from assistant.answering import ChatService
from assistant.matching import Profile
from assistant.web.brief import brief_filename, brief_html
from assistant.web.match_api import matched
from assistant.web.render import answer_html
from assistant.web.turns import source_files
from assistant.web.ui_text import t

WAN = 10_000.0
# (profile field, label key, factor to the profile's unit): the form asks in the units investors use (万元, 万度).
NUMBERS = (("investment_yuan", "m_investment", WAN), ("land_mu", "m_land", 1.0), ("factory_m2", "m_factory", 1.0),
           ("annual_kwh", "m_kwh", WAN), ("jobs", "m_jobs", 1.0), ("revenue_yuan", "m_revenue", WAN),
           ("rd_spend_yuan", "m_rd", WAN), ("talents.phd", "m_phd", 1.0), ("talents.master", "m_master", 1.0),
           ("talents.bachelor", "m_bachelor", 1.0))
OPEN = "open"


def figure(text: str | None) -> float | None:
    """A figure typed in a field ("1,200", "80"); None when empty. ValueError when it is no number."""
    raw = (text or "").strip().replace(",", "").replace("，", "")
    return float(raw) if raw else None


def profile_of(industry: str, district: str, numbers: list[float | None]) -> dict[str, Any]:
    """The form's values as Profile fields (万 figures in yuan or kWh; empty fields left out)."""
    out: dict[str, Any] = {}
    if industry and industry.strip():
        out["industry"] = industry.strip()
    if district:
        out["district"] = district
    for (field, _key, factor), value in zip(NUMBERS, numbers, strict=True):
        if value is None:
            continue
        if field.startswith("talents."):
            out.setdefault("talents", {})[field.split(".", 1)[1]] = int(value)
        else:
            out[field] = int(value) if field == "jobs" else float(value) * factor
    return out


class MatchForm:
    def __init__(self, service: ChatService) -> None:
        self.service = service
        self.folder = Path(tempfile.gettempdir()) / "zst-briefs"  # Gradio serves files from the temp folder

    def run(self, industry: str, district: str, *rest: Any) -> tuple[str, Any, dict[str, Any]]:
        """(result HTML, the download button, the profile kept for a later contact request)."""
        *typed, lang = rest
        numbers, bad = [], []
        for (_field, key, _factor), text in zip(NUMBERS, typed, strict=True):
            try:
                numbers.append(figure(text))
            except ValueError:
                numbers.append(None)
                bad.append(t(key, lang))
        if bad:
            return f'<p class="zst-notice">{escape(t("m_bad", lang, fields=("、" if lang == "zh" else ", ").join(bad)))}</p>', \
                gr.update(visible=False), {}
        fields = profile_of(industry or "", district or "", numbers)
        if not fields:
            return f'<p class="zst-notice">{escape(t("m_empty", lang))}</p>', gr.update(visible=False), {}
        try:
            profile = Profile.model_validate(fields)
        except ValidationError as exc:
            names = ", ".join(str(e["loc"][0]) for e in exc.errors() if e["loc"])
            return (f'<p class="zst-notice">{escape(t("m_bad", lang, fields=names))}</p>', gr.update(visible=False),
                    {})
        if not self.service.matching.available:
            return f'<p class="zst-notice">{escape(t("m_unavailable", lang))}</p>', gr.update(visible=False), {}
        result, answer, kept = matched(self.service, profile, lang)
        files = source_files(self.service)
        html = answer_html(answer, files, lang)
        self.folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=self.folder, delete=False,
                                         prefix=brief_filename(lang).removesuffix(".html") + "-",
                                         suffix=".html") as out:
            out.write(brief_html(result, answer, kept, self.service.today(), files))
        return html, gr.update(value=out.name, visible=True, label=t("m_download", lang)), kept


def district_choices(service: ChatService, lang: str) -> list[tuple[str, str]]:
    """(shown, value) of the district list: shown in the page's language, the value the Chinese name a profile
    takes."""
    places = service.catalog.places
    return [(t("m_open", lang), OPEN)] + [(places.district_name(d, lang), d) for d in places.districts()]


def build_match_form(service: ChatService, lang_box: gr.Radio) -> tuple[gr.State, list[tuple[Any, str, str]], Any]:
    """The form inside an accordion (call within the page's Blocks); returns the profile state, the
    (component, attribute, label key) triples the language switch relabels, and the district list (whose choices
    it relabels too: ``district_choices``)."""
    form = MatchForm(service)
    zh = "zh"
    kept = gr.State({})
    with gr.Accordion(t("m_title", zh), open=False, elem_id="zst-match") as box:
        hint = gr.Markdown(t("m_hint", zh))
        with gr.Row():
            industry = gr.Textbox(label=t("m_industry", zh), max_length=100, elem_id="zst-m-industry")
            district = gr.Dropdown(choices=district_choices(service, zh), value=OPEN, label=t("m_district", zh),
                                   elem_id="zst-m-district")
        fields: list[gr.Textbox] = []
        for row in (NUMBERS[:5], NUMBERS[5:]):
            with gr.Row():
                # Text, not gr.Number: the page sends an empty Number as 0, and an unknown figure is not a zero.
                fields += [gr.Textbox(label=t(key, zh), max_length=20, elem_id=f"zst-m-{field}"
                                      .replace(".", "-").replace("_", "-")) for field, key, _f in row]
        run = gr.Button(t("m_run", zh), variant="primary", elem_id="zst-m-run")
        result = gr.HTML(elem_id="zst-m-result")
        download = gr.DownloadButton(t("m_download", zh), visible=False, elem_id="zst-m-download")
    run.click(form.run, [industry, district, *fields, lang_box], [result, download, kept],
              api_visibility="private")
    labels: list[tuple[Any, str, str]] = [(box, "label", "m_title"), (hint, "value", "m_hint"),
                                          (industry, "label", "m_industry"),
                                          (run, "value", "m_run"), (download, "label", "m_download")]
    labels += [(f, "label", key) for f, (_field, key, _factor) in zip(fields, NUMBERS, strict=True)]
    return kept, labels, district
