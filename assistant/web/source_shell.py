"""The frame of the pages a citation opens: a header, the body, a stylesheet, and a policy that allows no script.

Tables never break a word: a table wider than the page scrolls sideways inside it; a row's fields (label, value)
fill the page's width, and on a phone their labels wrap between words."""

from __future__ import annotations

from html import escape

from fastapi.responses import HTMLResponse

from assistant.web.ui_text import t

PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
HEADERS = {"Content-Security-Policy": PAGE_CSP, "X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}
CSS = """
body{margin:0;background:#f5f7fa;color:#1f2329;font:16px/1.7 system-ui,-apple-system,"PingFang SC",
"Noto Sans CJK SC","Microsoft YaHei",sans-serif}
header{background:#b3262d;color:#fff;padding:8px 16px;font-weight:600}
main{max-width:860px;margin:0 auto;padding:12px 16px 40px;background:#fff;min-height:100vh;box-sizing:border-box;
overflow-wrap:break-word}
h1{font-size:1.45em;line-height:1.35}h2{font-size:1.2em}h3{font-size:1.05em}
.meta{color:#4b5563;font-size:.92em}.badge{background:#fff1c2;color:#7a4b00;border-radius:4px;padding:0 5px;
font-size:.85em;white-space:nowrap}
mark{background:#ffe58f;padding:0 2px}.zst-article{background:#fff7d6;display:block}
:target{scroll-margin-top:12px}
table{border-collapse:collapse;margin:8px 0;display:block;overflow-x:auto;max-width:100%}
th,td{border:1px solid #d9dee7;padding:4px 8px;text-align:left;vertical-align:top;overflow-wrap:normal}
th{background:#eef2f7}tr.cited td,tr.cited th{background:#fff7d6}
.scroll{max-width:100%;overflow-x:auto}table.fields{display:table;width:100%;margin:0}
table.fields th{white-space:nowrap;width:11em}
@media (max-width:600px){table.fields th{white-space:normal;width:38%}}
.rule{border:1px solid #d9dee7;border-radius:6px;padding:4px 12px;margin:10px 0}.rule.cited{border-color:#f0b429;
background:#fffbeb}.rule h2{margin:.4em 0}
.raw{margin-top:24px;font-size:.9em}a{color:#9b1c23}
"""


def page(title: str, body: str, lang: str, status: int = 200) -> HTMLResponse:
    """A whole page around ``body`` (already safe HTML); ``title`` is escaped here."""
    html = (f'<!doctype html><html lang="{"en" if lang == "en" else "zh-CN"}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)} · {escape(t('brand', lang))}</title><style>{CSS}</style></head><body>"
            f'<header>{escape(t("brand", lang))} · {escape(t("source_page", lang))}</header>'
            f"<main>{body}</main></body></html>")
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def not_found(lang: str) -> HTMLResponse:
    return page(t("not_found", lang), f"<p>{escape(t('not_found', lang))}</p>", lang, status=404)
