// Keyboard of the agent screen: Enter = next call, 1–8 = pick an outcome, Esc = release the call.
(function () {
  "use strict";

  function submit(id) {
    var form = document.getElementById(id);
    if (!form) return false;
    form.requestSubmit();
    return true;
  }

  // Show only the inputs of the chosen outcome (the note is always there).
  function showFieldsOf(kind) {
    document.querySelectorAll(".outcome-field").forEach(function (p) {
      var kinds = p.dataset.kinds;
      p.hidden = Boolean(kinds) && kinds.split(" ").indexOf(kind) === -1;
    });
  }

  function checkedKind() {
    var checked = document.querySelector("input[name=kind]:checked");
    return checked ? checked.value : "";
  }

  document.addEventListener("change", function (event) {
    if (event.target.name === "kind") showFieldsOf(event.target.value);
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target.matches("input, textarea, select") &&
      !target.matches("[type=radio], [type=checkbox]");
    if (event.key === "Escape") {
      if (typing) { target.blur(); return; }
      if (submit("release-form")) event.preventDefault();
      return;
    }
    if (typing || event.ctrlKey || event.altKey || event.metaKey) return;
    if (event.key === "Enter" && target.tagName !== "BUTTON" && target.tagName !== "A") {
      if (submit("next-call-form")) event.preventDefault();
      return;
    }
    if (/^[1-9]$/.test(event.key)) {
      var radio = document.querySelector('input[name=kind][data-key="' + event.key + '"]');
      if (!radio) return;
      event.preventDefault();
      radio.checked = true;
      radio.focus();
      showFieldsOf(radio.value);
      var first = document.querySelector(".outcome-field:not([hidden]) input, .outcome-field:not([hidden]) select");
      if (first && first.type !== "checkbox") first.focus();
    }
  });

  function tick() {
    document.querySelectorAll("[data-call-started]").forEach(function (el) {
      var seconds = Math.max(0, Math.floor((Date.now() - Date.parse(el.dataset.callStarted)) / 1000));
      el.textContent = Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.documentElement.dataset.agentKeys = "ready";  // tests wait for the keys to work
    if (document.getElementById("outcome-form")) showFieldsOf(checkedKind());
    tick();
    setInterval(tick, 1000);
  });
})();
