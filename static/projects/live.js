/* Keqiao (科桥) live roadshow pages: the control room (staff of the host organisation) and the
   audience page (confirmed registrants). Vanilla JS, nothing fetched from elsewhere.

   The page carries one root element, #live, with data attributes written by projects/roadshows/views.py:
     data-mode        "control" | "audience"
     data-live-url    GET  /api/v1/roadshows/<id>/live/  (JSON state, ETag; 304 on If-None-Match)
     data-endpoints   id of a <script type="application/json"> holding {name: url}; question
                      urls contain the placeholder "{qid}" (see _API_ROUTES in projects/roadshows/views.py)
     data-strings     id of a <script type="application/json"> with the translated UI strings
     data-initial     id of a <script type="application/json"> with the state at page render

   Polling: one request about every second (POLL_MS), sent with If-None-Match; a 200 replaces
   the rendered state, a 304 changes nothing. Several server processes can serve the page since
   the state lives in the database. After the viewer's own action the page polls at once.

   Writes use fetch with the CSRF token from the "csrftoken" cookie (Django's default name) and
   show the API's error shape {"message", "code", "fields"} in the page's status line. */
(function () {
  "use strict";

  var POLL_MS = 1000;
  var root = document.getElementById("live");
  if (!root) { return; }

  function jsonFrom(id) {
    var el = id && document.getElementById(id);
    if (!el) { return {}; }
    try { return JSON.parse(el.textContent || "{}"); } catch (e) { return {}; }
  }

  var mode = root.getAttribute("data-mode");
  var liveUrl = root.getAttribute("data-live-url");
  var endpoints = jsonFrom(root.getAttribute("data-endpoints"));
  var t = jsonFrom(root.getAttribute("data-strings"));
  var state = null;
  var etag = null;
  var timer = null;
  var inFlight = false;
  var lastSlotId = null;
  var syncedJump = null;
  /* Slot ids the viewer has expressed interest in (audience page: data-intents names a JSON
     list rendered by the server); the intent button shows its pressed state for them. */
  var intentSlots = {};

  function noop() {}

  function s(key, fallback) { return t[key] || fallback || key; }
  var colon = s("colon", ": ");
  var ownIntents = jsonFrom(root.getAttribute("data-intents"));
  if (Array.isArray(ownIntents)) {
    ownIntents.forEach(function (id) { intentSlots[String(id)] = true; });
  }

  function $(sel) { return root.querySelector(sel); }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; }
      else if (k === "className") { node.className = attrs[k]; }
      else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { node.appendChild(c); } });
    return node;
  }

  function getCookie(name) {
    var parts = document.cookie ? document.cookie.split(";") : [];
    for (var i = 0; i < parts.length; i++) {
      var p = parts[i].trim();
      if (p.substring(0, name.length + 1) === name + "=") {
        return decodeURIComponent(p.substring(name.length + 1));
      }
    }
    return "";
  }

  function csrfToken() {
    var fromCookie = getCookie("csrftoken");
    if (fromCookie) { return fromCookie; }
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function url(name, qid) {
    var u = endpoints[name];
    if (!u) { return null; }
    return qid === undefined ? u : u.replace("{qid}", encodeURIComponent(qid));
  }

  function setNotice(text, kind) {
    var n = $("[data-live=notice]");
    if (!n) { return; }
    n.textContent = text || "";
    n.className = "live-notice" + (kind ? " " + kind : "");
  }

  function errorText(data) {
    if (!data) { return s("error", "Something went wrong."); }
    var parts = [];
    if (data.message) { parts.push(data.message); }
    if (data.fields) {
      Object.keys(data.fields).forEach(function (k) {
        var v = data.fields[k];
        parts.push(Array.isArray(v) ? v.join(" ") : String(v));
      });
    }
    if (!parts.length && data.detail) { parts.push(data.detail); }
    return parts.join(" ") || s("error", "Something went wrong.");
  }

  /* POST JSON to an endpoint; resolves with the parsed body, rejects with the error text. */
  function post(endpoint, body) {
    if (!endpoint) { return Promise.reject(s("error", "Something went wrong.")); }
    return fetch(endpoint, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": csrfToken()
      },
      body: JSON.stringify(body || {})
    }).then(function (resp) {
      return resp.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        if (!resp.ok) { throw errorText(data); }
        return data;
      });
    });
  }

  function act(endpoint, body, okText) {
    setNotice(s("working", "…"), "");
    return post(endpoint, body).then(function (data) {
      setNotice(okText || "", "ok");
      // Control actions answer with the new live state: show it at once.
      if (data && data.status && typeof data.version === "number") { render(data); }
      pollNow();
      return data;
    }, function (err) {
      setNotice(String(err), "bad");
      throw err;
    });
  }

  /* ---- rendering ----------------------------------------------------------------------- */

  /* The card of a slot; `compact` (the next slot) shows the kicker and title only. */
  function listingCard(slot, heading, compact) {
    var box = el("div", { className: "live-card" });
    if (!slot) {
      box.appendChild(el("p", { className: "muted", text: s("none", "—") }));
      return box;
    }
    var listing = slot.listing || slot;
    var kind = listing.type === "need" ? s("type_need", "Technology need")
      : s("type_result", "Research result");
    var head = el("p", { className: "live-kicker small muted" });
    head.textContent = heading + " · " + (slot.order !== undefined && slot.order !== null
      ? s("slot_no", "No. %(order)s").replace("%(order)s", slot.order) + " · " : "") + kind;
    box.appendChild(head);
    var title = listing.title || slot.title || "";
    var h = el("h2", { className: "live-title", "data-live": heading === s("now", "Now presenting") ? "current-title" : "next-title" });
    if (listing.url) {
      h.appendChild(el("a", { href: listing.url, text: title, target: "_blank", rel: "noopener" }));
    } else {
      h.textContent = title;
    }
    box.appendChild(h);
    if (compact) { return box; }
    if (listing.title_en) {
      box.appendChild(el("p", { className: "muted small", lang: "en", text: listing.title_en }));
    }
    var chips = el("ul", { className: "chips" });
    if (listing.field) {
      chips.appendChild(el("li", { className: "chip", text: listing.field_label || listing.field }));
    }
    if (listing.trl) {
      chips.appendChild(el("li", { className: "chip", text: s("trl", "TRL") + " " + listing.trl }));
    }
    if (chips.childNodes.length) { box.appendChild(chips); }
    if (listing.owner) {
      box.appendChild(el("p", { className: "small", text: s("owner", "Owner") + colon + listing.owner }));
    }
    if (listing.summary) {
      box.appendChild(el("p", { className: "live-summary", text: listing.summary }));
    }
    return box;
  }

  function renderStatus(st) {
    var badge = $("[data-live=status]");
    if (badge) {
      badge.textContent = s("status_" + st.status, st.status);
      badge.className = "status live-status " + st.status;
    }
    root.setAttribute("data-status", st.status);
    root.setAttribute("data-version", String(st.version));
  }

  function renderSlots(st) {
    var cur = $("[data-live=current]");
    if (cur) {
      cur.textContent = "";
      if (st.status === "ended") {
        cur.appendChild(el("p", { className: "live-ended", text: s("ended_text", "The roadshow has ended. Thank you!") }));
      } else if (!st.current_slot) {
        cur.appendChild(el("p", { className: "muted", text: s("waiting", "The roadshow has not started yet.") }));
      } else {
        cur.appendChild(listingCard(st.current_slot, s("now", "Now presenting")));
      }
    }
    var next = $("[data-live=next]");
    if (next) {
      next.textContent = "";
      if (st.next_slot) { next.appendChild(listingCard(st.next_slot, s("up_next", "Up next"), true)); }
      var box = $("[data-live=next-box]");
      if (box) { box.hidden = !st.next_slot; }
    }
    var slotId = st.current_slot ? st.current_slot.id : null;
    if (slotId !== lastSlotId) {
      lastSlotId = slotId;
      resetIntent();
    }
    // Control room: highlight the agenda row and keep the jump select on the current slot.
    root.querySelectorAll("[data-slot-row]").forEach(function (row) {
      var isCur = String(row.getAttribute("data-slot-row")) === String(slotId);
      row.classList.toggle("current", isCur);
      if (isCur) { row.setAttribute("aria-current", "true"); } else { row.removeAttribute("aria-current"); }
    });
  }

  function questionItem(q) {
    var li = el("li", { className: "live-question" + (q.answered ? " answered" : ""), "data-question": String(q.id) });
    li.appendChild(el("p", { className: "q-text", text: q.text }));
    var meta = el("div", { className: "q-meta small" });
    var votes = el("span", { className: "q-votes", text: s("votes", "Votes") + colon + q.votes });
    meta.appendChild(votes);
    // Upvotes while the roadshow is live; after the end the questions stay readable only.
    if (mode === "audience" && !q.answered && state && state.status === "live") {
      meta.appendChild(el("button", { type: "button", className: "secondary small-btn", "data-action": "upvote", "data-qid": String(q.id), text: "▲ " + s("upvote", "Upvote") }));
    }
    if (mode === "control") {
      meta.appendChild(el("button", { type: "button", className: "danger small-btn", "data-action": "hide", "data-qid": String(q.id), text: s("hide", "Hide") }));
    }
    li.appendChild(meta);
    if (q.answered || q.answer) {
      li.appendChild(el("p", { className: "q-answer", text: s("answer", "Answer") + colon + (q.answer || s("answered", "Answered")) }));
    }
    if (mode === "control" && !q.answered) {
      var form = el("form", { className: "q-answer-form", "data-action": "answer", "data-qid": String(q.id) });
      var input = el("input", { type: "text", name: "answer", maxlength: "2000", "aria-label": s("answer", "Answer"), placeholder: s("answer_placeholder", "Answer (optional)") });
      form.appendChild(input);
      form.appendChild(el("button", { type: "submit", className: "ok small-btn", text: s("mark_answered", "Mark answered") }));
      li.appendChild(form);
    }
    return li;
  }

  function renderQuestions(st) {
    var list = $("[data-live=questions]");
    if (list) {
      // Keep a half-typed answer across re-renders (the control room re-renders on each change).
      var drafts = {};
      list.querySelectorAll("form[data-action=answer]").forEach(function (f) {
        var v = f.querySelector("input[name=answer]").value;
        if (v) { drafts[f.getAttribute("data-qid")] = v; }
      });
      var focusedQid = document.activeElement && document.activeElement.closest
        && document.activeElement.closest("form[data-action=answer]")
        ? document.activeElement.closest("form[data-action=answer]").getAttribute("data-qid") : null;
      list.textContent = "";
      (st.questions || []).forEach(function (q) {
        var item = questionItem(q);
        var f = item.querySelector("form[data-action=answer]");
        if (f && drafts[String(q.id)]) { f.querySelector("input[name=answer]").value = drafts[String(q.id)]; }
        list.appendChild(item);
        if (f && focusedQid === String(q.id)) { f.querySelector("input[name=answer]").focus(); }
      });
      if (!(st.questions || []).length) {
        list.appendChild(el("li", { className: "muted small", text: s("no_questions", "No questions yet.") }));
      }
    }
    var state = $("[data-live=questions-state]");
    if (state) {
      state.textContent = st.questions_open ? s("questions_open", "Questions are open.")
        : s("questions_closed", "Questions are closed.");
    }
    var ask = $("form[data-action=ask]");
    if (ask) {
      var canAsk = st.questions_open && st.status === "live" && !!st.current_slot;
      ask.hidden = !canAsk;
    }
  }

  function renderControls(st) {
    if (mode !== "control") { return; }
    function enable(action, on) {
      root.querySelectorAll("[data-action=" + action + "]").forEach(function (b) { b.disabled = !on; });
    }
    var live = st.status === "live";
    enable("go-live", st.status === "scheduled");
    enable("end", live);
    enable("next", live && !!st.next_slot);
    enable("previous", live && !!st.current_slot);
    enable("jump", live);
    enable("questions-open", live && !!st.current_slot && !st.questions_open);
    enable("questions-close", live && !!st.current_slot && st.questions_open);
    // Follow the current slot only when it changes, so a pick in progress is kept.
    var sel = $("select[data-live=jump-select]");
    var cur = st.current_slot ? String(st.current_slot.id) : null;
    if (sel && cur && cur !== syncedJump && document.activeElement !== sel) {
      sel.value = cur;
      syncedJump = cur;
    }
  }

  function renderAudience(st) {
    if (mode !== "audience") { return; }
    var intent = $("[data-live=intent]");
    if (intent) { intent.hidden = !(st.status === "live" && st.current_slot); }
  }

  function render(st) {
    state = st;
    renderStatus(st);
    renderSlots(st);
    renderQuestions(st);
    renderControls(st);
    renderAudience(st);
  }

  /* ---- polling ------------------------------------------------------------------------- */

  function schedule(ms) {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(poll, ms);
  }

  function poll() {
    timer = null;
    if (inFlight) { return; }
    inFlight = true;
    var headers = { "Accept": "application/json" };
    if (etag) { headers["If-None-Match"] = etag; }
    fetch(liveUrl, { credentials: "same-origin", cache: "no-store", headers: headers })
      .then(function (resp) {
        if (resp.status === 304) { return null; }
        if (!resp.ok) { throw resp.status; }
        var tag = resp.headers.get("ETag");
        return resp.json().then(function (data) {
          etag = tag;
          render(data);
          root.classList.remove("offline");
        });
      })
      .catch(function () { root.classList.add("offline"); })
      .then(function () {
        inFlight = false;
        schedule(POLL_MS);
      });
  }

  function pollNow() { if (!inFlight) { schedule(0); } }

  /* ---- intent and pre-filled match request -------------------------------------------- */

  /* The intent button as a toggle button (aria-pressed): pressed once the viewer has
     expressed interest in the project now presenting. Pressing it again is harmless (the
     intent is recorded once) and offers the introduction again. */
  function showIntentState(btn, pressed) {
    btn.setAttribute("aria-pressed", pressed ? "true" : "false");
    btn.classList.toggle("pressed", pressed);
    btn.textContent = "";
    if (pressed) { btn.appendChild(el("span", { "aria-hidden": "true", text: "✓ " })); }
    btn.appendChild(document.createTextNode(pressed ? s("intent_pressed", "Interest expressed")
      : s("intent", "I'm interested")));
  }

  function resetIntent() {
    var done = $("[data-live=intent-done]");
    if (done) { done.hidden = true; }
    var btn = $("[data-action=intent]");
    if (btn) {
      btn.disabled = false;
      showIntentState(btn, lastSlotId !== null && !!intentSlots[String(lastSlotId)]);
    }
  }

  /* After "I'm interested": offer the pre-filled match request the intent API returns
     (`match_request`: {payload: {research_result, technology_need, message}, listing:
     {type, id, title, url}}). A research result: a form posting the message to the matching
     app's request page (the user reviews it and sends). A technology need: a link to it, where
     the user proposes one of their results. */
  function showMatchOffer(slot, draft) {
    var done = $("[data-live=intent-done]");
    if (!done || !slot) { return; }
    var listing = (draft && draft.listing) || slot.listing || {};
    var payload = (draft && draft.payload) || {};
    var form = $("form[data-live=match-form]");
    var link = $("a[data-live=match-link]");
    var resultId = payload.research_result || (listing.type === "result" ? listing.id : null);
    var template = root.getAttribute("data-match-result-url") || "";
    if (resultId && form && template) {
      form.action = template.replace("/987654321/", "/" + encodeURIComponent(resultId) + "/");
      form.querySelector("textarea[name=message]").value = payload.message || "";
      form.hidden = false;
      if (link) { link.hidden = true; }
    } else if (link) {
      if (form) { form.hidden = true; }
      link.href = listing.url || "#";
      link.hidden = !listing.url;
    }
    done.hidden = false;
  }

  /* ---- events -------------------------------------------------------------------------- */

  root.addEventListener("click", function (ev) {
    var btn = ev.target.closest ? ev.target.closest("button[data-action]") : null;
    if (!btn || btn.type === "submit") { return; }
    var action = btn.getAttribute("data-action");
    var qid = btn.getAttribute("data-qid");
    if (action === "next" || action === "previous") {
      act(url("advance"), { to: action }).catch(noop);
    } else if (action === "jump") {
      var sel = $("select[data-live=jump-select]");
      if (sel && sel.value) { act(url("advance"), { to: parseInt(sel.value, 10) }).catch(noop); }
    } else if (action === "go-live") {
      act(url("go_live"), {}).catch(noop);
    } else if (action === "end") {
      if (window.confirm(s("confirm_end", "End the roadshow for everyone?"))) { act(url("end"), {}).catch(noop); }
    } else if (action === "questions-open") {
      act(url("questions_open"), {}).catch(noop);
    } else if (action === "questions-close") {
      act(url("questions_close"), {}).catch(noop);
    } else if (action === "hide") {
      act(url("hide", qid), { hidden: true }).catch(noop);
    } else if (action === "upvote") {
      btn.disabled = true;
      act(url("upvote", qid), {}).catch(function () { btn.disabled = false; });
    } else if (action === "intent") {
      var slot = state && state.current_slot;
      if (!slot) { return; }
      btn.disabled = true;
      act(url("intent"), { slot: slot.id }, "").then(function (data) {
        intentSlots[String(slot.id)] = true;
        btn.disabled = false;
        if (state && state.current_slot && state.current_slot.id === slot.id) {
          showIntentState(btn, true);
          showMatchOffer(slot, data && data.match_request);
        }
      }, function () { btn.disabled = false; });
    }
  });

  root.addEventListener("submit", function (ev) {
    var form = ev.target;
    var action = form.getAttribute("data-action");
    if (action === "ask") {
      ev.preventDefault();
      var ta = form.querySelector("[name=text]");
      var text = (ta.value || "").trim();
      if (!text) { return; }
      act(url("ask"), { text: text }, s("asked", "Your question was sent.")).then(function () { ta.value = ""; }, noop);
    } else if (action === "answer") {
      ev.preventDefault();
      var input = form.querySelector("[name=answer]");
      act(url("answer", form.getAttribute("data-qid")), { answer: (input.value || "").trim() }).catch(noop);
    }
    // The match-request form is an ordinary POST to the matching app's page.
  });

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { pollNow(); }
  });

  var initial = jsonFrom(root.getAttribute("data-initial"));
  if (initial && initial.status) { render(initial); }
  root.classList.add("js-live");
  poll();
})();
