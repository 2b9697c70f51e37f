/* The widget's policy-match form (/embed): a few facts of a project, posted to /api/match/answer on this origin;
 * the result is shown in the chat log as the server rendered it (render.answer_html, the same HTML the page and
 * the chat show), with a button that downloads the investment brief (/api/match/brief). The profile is kept on
 * the body, so a lead sent afterwards carries the brief. Text only ever goes through textContent. */
(function () {
  "use strict";
  var TEXT = {
    zh: {
      title: "政策匹配", open: "政策匹配", hint: "只填已知的项即可，未填的记为待确认。",
      industry: "行业", district: "选址区县（可不填）", investment: "计划总投资（万元）", land: "用地（亩）",
      kwh: "年用电量（万度）", jobs: "新增就业（人）", send: "匹配政策", back: "返回对话", busy: "正在匹配…",
      empty: "请至少填写一项。", bad: "请检查填写的数字。", failed: "抱歉，暂时无法匹配，请稍后再试。",
      brief: "下载投资简报", asked: "政策匹配：", example: "锂电池正极材料"
    },
    en: {
      title: "Policy match", open: "Policy match", hint: "Fill in what you know; the rest is left to confirm.",
      industry: "Industry", district: "District (optional)", investment: "Planned investment (10k yuan)",
      land: "Land (mu)", kwh: "Power use a year (10k kWh)", jobs: "New jobs", send: "Match incentives",
      back: "Back to the chat", busy: "Matching…", empty: "Please fill in at least one field.",
      bad: "Please check the figures.", failed: "Sorry, matching failed; please try again.",
      brief: "Download the investment brief", asked: "Policy match: ", example: "cathode materials"
    }
  };
  // (input id, profile field, factor to the profile's unit, whole number)
  var NUMBERS = [["investment", "investment_yuan", 10000, false], ["land", "land_mu", 1, false],
                 ["kwh", "annual_kwh", 10000, false], ["jobs", "jobs", 1, true]];
  // The panel's language as embed.js (loaded first) set it; it may switch to English after an answer.
  var lang = document.body.dataset.lang === "en" ? "en" : "zh";
  var t = TEXT[lang];
  var $ = function (id) { return document.getElementById(id); };
  var section = $("zst-match"), form = $("zst-match-form"), status = $("zst-match-status");
  var send = $("zst-match-send"), log = $("zst-log");
  if (!section || !form) return;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function say(message, kind) {
    status.textContent = message;
    status.className = "lead-status " + (kind || "");
    status.hidden = !message;
  }

  function open(show) {
    section.hidden = !show;
    document.body.classList.toggle("match-open", show);
    if (show) $("zst-m-industry").focus();
  }

  function profile() {
    var out = {}, bad = false;
    var industry = $("zst-m-industry").value.trim(), district = $("zst-m-district").value.trim();
    if (industry) out.industry = industry;
    if (district) out.district = district;
    NUMBERS.forEach(function (spec) {
      var raw = $("zst-m-" + spec[0]).value.trim().replace(/,/g, "");
      if (!raw) return;
      var value = Number(raw);
      if (!isFinite(value) || value < 0) { bad = true; return; }
      value = value * spec[2];
      out[spec[1]] = spec[3] ? Math.round(value) : value;
    });
    return bad ? null : out;
  }

  function post(path, body) {
    return fetch(path, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body),
                        credentials: "same-origin"});
  }

  function download(body) {
    return post("/api/match/brief", body).then(function (response) {
      if (!response.ok) throw new Error("brief");
      var name = (response.headers.get("Content-Disposition") || "").match(/filename="([^"]+)"/);
      return response.blob().then(function (blob) {
        var link = el("a");
        link.href = URL.createObjectURL(blob);
        link.download = name ? name[1] : "brief.html";
        document.body.appendChild(link);
        link.click();
        setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
      });
    });
  }

  function show(reply, body) {
    var bubble = el("div", "msg bot rendered match-result");
    var template = document.createElement("template");
    template.innerHTML = reply.html;  // the server's rendering: escaped and link-checked there (render.py)
    bubble.appendChild(template.content);
    var button = el("button", "brief", t.brief);
    button.type = "button";
    button.addEventListener("click", function () { download(body).catch(function () { say(t.failed, "bad"); }); });
    bubble.appendChild(button);
    log.appendChild(el("div", "msg user", t.asked + (body.profile.industry || "")));
    log.appendChild(bubble);
    log.scrollTop = Math.max(0, bubble.offsetTop - 8);
  }

  function submit(event) {
    event.preventDefault();
    if (send.disabled) return;
    var fields = profile();
    if (fields === null) { say(t.bad, "bad"); return; }
    if (!Object.keys(fields).length) { say(t.empty, "bad"); return; }
    var body = {profile: fields, lang: lang};
    send.disabled = true;
    say(t.busy, "");
    post("/api/match/answer", body).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (reply) {
        if (!response.ok || !reply || typeof reply.html !== "string") { say(t.bad, "bad"); return; }
        document.body.dataset.profile = JSON.stringify(fields);
        say("", "");
        open(false);
        show(reply, body);
      });
    }).catch(function () { say(t.failed, "bad"); }).then(function () { send.disabled = false; });
  }

  function applyText() {
    $("zst-match-title").textContent = t.title;
    $("zst-match-hint").textContent = t.hint;
    $("zst-open-match").textContent = t.open;
    ["industry", "district", "investment", "land", "kwh", "jobs"].forEach(function (k) {
      $("zst-m-" + k + "-label").textContent = t[k];
    });
    $("zst-m-industry").placeholder = t.example;
    send.textContent = t.send;
    $("zst-match-back").textContent = t.back;
  }

  function setUp() {
    applyText();
    document.addEventListener("zst-lang", function (e) {
      lang = e.detail === "en" ? "en" : "zh";
      t = TEXT[lang];
      applyText();
    });
    $("zst-open-match").addEventListener("click", function (e) { e.preventDefault(); open(true); });
    $("zst-match-back").addEventListener("click", function () { open(false); });
    form.addEventListener("submit", submit);
  }

  setUp();
})();
