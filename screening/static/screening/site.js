// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Move focus to an error summary so screen readers announce it (GOV.UK error summary pattern).
  function focusSummary() {
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary) { summary.focus(); }
  }

  // Show a follow-up question only when the answer it depends on fits (the server decides anyway).
  function valuesOf(form, key) {
    return Array.prototype.filter.call(form.querySelectorAll("[name='" + key + "']"), function (el) {
      return (el.type === "radio" || el.type === "checkbox") ? el.checked : true;
    }).map(function (el) { return el.value; });
  }
  function holds(form, rule) {
    var values = valuesOf(form, rule.key);
    switch (rule.op) {
      case "eq": return values.indexOf(String(rule.value)) !== -1;
      case "in": return rule.value.some(function (v) { return values.indexOf(String(v)) !== -1; });
      case "contains": return values.indexOf(String(rule.value)) !== -1;
      case "contains_any": return rule.value.some(function (v) { return values.indexOf(String(v)) !== -1; });
      case "gte": return values.length > 0 && Number(values[0]) >= rule.value;
      case "lt": return values.length > 0 && Number(values[0]) < rule.value;
    }
    return true;
  }
  function updateReveals(form) {
    form.querySelectorAll("[data-show-if]").forEach(function (block) {
      var rules = JSON.parse(block.getAttribute("data-show-if"));
      block.hidden = !rules.every(function (rule) { return holds(form, rule); });
    });
  }

  // "No, none of these" unticks the others, and ticking another unticks it.
  function exclusiveCheckboxes(form) {
    form.addEventListener("change", function (event) {
      var box = event.target;
      if (box.type !== "checkbox" || !box.checked) { return; }
      var group = form.querySelectorAll("input[type=checkbox][name='" + box.name + "']");
      var exclusive = box.closest(".form-check").previousElementSibling;
      var isExclusive = exclusive && exclusive.classList.contains("fc-or");
      group.forEach(function (other) {
        if (other === box) { return; }
        var otherPrev = other.closest(".form-check").previousElementSibling;
        var otherExclusive = otherPrev && otherPrev.classList.contains("fc-or");
        if (isExclusive || otherExclusive) { other.checked = false; }
      });
    });
  }

  // The back link saves what was typed on this page before going back.
  function saveOnBack(form) {
    var back = document.querySelector("[data-save-back]");
    if (!back) { return; }
    var dirty = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    back.addEventListener("click", function (event) {
      if (!dirty) { return; }
      event.preventDefault();
      var action = document.createElement("input");
      action.type = "hidden"; action.name = "action"; action.value = "back";
      form.appendChild(action);
      form.submit();
    });
  }

  // Staff pages: warn before the idle sign-out, so a half-typed note can still be saved. "Stay signed
  // in" posts to the keep-alive URL (the server counts it as activity) without leaving the page.
  function idleWarning() {
    var box = document.getElementById("idle-warning");
    if (!box) { return; }
    var idle = Number(box.getAttribute("data-idle-seconds")) * 1000;
    var warn = Number(box.getAttribute("data-warn-seconds")) * 1000;
    var timer;
    function arm() {
      window.clearTimeout(timer);
      box.hidden = true;
      timer = window.setTimeout(function () {
        box.hidden = false;
        box.querySelector("button").focus();
      }, Math.max(idle - warn, 1000));
    }
    box.querySelector("[data-keep-alive]").addEventListener("submit", function (event) {
      event.preventDefault();
      var form = event.target;
      // Only a 204 means the session is alive: a session that has ended answers with a redirect to
      // the sign-in page, which must not be followed and taken for success.
      fetch(form.action, {
        method: "POST", body: new FormData(form), credentials: "same-origin", redirect: "manual"
      }).then(function (response) {
        if (response.status === 204) { arm(); } else { window.location.reload(); }
      });
    });
    arm();
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusSummary();
    idleWarning();
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    var form = document.getElementById("intake-form");
    if (!form) { return; }
    updateReveals(form);
    form.addEventListener("change", function () { updateReveals(form); });
    exclusiveCheckboxes(form);
    saveOnBack(form);
  });
})();
