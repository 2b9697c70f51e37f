/* The widget's lead form (/embed): "contact me" and the hand-over link open it inside the panel instead of a new
 * tab. It posts to /api/leads on this origin with the panel's conversation id (so staff see the lead with its
 * conversation) and the version of the consent line it showed. A refused field is named under the field, in
 * the panel's language; what was typed stays, so nothing is lost. Text only ever goes through textContent. */
(function () {
  "use strict";
  var TEXT = {
    zh: {
      title: "联系我（项目管家回访）", name: "姓名 *", company: "公司", phone: "手机或座机（与邮箱二选一）",
      email: "邮箱", send: "提交", back: "返回对话", sending: "正在提交…",
      ok: "✓ 已收到（编号 {id}），项目管家将尽快与您联系。", failed: "抱歉，提交失败，请稍后再试。您填写的内容仍在表单中。",
      errors: {
        name: "请填写姓名", phone: "请填写正确的手机号（1xxxxxxxxxx）或座机号（0851-xxxxxxxx）",
        email: "请填写正确的邮箱地址", contact: "请填写手机/座机或邮箱", consent_version: "说明已更新，请刷新页面后重新提交",
        company: "公司名称过长"
      }
    },
    en: {
      title: "Contact me (a project manager will call back)", name: "Name *", company: "Company",
      phone: "Phone (or email)", email: "Email", send: "Submit", back: "Back to the chat", sending: "Sending…",
      ok: "✓ Received (no. {id}). A project manager will contact you soon.",
      failed: "Sorry, the form could not be sent; please try again. What you typed is still here.",
      errors: {
        name: "Please give your name", phone: "Please give a mainland mobile (1xxxxxxxxxx) or landline (0851-xxxxxxxx)",
        email: "Please give a valid email address", contact: "Please give a phone number or an email address",
        consent_version: "This notice has changed: reload the page and send again", company: "The company name is too long"
      }
    }
  };
  var FIELDS = ["name", "company", "phone", "email"];
  // The panel's language as embed.js (loaded first) set it; it may switch to English after an answer.
  var lang = document.body.dataset.lang === "en" ? "en" : "zh";
  var t = TEXT[lang];
  var $ = function (id) { return document.getElementById(id); };
  var section = $("zst-lead"), form = $("zst-lead-form"), status = $("zst-lead-status"), send = $("zst-lead-send");
  var consent = $("zst-consent");
  if (!section || !form) return;

  function input(name) { return $("zst-lead-" + name); }

  function showError(name, message) {
    var box = $("zst-lead-" + name + "-error");
    if (!box) return;
    box.textContent = message || "";
    box.hidden = !message;
    input(name).setAttribute("aria-invalid", message ? "true" : "false");
  }

  function say(message, kind) {
    status.textContent = message;
    status.className = "lead-status " + (kind || "");
    status.hidden = !message;
  }

  function open(show) {
    section.hidden = !show;
    document.body.classList.toggle("lead-open", show);
    if (show) input("name").focus();
  }

  function errorsOf(body) {
    // FastAPI's shape: {"detail": [{"loc": ["body", field], "msg", "type"}]}; a missing phone AND email is the
    // "contact" error (both fields named with type "missing").
    var out = {}, detail = body && body.detail;
    if (!Array.isArray(detail)) return out;
    detail.forEach(function (e) {
      var field = Array.isArray(e.loc) ? String(e.loc[e.loc.length - 1]) : "";
      if (e.type === "missing" && (field === "phone" || field === "email")) out.phone = out.email = t.errors.contact;
      else if (t.errors[field]) out[field] = t.errors[field];
      else out[""] = String(e.msg || "");
    });
    return out;
  }

  function submit(event) {
    event.preventDefault();
    if (send.disabled) return;
    FIELDS.forEach(function (f) { showError(f, ""); });
    var lead = {consent_version: consent.dataset.version || ""};
    FIELDS.forEach(function (f) { lead[f] = input(f).value.trim(); });
    var session = document.body.dataset.session || "";
    if (session) lead.session_id = session;
    if (document.body.dataset.profile) {  // the policy match run in this panel: its brief goes with the lead
      try { lead.profile = JSON.parse(document.body.dataset.profile); lead.profile_lang = lang; } catch (e) { /* none */ }
    }
    send.disabled = true;
    say(t.sending, "");
    fetch("/api/leads", {method: "POST", headers: {"Content-Type": "application/json"},
                         body: JSON.stringify(lead), credentials: "same-origin"})
      .then(function (response) {
        return response.json().catch(function () { return null; }).then(function (body) {
          if (response.ok && body && body.id) {
            FIELDS.forEach(function (f) { input(f).value = ""; });
            say(t.ok.replace("{id}", body.id), "ok");
            return;
          }
          var errors = errorsOf(body), named = false;
          FIELDS.concat(["consent_version"]).forEach(function (f) {
            if (errors[f] && f !== "consent_version") { showError(f, errors[f]); named = true; }
          });
          say(errors.consent_version || errors[""] || (named ? "" : t.failed), "bad");
          var first = FIELDS.filter(function (f) { return errors[f]; })[0];
          if (first) input(first).focus();
        });
      })
      .catch(function () { say(t.failed, "bad"); })
      .then(function () { send.disabled = false; });
  }

  function applyText() {
    $("zst-lead-title").textContent = t.title;
    FIELDS.forEach(function (f) { $("zst-lead-" + f + "-label").textContent = t[f]; });
    send.textContent = t.send;
    $("zst-lead-back").textContent = t.back;
    consent.textContent = (lang === "en" ? consent.dataset.en : consent.dataset.zh) || consent.textContent;
  }

  function setUp() {
    applyText();
    document.addEventListener("zst-lang", function (e) {
      lang = e.detail === "en" ? "en" : "zh";
      t = TEXT[lang];
      applyText();
    });
    document.addEventListener("click", function (e) {
      var link = e.target && e.target.closest ? e.target.closest("a.zst-open-lead") : null;
      if (!link) return;
      e.preventDefault();
      open(true);
    });
    $("zst-lead-back").addEventListener("click", function () { open(false); });
    form.addEventListener("submit", submit);
  }

  setUp();
})();
