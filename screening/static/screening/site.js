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

  // Scan reports: the files chosen are listed, each with "Remove", before anything is sent; sending
  // shows its progress. Without this, the files go with the form and each is listed once it is attached.
  // A file's size as the page's language writes it: "850 KB", "2,4 MB" in Spanish
  function fileSize(bytes) {
    var number = new Intl.NumberFormat(document.documentElement.lang || undefined, {
      maximumFractionDigits: 1
    });
    return bytes < 1048576
      ? number.format(Math.max(1, Math.round(bytes / 1024))) + " KB"
      : number.format(bytes / 1048576) + " MB";
  }
  function chosenList(input) {
    var box = input.parentNode.querySelector(".fc-file-chosen");
    if (!box) {
      box = document.createElement("ul");
      box.className = "fc-file-list fc-file-chosen";
      input.insertAdjacentElement("afterend", box);
    }
    box.textContent = "";
    Array.prototype.forEach.call(input.files, function (file, index) {
      var item = document.createElement("li");
      item.className = "fc-file-list__item";
      var name = document.createElement("span");
      name.className = "fc-file-list__name";
      name.textContent = file.name + " (" + fileSize(file.size) + ")";
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "btn btn-link p-0 fc-file-list__remove";
      remove.textContent = input.getAttribute("data-remove-text") + " ";
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = file.name;
      remove.appendChild(hidden);
      remove.addEventListener("click", function () {
        var kept = new DataTransfer();
        Array.prototype.forEach.call(input.files, function (other, n) {
          if (n !== index) { kept.items.add(other); }
        });
        input.files = kept.files;
        chosenList(input);
        input.focus();
      });
      item.appendChild(name);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(remove);
      box.appendChild(item);
    });
  }
  function reportFiles(form) {
    var inputs = form.querySelectorAll("input[type=file][data-remove-text]");
    var status = document.getElementById("fc-upload-status");
    if (!inputs.length || !status || !window.XMLHttpRequest || !window.DataTransfer) { return; }
    inputs.forEach(function (input) {
      input.addEventListener("change", function () { chosenList(input); });
    });
    var pressed = null;
    form.addEventListener("click", function (event) {
      var button = event.target.closest("button[type=submit]");
      if (button) { pressed = button; }
    });
    form.addEventListener("submit", function (event) {
      var sending = Array.prototype.some.call(inputs, function (input) { return input.files.length; });
      if (!sending || event.defaultPrevented) { return; }
      event.preventDefault();
      var data = new FormData(form);
      if (pressed && pressed.name) { data.append(pressed.name, pressed.value); }
      var bar = status.querySelector("progress");
      status.hidden = false;
      form.querySelectorAll("button").forEach(function (button) { button.disabled = true; });
      // The form's own address ("form.action" would be its buttons named "action")
      var address = form.getAttribute("action") || window.location.href;
      var request = new XMLHttpRequest();
      request.open("POST", address);
      request.upload.addEventListener("progress", function (progress) {
        if (progress.lengthComputable) {
          bar.value = Math.round((progress.loaded / progress.total) * 100);
          bar.textContent = bar.value + "%";
        }
      });
      request.addEventListener("load", function () {
        var here = new URL(address, window.location.href);
        var landed = new URL(request.responseURL);
        if (landed.pathname !== here.pathname) {
          window.location.assign(request.responseURL);  // saved: on to the next page
          return;
        }
        // Shown again (errors, a limit, a file removed): the answer, with the files attached so far
        var page = new DOMParser().parseFromString(request.responseText, "text/html");
        document.title = page.title;
        document.querySelector("main").replaceWith(page.querySelector("main"));
        setUp();
      });
      request.addEventListener("error", function () {
        form.querySelectorAll("button").forEach(function (button) { button.disabled = false; });
        status.querySelector("[data-failed]").hidden = false;
      });
      request.send(data);
    });
  }

  function setUp() {
    focusSummary();
    var form = document.getElementById("intake-form");
    if (!form) { return; }
    updateReveals(form);
    form.addEventListener("change", function () { updateReveals(form); });
    exclusiveCheckboxes(form);
    saveOnBack(form);
    reportFiles(form);
  }

  document.addEventListener("DOMContentLoaded", function () {
    idleWarning();
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    setUp();
  });
})();
