/* The widget's chat panel (/embed): asks /api/chat on its own origin, streams the answer (server-sent
 * events), then shows the answer as the server rendered it (its ``html``: text, table, working, numbered
 * citation cards, escaped and link-checked there). Everything else, the streamed text included, goes through
 * textContent, so nothing a visitor or a document says can become markup here.
 *
 * The panel's own words (title, notice, box, buttons, links) are in the language the loader passed (?lang=,
 * from data-lang or the host page's lang), until an answer comes back in English (the reply's ``language``):
 * the visitor reads English, so the panel switches to English for the rest of the visit. It announces the
 * switch on the document ("zst-lang"; the lead and match forms follow) and to the loader (the button's label). */
(function () {
  "use strict";
  var TEXT = {
    zh: {
      title: "筑商通 · 投资助手", send: "发送", placeholder: "请输入您的问题…",
      greeting: "您好！我可以解答在贵阳贵安投资的用地、电价、人才、标准厂房和优惠政策问题，每个回答都注明出处。",
      notice: "⚠ 示例数据，以主管部门最新发布为准。", contact: "联系我（项目管家回访）", close: "关闭",
      question: "问题", thinking: "正在查找资料…", failed: "抱歉，暂时无法回答，请稍后再试。",
      handoff: "需要专人解答？留下联系方式，项目管家会回访您。"
    },
    en: {
      title: "Invest Guiyang Assistant", send: "Send", placeholder: "Ask a question…",
      greeting: "Hello! Ask me about land, power prices, talent, standard factories and incentives for investing " +
        "in Guiyang and Gui'an. Every answer cites its sources.",
      notice: "⚠ Sample data: the latest publications of the competent authorities prevail.",
      contact: "Contact me (a project manager will call back)", close: "Close", question: "Question",
      thinking: "Looking it up…", failed: "Sorry, the assistant could not answer; please try again.",
      handoff: "Want a person to answer? Leave your contact details and a project manager will call back."
    }
  };
  var params = new URLSearchParams(location.search);
  var SESSION_KEY = "zst-widget-session", LANG_KEY = "zst-widget-lang";
  var lang = params.get("lang") === "en" || stored(LANG_KEY) === "en" ? "en" : "zh";
  var t = TEXT[lang];
  var COLOR = /^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|(rgb|hsl)a?\([0-9.,%\s]+\))$/;
  var CJK = /[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]/;
  var $ = function (id) { return document.getElementById(id); };
  var log = $("zst-log"), form = $("zst-form"), input = $("zst-input"), send = $("zst-send");
  var memorySession = "";

  function stored(key) {
    try { return sessionStorage.getItem(key) || ""; } catch (e) { return ""; }
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function getSession() {
    try { return sessionStorage.getItem(SESSION_KEY) || memorySession; } catch (e) { return memorySession; }
  }

  function setSession(id) {
    memorySession = id;  // storage may be off for third-party frames; memory keeps this visit's thread
    document.body.dataset.session = id;  // the lead form sends it, so staff see the lead's conversation
    try { sessionStorage.setItem(SESSION_KEY, id); } catch (e) { /* kept in memory */ }
  }

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function showStart(node) {
    // A finished answer is read from its first line, not from the end of its source cards.
    log.scrollTop = Math.max(0, node.offsetTop - 8);
  }

  function answerNodes(html) {
    // The server's rendering of the whole answer (render.answer_html): document and answer text escaped there,
    // links only to allowed schemes; the same HTML the investor page shows.
    var template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }

  function render(bubble, reply) {
    bubble.classList.remove("busy");
    bubble.classList.add("rendered");
    if (typeof reply.html === "string" && reply.html) bubble.replaceChildren(answerNodes(reply.html));
    else bubble.replaceChildren(el("p", "answer", reply.answer));
    (reply.notices || []).forEach(function (n) { bubble.appendChild(el("p", "extra", n)); });
    if (reply.language === "en" && lang !== "en") setLang("en");  // before the hand-over line below is written
    if (reply.handoff) {  // opens the lead form of this panel (embed-lead.js)
      var more = el("p", "extra handoff"), link = el("a", "zst-open-lead", t.handoff);
      link.href = "#zst-lead";
      more.appendChild(link);
      bubble.appendChild(more);
    }
    if (reply.session_id) setSession(reply.session_id);
  }

  function fail(bubble, message) {
    bubble.classList.remove("busy");
    bubble.classList.add("error");
    bubble.replaceChildren(el("p", "answer", message || t.failed));
  }

  function problem(response) {
    // A 422 names what is wrong (e.g. too long); show its message as text.
    return response.json().then(function (body) {
      var d = body && body.detail;
      return Array.isArray(d) && d.length ? String(d[0].msg || "") : "";
    }).catch(function () { return ""; });
  }

  function readEvents(response, bubble) {
    var reader = response.body.getReader(), decoder = new TextDecoder(), buffer = "", written = "", done = false;
    function handle(block) {
      var kind = "", data = "";
      block.split("\n").forEach(function (line) {
        if (line.indexOf("event: ") === 0) kind = line.slice(7);
        else if (line.indexOf("data: ") === 0) data += line.slice(6);
      });
      if (!data) return;
      var value = JSON.parse(data);
      if (kind === "token") {
        written += value.text;
        bubble.classList.remove("busy");
        bubble.replaceChildren(el("p", "answer", written));
      } else if (kind === "answer") {
        done = true;
        render(bubble, value);
        showStart(bubble.previousSibling || bubble);
        return;
      } else if (kind === "error") {
        done = true;
        fail(bubble);
      }
      scrollDown();
    }
    function pump() {
      return reader.read().then(function (chunk) {
        if (chunk.done) {
          if (buffer.trim()) handle(buffer);
          if (!done) fail(bubble);
          return;
        }
        buffer += decoder.decode(chunk.value, {stream: true});
        var parts = buffer.split("\n\n");
        buffer = parts.pop();
        parts.forEach(handle);
        return pump();
      });
    }
    return pump();
  }

  function ask(question) {
    log.appendChild(el("div", "msg user", question));
    var bubble = el("div", "msg bot busy", t.thinking);
    log.appendChild(bubble);
    scrollDown();
    var body = {message: question, stream: true};
    var session = getSession();
    if (session) body.session_id = session;
    send.disabled = true;
    return fetch("/api/chat", {
      method: "POST", headers: {"Content-Type": "application/json", "Accept": "text/event-stream"},
      body: JSON.stringify(body), credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok) return problem(response).then(function (msg) { fail(bubble, msg); });
      return readEvents(response, bubble);
    }).catch(function () { fail(bubble); }).then(function () {
      send.disabled = false;
    });
  }

  function titleIn(language) {
    // The host's data-title, unless it is Chinese and the panel has switched to English.
    var own = (params.get("title") || "").slice(0, 60);
    return own && !(language === "en" && CJK.test(own)) ? own : TEXT[language].title;
  }

  function applyText() {
    var title = titleIn(lang);
    document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
    document.body.dataset.lang = lang;
    document.title = title;
    $("zst-title").textContent = title;
    $("zst-notice").textContent = t.notice;
    $("zst-contact").textContent = t.contact;
    input.placeholder = t.placeholder;
    input.setAttribute("aria-label", t.question);
    send.textContent = t.send;
    $("zst-close").setAttribute("aria-label", t.close);
  }

  function setLang(language) {
    lang = language;
    t = TEXT[lang];
    try { sessionStorage.setItem(LANG_KEY, lang); } catch (e) { /* this page view only */ }
    applyText();
    document.dispatchEvent(new CustomEvent("zst-lang", {detail: lang}));
    // Only the loader's label follows; nothing private in it, and the loader checks who sent it.
    if (window.parent !== window) window.parent.postMessage({type: "zst-lang", lang: lang}, "*");
  }

  function setUp() {
    var color = params.get("color") || "";
    if (COLOR.test(color)) document.documentElement.style.setProperty("--zst-color", color);
    applyText();
    var close = $("zst-close");
    if (window.parent !== window) {  // inside the widget: the header's × closes the panel
      close.hidden = false;
      close.addEventListener("click", function () { window.parent.postMessage({type: "zst-close"}, "*"); });
    }
    log.appendChild(el("div", "msg bot", (params.get("greeting") || t.greeting).slice(0, 300)));
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var question = input.value.trim();
      if (!question || send.disabled) return;
      input.value = "";
      ask(question);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {  // Enter sends; not while typing pinyin
        e.preventDefault();
        form.requestSubmit();
      }
    });
  }

  setUp();
  if (lang === "en" && params.get("lang") !== "en" && window.parent !== window) {
    window.parent.postMessage({type: "zst-lang", lang: lang}, "*");  // switched earlier in this visit
  }
  if (getSession()) document.body.dataset.session = getSession();  // a thread kept from earlier in this visit
})();
