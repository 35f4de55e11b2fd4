// The report form at the desk: autosave, and evidence rows only for the stages ticked.
// Everything here enhances a form that works without it.
(function () {
  "use strict";

  function autosave(status) {
    var form = status.closest("form") || document.getElementById("report_form");
    if (!form) { return; }
    var url = status.dataset.url;
    var seconds = parseInt(status.dataset.seconds, 10) || 30;
    var fields = ["title", "summary", "body", "headline_override", "lead_image_alt",
      "lead_image_caption", "lead_image_credit", "seen_version"];
    for (var n = 1; n <= 10; n++) { fields.push("evidence_" + n, "source_" + n); }
    var lastSent = null;
    var busy = false;

    function say(text, kind) {
      status.textContent = text;
      status.dataset.state = kind || "";
    }

    function token() {
      var input = form.querySelector('input[name="csrfmiddlewaretoken"]');
      return input ? input.value : "";
    }

    function setToken(value) {
      if (!value) { return; }
      // The form's own token too: after signing in again the old one no longer works.
      document.querySelectorAll('input[name="csrfmiddlewaretoken"]').forEach(function (input) {
        input.value = value;
      });
    }

    function payload() {
      var data = new FormData();
      fields.forEach(function (name) {
        var field = form.elements.namedItem(name);
        if (field && typeof field.value === "string") { data.append(name, field.value); }
      });
      return data;
    }

    function snapshot(data) {
      var parts = [];
      data.forEach(function (value, name) { if (name !== "seen_version") { parts.push(name + "=" + value); } });
      return parts.join("\u0000");
    }

    function send(data, retried, leaving) {
      data.set("csrfmiddlewaretoken", token());
      return fetch(url, {
        method: "POST", body: data, credentials: "same-origin", redirect: "manual",
        // Leaving the page: let the request finish after the page is gone.
        keepalive: Boolean(leaving),
        headers: { "X-Requested-With": "fetch" }
      }).then(function (response) {
        if (response.type === "opaqueredirect" || response.status === 401) {
          say("Your session has ended. Sign in again in another tab; your text stays on this " +
            "page and is autosaved once you are back.", "expired");
          return false;
        }
        if (response.status === 403 && !retried) {
          // Signed in again elsewhere: fetch the new token, then try once more.
          return fetch(url, { credentials: "same-origin", redirect: "manual" })
            .then(function (fresh) { return fresh.ok ? fresh.json() : {}; })
            .then(function (answer) {
              if (!answer.csrf) {
                say("Your session has ended. Sign in again in another tab; your text stays " +
                  "on this page.", "expired");
                return false;
              }
              setToken(answer.csrf);
              return send(data, true);
            });
        }
        return response.json().then(function (answer) {
          setToken(answer.csrf);
          if (response.status === 409) { say(answer.message, "conflict"); return true; }
          if (!response.ok) { say(answer.message || "Autosave failed.", "failed"); return false; }
          say("Autosaved at " + answer.saved_at + ". Nothing public has changed.", "saved");
          return true;
        });
      }).catch(function () {
        say("Autosave could not reach the server. Your text stays on this page; it is tried " +
          "again in " + seconds + " seconds.", "failed");
        return false;
      });
    }

    function save(leaving) {
      if (busy && !leaving) { return; }
      var data = payload();
      var now = snapshot(data);
      if (now === lastSent) { return; }
      busy = true;
      send(data, false, leaving).then(function (ok) {
        if (ok) { lastSent = now; }
        busy = false;
      });
    }

    lastSent = snapshot(payload());
    window.setInterval(function () { save(false); }, seconds * 1000);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { save(true); }
    });
    // A real save of the form makes the autosave unnecessary.
    form.addEventListener("submit", function () { lastSent = snapshot(payload()); });
  }

  function evidenceRows() {
    var boxes = document.querySelectorAll('.field-stages input[type="checkbox"]');
    if (!boxes.length) { return; }
    function update() {
      boxes.forEach(function (box) {
        var fields = document.querySelectorAll('[data-evidence-for="' + box.value + '"]');
        var empty = Array.prototype.every.call(fields, function (field) { return !field.value; });
        fields.forEach(function (field) {
          var row = field.closest(".form-row");
          if (row) { row.style.display = !box.checked && empty ? "none" : ""; }
        });
      });
    }
    boxes.forEach(function (box) { box.addEventListener("change", update); });
    update();
  }

  function start() {
    var status = document.getElementById("autosave-status");
    if (status) { autosave(status); }
    evidenceRows();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
