/* The widget's chat panel (/embed): asks /api/chat on its own origin, streams the answer (server-sent
 * events) and shows numbered citation cards. Answer and document text only ever go through textContent,
 * so nothing a document says can become markup here. */
(function () {
  "use strict";
  var TEXT = {
    zh: {
      title: "筑商通 · 投资助手", send: "发送", placeholder: "请输入您的问题…",
      greeting: "您好！我可以解答在贵阳贵安投资的用地、电价、人才、标准厂房和优惠政策问题，每个回答都注明出处。",
      notice: "⚠ 示例数据，以主管部门最新发布为准。", contact: "联系我（项目管家回访）", close: "关闭",
      question: "问题", thinking: "正在查找资料…", failed: "抱歉，暂时无法回答，请稍后再试。",
      sources: "来源", open: "查看原文", sample: "示例数据", working: "计算过程", results: "查询结果",
      handoff: "需要专人解答？留下联系方式，项目管家会回访您。"
    },
    en: {
      title: "Invest Guiyang Assistant", send: "Send", placeholder: "Ask a question…",
      greeting: "Hello! Ask me about land, power prices, talent, standard factories and incentives for investing " +
        "in Guiyang and Gui'an. Every answer cites its sources.",
      notice: "⚠ Sample data: the latest publications of the competent authorities prevail.",
      contact: "Contact me (a project manager will call back)", close: "Close", question: "Question",
      thinking: "Looking it up…", failed: "Sorry, the assistant could not answer; please try again.",
      sources: "Sources", open: "Open document", sample: "sample data", working: "Working", results: "Results",
      handoff: "Want a person to answer? Leave your contact details and a project manager will call back."
    }
  };
  var params = new URLSearchParams(location.search);
  var lang = params.get("lang") === "en" ? "en" : "zh";
  var t = TEXT[lang];
  var COLOR = /^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|(rgb|hsl)a?\([0-9.,%\s]+\))$/;
  var COLUMNS = {  // factory listing columns, as on the investor page
    id: ["编号", "ID"], park: ["园区", "Park"], district: ["区县", "District"], building: ["楼栋/楼层", "Building"],
    area_m2: ["面积㎡", "Area m²"], clear_height_m: ["层高m", "Height m"], floor_load_t_m2: ["承重t/㎡", "Load t/m²"],
    power_kva: ["电力kVA", "Power kVA"], rent_yuan_m2_month: ["租金元/㎡·月", "Rent ¥/m²·month"],
    sale_price_yuan_m2: ["售价元/㎡", "Price ¥/m²"], status: ["状态", "Status"]
  };
  var $ = function (id) { return document.getElementById(id); };
  var log = $("zst-log"), form = $("zst-form"), input = $("zst-input"), send = $("zst-send");
  var SESSION_KEY = "zst-widget-session";
  var memorySession = "";

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

  function excerpt(source) {
    // The passage, cut around the sentence that answers, which is marked.
    var text = source.text || "", mark = (source.highlight || "").trim(), limit = 160;
    var box = el("div", "excerpt");
    var at = mark && mark !== text.trim() ? text.indexOf(mark) : -1;
    if (at < 0) {
      box.textContent = text.slice(0, limit) + (text.length > limit ? "…" : "");
      return box;
    }
    var start = Math.max(0, Math.min(at - 40, text.length - limit)), end = Math.max(at + mark.length, start + limit);
    box.appendChild(document.createTextNode((start ? "…" : "") + text.slice(start, at)));
    box.appendChild(el("mark", "", mark));
    box.appendChild(document.createTextNode(text.slice(at + mark.length, end) + (end < text.length ? "…" : "")));
    return box;
  }

  function card(n, source) {
    var node = el("div", "card");
    var head = el("div", "card-head");
    head.appendChild(el("span", "num", "[" + n + "] "));
    var title = source.title || "";  // a document's title in 《》; the service contact is no document
    head.appendChild(el("span", "doc", source.kind === "contact" ? title : "《" + title + "》"));
    var where = source.locator || "";
    if (source.page && where.indexOf("p." + source.page) < 0) where += (where ? " · " : "") + "p." + source.page;
    if (where) head.appendChild(el("span", "loc", " " + where));
    if (source.sample) head.appendChild(el("span", "badge", t.sample));
    var url = typeof source.url === "string" ? source.url : "";
    if (url.indexOf("/sources/") === 0) {  // only our own document links, never a scheme from the data
      var link = el("a", "", t.open);
      link.href = url;
      link.target = "_blank";
      link.rel = "noopener";
      head.appendChild(link);
    }
    node.appendChild(head);
    node.appendChild(excerpt(source));
    return node;
  }

  function table(rows) {
    var keys = Object.keys(rows[0]).filter(function (k) { return k !== "sample"; });
    var wrap = el("div", "table"), tbl = el("table"), head = el("tr");
    wrap.appendChild(el("b", "", t.results));
    keys.forEach(function (k) { head.appendChild(el("th", "", (COLUMNS[k] || [k, k])[lang === "en" ? 1 : 0])); });
    tbl.appendChild(head);
    rows.forEach(function (row) {
      var tr = el("tr");
      keys.forEach(function (k) { tr.appendChild(el("td", "", row[k] === null || row[k] === "" ? "—" : row[k])); });
      tbl.appendChild(tr);
    });
    wrap.appendChild(tbl);
    return wrap;
  }

  function render(bubble, reply) {
    bubble.replaceChildren(el("p", "answer", reply.answer));
    bubble.classList.remove("busy");
    if (reply.table && reply.table.length) bubble.appendChild(table(reply.table));
    if (reply.working && reply.working.length) {
      var steps = el("details", "extra"), list = el("ol");
      steps.open = true;
      steps.appendChild(el("summary", "", t.working));
      reply.working.forEach(function (s) { list.appendChild(el("li", "", s)); });
      steps.appendChild(list);
      bubble.appendChild(steps);
    }
    (reply.notices || []).forEach(function (n) { bubble.appendChild(el("p", "extra", n)); });
    if (reply.handoff) {  // opens the lead form of this panel (embed-lead.js)
      var more = el("p", "extra handoff"), link = el("a", "zst-open-lead", t.handoff);
      link.href = "#zst-lead";
      more.appendChild(link);
      bubble.appendChild(more);
    }
    var sources = reply.sources || [];
    if (sources.length) {
      var box = el("div", "sources");
      box.appendChild(el("h4", "", t.sources + "（" + sources.length + "）"));
      sources.forEach(function (s, i) { box.appendChild(card(i + 1, s)); });
      bubble.appendChild(box);
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

  function setUp() {
    var title = (params.get("title") || t.title).slice(0, 60);
    var color = params.get("color") || "";
    if (COLOR.test(color)) document.documentElement.style.setProperty("--zst-color", color);
    document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
    document.title = title;
    $("zst-title").textContent = title;
    $("zst-notice").textContent = t.notice;
    $("zst-contact").textContent = t.contact;
    input.placeholder = t.placeholder;
    input.setAttribute("aria-label", t.question);
    send.textContent = t.send;
    var close = $("zst-close");
    close.setAttribute("aria-label", t.close);
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
  if (getSession()) document.body.dataset.session = getSession();  // a thread kept from earlier in this visit
})();
