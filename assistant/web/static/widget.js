/* 筑商通 / Invest Guiyang Assistant: the embeddable chat widget, one tag on any page:
 *   <script src="https://HOST/widget.js" data-title="…" data-greeting="…" data-color="#0b6e4f"
 *           data-position="right|left" data-lang="zh|en" defer></script>
 * Adds a floating button opening a chat panel: an iframe of HOST/embed. No secret, no external asset.
 * Language: data-lang, else the host page's <html lang> (zh… is Chinese, any other language English), else
 * Chinese; the panel switches to English once the visitor is answered in English, for the rest of the visit.
 * The server decides which sites may embed it (CORS on /widget-config, CSP frame-ancestors on /embed). */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src || window.__zstWidget) return;
  window.__zstWidget = true;
  var host = new URL(script.src, location.href).origin;
  var data = script.dataset;
  var LANG_KEY = "zst-widget-lang";
  var lang = pageLang();
  var COLOR = /^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|(rgb|hsl)a?\([0-9.,%\s]+\))$/;
  var color = COLOR.test(data.color || "") ? data.color : "#b3262d";
  // data-position: the README's "left" / "right", or the older "bottom-left" / "bottom-right"; else right.
  var SIDES = {"left": "left", "bottom-left": "left", "right": "right", "bottom-right": "right"};
  var left = SIDES[data.position] === "left";
  var TEXT = {
    zh: {title: "筑商通 · 投资助手", open: "打开投资助手", close: "关闭"},
    en: {title: "Invest Guiyang Assistant", open: "Open the investment assistant", close: "Close"}
  };
  var CJK = /[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]/;
  var text = TEXT[lang];
  var title = titleIn(lang);
  var greeting = (data.greeting || "").slice(0, 300);

  function pageLang() {
    try { if (sessionStorage.getItem(LANG_KEY) === "en") return "en"; } catch (e) { /* no storage */ }
    if (data.lang === "en" || data.lang === "zh") return data.lang;
    var page = (document.documentElement.lang || "").trim().toLowerCase();
    return !page || page.indexOf("zh") === 0 ? "zh" : "en";
  }

  function titleIn(language) {
    // The host's data-title, unless it is Chinese and the panel is in English.
    var own = (data.title || "").slice(0, 60);
    return own && !(language === "en" && CJK.test(own)) ? own : TEXT[language].title;
  }

  var CSS = [
    ":host{all:initial}",
    ".zst-btn{position:fixed;bottom:20px;z-index:2147483646;width:56px;height:56px;border:0;",
    "border-radius:50%;background:var(--zst-color);color:#fff;cursor:pointer;display:flex;",
    "align-items:center;justify-content:center;box-shadow:0 4px 14px rgba(0,0,0,.28);padding:0}",
    ".zst-btn:focus-visible{outline:3px solid #ffd666;outline-offset:2px}",
    ".zst-btn svg{width:28px;height:28px;fill:currentColor}",
    ".zst-panel{position:fixed;bottom:88px;z-index:2147483647;width:380px;max-width:calc(100vw - 40px);",
    "height:min(620px,calc(100vh - 110px));border-radius:12px;overflow:hidden;background:#fff;",
    "box-shadow:0 8px 30px rgba(0,0,0,.3);display:none}",
    ".zst-panel.zst-open{display:block}",
    ".zst-right{right:20px}.zst-left{left:20px}",
    ".zst-panel iframe{border:0;width:100%;height:100%;display:block}",
    // A phone: the panel takes the whole screen; its own header has the close button.
    "@media (max-width:480px){.zst-panel{inset:0;width:100%;max-width:none;height:100%;border-radius:0}",
    ".zst-btn.zst-hide{display:none}}"
  ].join("");
  var CHAT_ICON = "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm3 6a1.5 " +
    "1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01z";
  var CLOSE_ICON = "M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12 19 17.6 17.6 19 12 13.4 6.4 19 5 17.6 10.6 12 5 6.4z";

  function icon(path) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    var p = document.createElementNS(ns, "path");
    p.setAttribute("d", path);
    svg.appendChild(p);
    return svg;
  }

  function addStyles(root) {
    // A constructed sheet still works on host pages whose CSP forbids inline <style>.
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } catch (e) {
      var style = document.createElement("style");
      style.textContent = CSS;
      root.appendChild(style);
    }
  }

  function mount() {
    var box = document.createElement("div");
    box.id = "zst-widget";
    box.style.setProperty("--zst-color", color);
    var root = box.attachShadow({mode: "open"});
    addStyles(root);
    var side = left ? "zst-left" : "zst-right";
    var panel = document.createElement("div");
    panel.className = "zst-panel " + side;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", title);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "zst-btn " + side;
    button.setAttribute("aria-expanded", "false");
    var frame = null;

    function label(open) {
      button.setAttribute("aria-label", open ? text.close : text.open);
      button.title = open ? text.close : title;
      panel.setAttribute("aria-label", title);
      if (frame) frame.title = title;
    }

    function setOpen(open) {
      if (open && !frame) {  // the panel loads on first open: a page visit costs one small script
        var query = new URLSearchParams({lang: lang, title: title, color: color});
        if (greeting) query.set("greeting", greeting);
        frame = document.createElement("iframe");
        frame.title = title;
        frame.src = host + "/embed?" + query.toString();
        frame.setAttribute("allow", "clipboard-write");
        panel.appendChild(frame);
      }
      panel.classList.toggle("zst-open", open);
      button.classList.toggle("zst-hide", open);
      button.setAttribute("aria-expanded", String(open));
      label(open);
      button.replaceChildren(icon(open ? CLOSE_ICON : CHAT_ICON));
      if (open && frame) frame.focus();
    }

    button.addEventListener("click", function () { setOpen(!panel.classList.contains("zst-open")); });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && panel.classList.contains("zst-open")) setOpen(false);
    });
    window.addEventListener("message", function (e) {
      // Only the panel's own frame, from the assistant's origin, may close it.
      if (e.origin !== host || !frame || e.source !== frame.contentWindow) return;
      if (e.data && e.data.type === "zst-close") setOpen(false);
      if (e.data && e.data.type === "zst-lang" && e.data.lang === "en" && lang !== "en") {
        lang = "en";  // the visitor was answered in English: the button speaks English too, on later pages as well
        text = TEXT[lang];
        title = titleIn(lang);
        try { sessionStorage.setItem(LANG_KEY, lang); } catch (err) { /* this page only */ }
        label(panel.classList.contains("zst-open"));
      }
    });
    setOpen(false);
    root.appendChild(panel);
    root.appendChild(button);
    document.body.appendChild(box);
  }

  function start() {
    fetch(host + "/widget-config", {mode: "cors", credentials: "omit"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (config) {
        if (config && config.allowed) mount();
        else refuse();
      })
      .catch(refuse);
  }

  function refuse() {
    console.warn("筑商通 widget: this site (" + location.origin + ") is not on the assistant's allow-list " +
                 "(web.allowed_origins), so no widget is shown.");
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
