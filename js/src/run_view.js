// The view of a single run: status, properties, metrics (scalars as a table, series as charts), live log.
import { fill, h, fmt, fmtDuration, statusClass, throttle } from "./dom.js";
import { isTerminal, serverNow } from "./state.js";
import { chartColors, followTheme, themed } from "./theme.js";

export function createRunView(root, { Plotly, send }) {
  const head = h("div", { className: "hdnb-header" });
  const props = h("table", { className: "hdnb-table", dataset: { testid: "run-properties" } });
  const scalars = h("table", { className: "hdnb-table", dataset: { testid: "run-metrics" } });
  const charts = h("div", { className: "hdnb-charts", dataset: { testid: "series-charts" } });
  const log = h("pre", { className: "hdnb-log", dataset: { testid: "run-log" } });
  root.append(head, h("div", { className: "hdnb-columns" },
    h("div", { className: "hdnb-col" }, h("b", {}, "Properties"), props, h("b", {}, "Metrics"), scalars),
    h("div", { className: "hdnb-col" }, charts)), h("b", {}, "Log"), log);
  const plots = new Map();
  let state = null;
  const stopTheme = followTheme(root, () => { if (state) drawCharts(); });

  function drawHead() {
    const run = state.run;
    const start = run.start ? Date.parse(run.start) / 1000 : null;
    const end = run.end ? Date.parse(run.end) / 1000 : null;
    fill(head, h("div", { className: "hdnb-title" },
      h("span", { className: statusClass(run.status), dataset: { testid: "run-status" } }, run.status),
      h("span", { className: "hdnb-runid" }, run.id), h("span", { className: "hdnb-meta" }, run.type),
      h("span", {}, " Elapsed ", h("b", {}, start ? fmtDuration((end ?? serverNow(state)) - start) : "")),
      !isTerminal(run.status) && h("button", { className: "hdnb-danger", onclick: () => {
        if (window.confirm(`Cancel run ${run.id}?`)) send({ type: "cancel", run_id: run.id });
      } }, "Cancel run")),
      run.error ? h("pre", { className: "hdnb-error" }, run.error) : null);
  }

  const drawCharts = throttle(() => {
    for (const [name, values] of Object.entries(state.series)) {
      if (values.length < 2) continue;
      let div = plots.get(name);
      if (!div) { div = h("div", { className: "hdnb-small-plot" }); plots.set(name, div); charts.append(div); }
      Plotly.react(div, [{ type: "scatter", mode: "lines", y: values, name }],
        themed({ title: { text: name }, height: 200, margin: { l: 40, r: 10, t: 30, b: 25 } }, chartColors(div)), { displayModeBar: false, responsive: true });
    }
  }, 700);

  return {
    update(next) {
      state = next;
      drawHead();
      const run = state.run;
      fill(props, h("tbody", {},
        [["Run Id", run.id], ["Status", run.status], ["Started", run.start], ["Ended", run.end],
          ["Arguments", (run.arguments || []).join(" ")],
          ...Object.entries(run.tags || {}).map(([k, v]) => [`tag ${k}`, v]),
          ...Object.entries(run.properties || {}).map(([k, v]) => [k, v])]
          .map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, fmt(v))))));
      const items = [...Object.entries(state.others),
        ...Object.entries(state.series).filter(([, v]) => v.length === 1).map(([k, v]) => [k, v[0]]),
        ...Object.entries(state.series).filter(([, v]) => v.length > 1).map(([k, v]) => [k, `${v.length} values, last ${fmt(v[v.length - 1])}`])];
      fill(scalars, h("tbody", {}, items.map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, fmt(v))))));
      log.textContent = state.log;
      log.scrollTop = log.scrollHeight;
      drawCharts();
    },
    redraw() { if (state) drawCharts(); },
    tick(current) { state = current; drawHead(); },
    showDetails() {},
    cancelResult() {},
    destroy() { stopTheme(); for (const div of plots.values()) Plotly.purge(div); },
  };
}
