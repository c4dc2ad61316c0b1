/* The rule editor (Django admin, rules (draft) change page): for each condition, show the operators that fit
   the chosen question, its answers as checkboxes, a number with its unit, or a period, and hide the rest.
   Without this script every field shows and the server checks the same (screening/rules/forms.py). */
(function () {
  "use strict";
  let facts = {};
  const CHOICE_OPS = ["one_of", "none_of"];
  const NUMBER_OPS = ["less_than", "at_most", "greater_than", "at_least"];
  const NO_VALUE = ["is_yes", "is_no", "is_answered", "is_not_answered"];

  function row(block, name) {
    return block.querySelector(".field-" + name);
  }

  function valueKind(fact, op) {
    if (!fact || NO_VALUE.includes(op)) return "none";
    if (op === "within_last") return "period";
    if (CHOICE_OPS.includes(op)) return "choices";
    if (fact.type === "number" || NUMBER_OPS.includes(op)) return "number";
    return "choices";
  }

  function setOps(block, fact) {
    const select = block.querySelector("select[name$='-op']");
    if (!select || !fact) return;
    for (const option of select.options) {
      const fits = fact.ops.includes(option.value);
      option.hidden = !fits;
      option.disabled = !fits;
    }
    if (select.selectedOptions[0] && select.selectedOptions[0].disabled) {
      select.value = fact.ops[0];
    }
  }

  function setChoices(block, fact) {
    const container = row(block, "choices");
    const select = block.querySelector("select[name$='-fact']");
    if (!container || !select || !fact) return;
    const name = select.name.replace(/-fact$/, "-choices");
    const list = container.querySelector("div[id$='-choices'], ul[id$='-choices']") ||
      container.querySelector("input[name$='-choices']")?.closest("div[id], ul[id]");
    const ticked = new Set(
      Array.from(container.querySelectorAll("input[type=checkbox]:checked")).map((box) => box.value)
    );
    const holder = document.createElement("div");
    holder.id = "id_" + name;
    fact.choices.forEach(([code, label], n) => {
      const wrap = document.createElement("div");
      const input = document.createElement("input");
      input.type = "checkbox";
      input.name = name;
      input.value = code;
      input.id = "id_" + name + "_" + n;
      input.checked = ticked.has(code);
      const text = document.createElement("label");
      text.htmlFor = input.id;
      text.textContent = " " + label;
      text.prepend(input);
      wrap.append(text);
      holder.append(wrap);
    });
    if (list) {
      list.replaceWith(holder);
    } else {
      container.querySelector(".flex-container, div")?.append(holder);
    }
  }

  function setUnit(block, fact) {
    const label = row(block, "number")?.querySelector("label");
    if (label && fact) label.textContent = fact.unit ? "Number (" + fact.unit + "):" : "Number:";
  }

  function show(block) {
    const fact = facts[block.querySelector("select[name$='-fact']")?.value];
    const op = block.querySelector("select[name$='-op']")?.value;
    const kind = valueKind(fact, op);
    const visible = {
      choices: kind === "choices",
      number: kind === "number",
      period_amount: kind === "period",
      period_unit: kind === "period",
    };
    for (const [name, on] of Object.entries(visible)) {
      const field = row(block, name);
      if (field) field.style.display = on ? "" : "none";
    }
  }

  function prepare(block) {
    const factSelect = block.querySelector("select[name$='-fact']");
    const opSelect = block.querySelector("select[name$='-op']");
    if (!factSelect || !opSelect || block.dataset.editor) return;
    block.dataset.editor = "on";
    const initial = facts[factSelect.value];
    setOps(block, initial);
    setUnit(block, initial);
    show(block);
    factSelect.addEventListener("change", () => {
      const fact = facts[factSelect.value];
      setOps(block, fact);
      setChoices(block, fact);
      setUnit(block, fact);
      show(block);
    });
    opSelect.addEventListener("change", () => show(block));
  }

  function prepareAll() {
    const source = document.getElementById("rule-editor-data");
    if (!source) return;
    facts = JSON.parse(source.textContent);
    // Not Django's hidden template row: "Add another" copies it without this script's handlers.
    document.querySelectorAll(".inline-related:not(.empty-form)").forEach(prepare);
  }

  document.addEventListener("formset:added", (event) => prepare(event.target));
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", prepareAll);
  } else {
    prepareAll();
  }
})();
