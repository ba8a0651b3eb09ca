// The dashboard of a sweep: header, table, curves and hyperparameter charts, linked by the brush.
import { afterPaint, h, throttle } from "./dom.js";
import { createHeader } from "./header.js";
import { createTable } from "./table.js";
import { createCurves, createParams } from "./charts.js";
import { createDetails } from "./details.js";
import { createImportance } from "./importance.js";
import { followTheme } from "./theme.js";

const CHART_INTERVAL_MS = 700;

export function createSweepView(root, { Plotly, send }) {
  let state = null;
  const confirmCancel = (what, runId) => {
    if (window.confirm(`Cancel ${what}? Its processes are stopped; what it logged is kept.`)) send({ type: "cancel", run_id: runId });
  };
  const header = createHeader(root, { onCancelSweep: () => confirmCancel(`the whole sweep ${state.run.id}`, state.run.id) });
  let hideInherited = false;
  const inheritedToggle = h("input", { type: "checkbox", dataset: { testid: "hide-inherited" } });
  const inheritedNote = h("label", { className: "hdnb-toolbar", style: { display: "none" } }, inheritedToggle, "");
  inheritedToggle.addEventListener("change", () => { hideInherited = inheritedToggle.checked; update(state); });
  root.append(inheritedNote);
  // What the table and charts show: the sweep's own runs, plus the warm-start parents' unless hidden.
  const shown = (s) => (hideInherited ? { ...s, runs: s.runs.filter((r) => !r.inherited) } : s);
  const top = h("div", { className: "hdnb-columns" });
  root.append(top);
  const left = h("div", { className: "hdnb-col" });
  const right = h("div", { className: "hdnb-col" });
  top.append(left, right);
  const table = createTable(left, {
    onSelect: (runId) => send({ type: "details", run_id: runId }),
    onClearBrush: () => params.clearBrush(),
  });
  const details = createDetails(left, {
    onCancel: (runId) => confirmCancel(`run ${runId}`, runId),
    onClose: () => table.select(null),
  });
  const curves = createCurves(right, Plotly, { onMetric: (name) => { if (!state.streamed.includes(name)) send({ type: "metric", name }); } });
  const params = createParams(right, Plotly, {
    onBrush: (brushed) => { table.setBrush(brushed); curves.setBrush(brushed); },
  });
  const importance = createImportance(right, Plotly, { onCompute: () => send({ type: "importances" }) });
  let destroyed = false;
  // All charts again (plotly.js became ready, the theme changed): the curves first, the parameters chart after
  // they are painted, as drawCharts does.
  const redrawCharts = () => {
    curves.redraw();
    importance.redraw();
    afterPaint(() => { if (!destroyed) params.redraw(); });
  };
  const stopTheme = followTheme(root, () => { if (state) redrawCharts(); });
  // The parameters chart draws after the curves are on screen: two shorter tasks rather than one long one.
  const drawCharts = throttle(() => {
    curves.update(shown(state));
    afterPaint(() => { if (!destroyed) params.update(shown(state)); });
  }, CHART_INTERVAL_MS);

  function update(next) {
    state = next;
    const inherited = state.runs.filter((r) => r.inherited).length;
    inheritedNote.style.display = inherited ? "" : "none";
    inheritedNote.lastChild.textContent = ` hide the ${inherited} runs of earlier sweeps (warm start, marked ↩)`;
    header.update({ ...state, runs: state.runs.filter((r) => !r.inherited) });
    table.update(shown(state));
    drawCharts();
  }

  return {
    update(next) {
      update(next);
      const shown = details.shownId();
      const row = shown && state.rowsById.get(shown);
      if (row && row.__seenStatus !== row.status) { row.__seenStatus = row.status; send({ type: "details", run_id: shown }); }
    },
    redraw: redrawCharts,
    tick(current) { header.update({ ...current, runs: current.runs.filter((r) => !r.inherited) }); },
    showDetails(d) { details.show(d); },
    cancelResult(msg) {
      details.message(msg.ok ? `Cancel requested: ${msg.run_id} is ${msg.status}` : `Cancel failed: ${msg.message}`);
    },
    showImportances(message) { importance.show(message); },
    destroy() { destroyed = true; stopTheme(); curves.destroy(); params.destroy(); importance.destroy(); },
  };
}
