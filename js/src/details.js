// The details of one child run, opened by clicking its row: arguments, metrics, log tail, cancel.
import { fill, h, fmt, statusClass } from "./dom.js";
import { isTerminal } from "./state.js";

function metricCell(value) {
  if (Array.isArray(value)) {
    const numbers = value.filter((v) => typeof v === "number");
    return numbers.length === value.length && numbers.length
      ? `${numbers.length} values, last ${fmt(numbers[numbers.length - 1])}, min ${fmt(Math.min(...numbers))}, max ${fmt(Math.max(...numbers))}`
      : JSON.stringify(value).slice(0, 200);
  }
  if (value && typeof value === "object") return JSON.stringify(value).slice(0, 200);
  return fmt(value);
}

export function createDetails(root, { onCancel, onClose }) {
  const el = h("div", { className: "hdnb-details", dataset: { testid: "run-details" }, style: { display: "none" } });
  root.append(el);
  let current = null;

  function show(details) {
    current = details;
    el.style.display = "";
    const metrics = Object.entries(details.metrics || {});
    fill(el, 
      h("div", { className: "hdnb-title" },
        h("b", {}, `Run ${details.id} `), h("span", { className: statusClass(details.status) }, details.status),
        !isTerminal(details.status) && h("button", { className: "hdnb-danger", dataset: { testid: "cancel-run" }, onclick: () => onCancel(details.id) }, "Cancel run"),
        h("button", { onclick: () => { el.style.display = "none"; current = null; onClose(); } }, "Close")),
      details.error ? h("pre", { className: "hdnb-error" }, details.error) : null,
      details.termination ? h("div", { className: "hdnb-note" }, `Stopped by ${details.termination.policy} at interval ${details.termination.interval}: ${details.termination.reason}`) : null,
      h("div", {}, h("b", {}, "Arguments: "), h("code", {}, (details.arguments || []).join(" "))),
      h("table", { className: "hdnb-table" }, h("tbody", {}, metrics.map(([name, value]) => h("tr", {}, h("th", {}, name), h("td", {}, metricCell(value)))))),
      details.files?.length ? h("div", {}, h("b", {}, "Files: "), details.files.join(", ")) : null,
      h("pre", { className: "hdnb-log" }, details.log || "(no output yet)"));
  }

  return {
    show,
    shownId: () => current?.id,
    message(text) { if (current) el.prepend(h("div", { className: "hdnb-note" }, text)); },
  };
}
