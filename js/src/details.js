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

// The arguments as "option value" groups that a line break never splits (it may fall between groups).
export function argumentGroups(args) {
  const groups = [];
  for (const arg of args || []) {
    const text = String(arg);
    const previous = groups[groups.length - 1];
    const isOption = text.startsWith("-") && !/^-\d/.test(text);
    if (previous && !isOption && previous.length === 1 && previous[0].startsWith("-") && !/^-\d/.test(previous[0])) previous.push(text);
    else groups.push([text]);
  }
  return groups.map((g) => g.join(" "));
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
        h("button", { dataset: { testid: "close-details" }, onclick: () => { el.style.display = "none"; current = null; onClose(); } }, "Close")),
      details.error ? h("pre", { className: "hdnb-error" }, details.error) : null,
      details.termination ? h("div", { className: "hdnb-note" }, `Stopped by ${details.termination.policy} at interval ${details.termination.interval}: ${details.termination.reason}`) : null,
      h("div", { dataset: { testid: "run-arguments" } }, h("b", {}, "Arguments: "),
        argumentGroups(details.arguments).flatMap((g) => [h("code", { className: "hdnb-arg" }, g), " "])),
      h("table", { className: "hdnb-table" }, h("tbody", {}, metrics.map(([name, value]) => h("tr", {}, h("th", {}, name), h("td", {}, metricCell(value)))))),
      details.files?.length ? h("div", {}, h("b", {}, "Files: "), details.files.join(", ")) : null,
      h("pre", { className: "hdnb-log", dataset: { testid: "run-log-tail" } },
        details.log || (isTerminal(details.status) ? "(the run printed nothing)" : "(no output yet)")));
    const log = el.querySelector(".hdnb-log");
    log.scrollTop = log.scrollHeight;  // the tail's end is what matters
  }

  return {
    show,
    shownId: () => current?.id,
    message(text) { if (current) el.prepend(h("div", { className: "hdnb-note" }, text)); },
  };
}
