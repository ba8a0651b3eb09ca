// Charts: per-run curves, 2-D and 3-D scatter (plotly), parallel coordinates (parcoords.js), linked by the brush.
import { fill, h, fmt } from "./dom.js";
import { createParcoords, insideRanges } from "./parcoords.js";
import { rankedRunIds } from "./state.js";
import { chartColors, themed } from "./theme.js";

const CONFIG = { displayModeBar: false, responsive: true };
const CHART_MIN_MS = 700;
const TOP = 5;
const LISTED = 50;

function numericParam(param, rows) {
  return !param.choices && rows.every((r) => r.params?.[param.key] == null || typeof r.params[param.key] === "number");
}

// One axis description per hyperparameter: numbers, or category indices with their labels as ticks.
// Log-scale hyperparameters are shown as log10 values on a plain numeric axis: plotly treats an axis
// with tickvals as ordinal and snaps brushes to its ticks, which would make such an axis unbrushable.
export function axisFor(param, rows) {
  if (numericParam(param, rows)) {
    if (param.log) return { label: `${param.key} (log10)`, log: true, raw: (r) => r.params[param.key], value: (r) => Math.log10(r.params[param.key]) };
    return { label: param.key, value: (r) => r.params[param.key] };
  }
  // The space's options, then any other value a run holds (e.g. a warm-start parent's).
  const labels = [...new Set([...(param.choices || []), ...rows.map((r) => r.params?.[param.key])].map((c) => String(c)))];
  return {
    label: param.key, categorical: true, value: (r) => labels.indexOf(String(r.params[param.key])),
    tickvals: labels.map((_, i) => i), ticktext: labels, range: [-0.5, labels.length - 0.5],
  };
}

const CUTOFF = "#c0392b";

export function curvesTitle(metric, primary) {
  return primary ? `${metric} per interval (primary metric)` : `${metric} per interval`;
}

// What the legend holds for ``count`` runs with a curve: the TOP best drawn, the next ones up to LISTED
// a click away in the legend (all of them drawn when ``all``).
export function legendText(count, all) {
  if (all || count <= TOP) return count === 1 ? "(1 run shown)" : `(${count} runs shown)`;
  const more = Math.min(count, LISTED) - TOP;
  const rest = count - TOP - more;
  return `(top ${TOP} shown, the next ${more} in the legend${rest > 0 ? `, ${rest} more with "all runs"` : ""})`;
}

// While a sweep streams, the curves grow by a few points a tick: those are appended (Plotly.extendTraces)
// as long as the same runs are drawn the same way; anything else (another metric, other runs in the legend
// or on top, the brush, the cutoff, the theme) re-plots them (Plotly.react).
export function createCurves(root, Plotly, { onMetric }) {
  const picker = h("select", { dataset: { testid: "metric-picker" } });
  const showAll = h("input", { type: "checkbox", dataset: { testid: "show-all-curves" } });
  const legendNote = h("span", { dataset: { testid: "legend-note" } });
  const plot = h("div", { className: "hdnb-plot", dataset: { testid: "curves" } });
  root.append(h("div", { className: "hdnb-section" },
    h("div", { className: "hdnb-toolbar" }, h("b", {}, "Curves "), picker,
      h("label", {}, showAll, " all runs "), legendNote), plot));
  let metric = null;
  let state = null;
  let brushed = null;
  let choices = "";
  let drawn = null; // what the plot holds: { key, ids, lengths }
  picker.addEventListener("change", () => { metric = picker.value; onMetric(metric); draw(); });
  showAll.addEventListener("change", () => draw());

  function fillPicker() {
    const names = [...new Set([state.run.primary.name, ...state.metrics])];
    if (names.join("\n") === choices) return;
    choices = names.join("\n");
    fill(picker, ...names.map((m) => h("option", { value: m, selected: m === metric }, m)));
  }

  function draw(force = false) {
    if (!state) return;
    metric = metric || state.run.primary.name;
    fillPicker();
    const curves = state.curves[metric] || {};
    const ranked = rankedRunIds(state);
    const rankedSet = new Set(ranked);
    const others = state.runs.map((r) => r.id).filter((id) => !rankedSet.has(id));
    const order = [...ranked, ...others].filter((id) => curves[id]?.length);
    const listed = showAll.checked ? order : order.slice(0, LISTED);
    legendNote.textContent = legendText(order.length, showAll.checked);
    const type = listed.length > 200 ? "scattergl" : "scatter";
    const isVisible = (id, i) => i < TOP || showAll.checked || Boolean(brushed && brushed.has(id));
    const primary = metric === state.run.primary.name;
    const threshold = primary ? state.run.threshold : null;
    const shown = threshold && threshold.value != null;
    const colors = chartColors(plot);
    // Everything but the points: when it is unchanged, only new points need drawing.
    const key = JSON.stringify([metric, type, [...listed].sort(), listed.filter(isVisible).sort(),
      brushed ? listed.filter((id) => brushed.has(id)).sort() : null, shown ? threshold : null, colors]);
    if (!force && drawn && drawn.key === key) {
      extend(curves);
      return;
    }
    const traces = listed.map((id, i) => {
      const row = state.rowsById.get(id);
      const faded = brushed && !brushed.has(id);
      return {
        type, mode: "lines+markers", name: row.inherited ? `↩${row.n}` : `#${row.n}`, x: curves[id].map((_, k) => k + 1), y: [...curves[id]],
        visible: isVisible(id, i) ? true : "legendonly",
        opacity: faded ? 0.12 : 1, line: { width: brushed && !faded ? 3 : 1.5 }, marker: { size: 4 },
        hovertemplate: `run ${row.inherited ? "↩" : "#"}${row.n} %{y}<extra>interval %{x}</extra>`,
      };
    });
    const shapes = shown ? [{ type: "line", xref: "paper", x0: 0, x1: 1, y0: threshold.value, y1: threshold.value, line: { dash: "dash", color: CUTOFF } }] : [];
    // The cutoff's label sits in the margin above the plot area (right-aligned), never over the curves.
    const annotations = shown ? [{ xref: "paper", x: 1, xanchor: "right", yref: "paper", y: 1, yanchor: "bottom", showarrow: false,
      font: { color: CUTOFF, size: 11 }, text: `- - ${threshold.policy} cutoff at interval ${threshold.interval}: ${fmt(threshold.value)}` }] : [];
    const layout = {
      title: { text: curvesTitle(metric, primary), y: 0.97, yanchor: "top" }, height: 330, margin: { l: 50, r: 10, t: 58, b: 40 },
      xaxis: { title: { text: "interval" } }, yaxis: { title: { text: metric } }, showlegend: true, shapes, annotations, uirevision: metric,
    };
    Plotly.react(plot, traces, themed(layout, colors), CONFIG);
    drawn = { key, ids: listed, lengths: listed.map((id) => curves[id].length) };
  }

  // Append the points logged since the last draw to the traces already there (the plot's own order).
  function extend(curves) {
    const indices = [];
    const xs = [];
    const ys = [];
    drawn.ids.forEach((id, i) => {
      const values = curves[id] || [];
      const from = drawn.lengths[i];
      if (values.length <= from) return;
      indices.push(i);
      xs.push(values.slice(from).map((_, k) => from + k + 1));
      ys.push(values.slice(from));
      drawn.lengths[i] = values.length;
    });
    if (indices.length) Plotly.extendTraces(plot, { x: xs, y: ys }, indices);
  }

  return {
    update(next) { state = next; draw(); },
    redraw: () => draw(true),
    setBrush(next) { brushed = next; draw(); },
    destroy() { Plotly.purge(plot); },
  };
}

// The default axes of a scatter chart: hyperparameters first, the metric last (and on one axis only).
export function scatterDefaults(options, metric, three) {
  const params = options.filter((o) => o !== metric);
  if (!three) return [params[0] ?? metric, metric];
  if (params.length >= 2) return [params[0], params[1], metric];
  return [params[0] ?? metric, metric, metric];
}

export function createParams(root, Plotly, { onBrush }) {
  const chooser = h("select", { dataset: { testid: "chart-kind" } },
    h("option", { value: "parcoords" }, "Parallel Coordinates Chart"),
    h("option", { value: "2d" }, "2D Scatter Chart"),
    h("option", { value: "3d" }, "3D Scatter Chart"));
  const axes = h("span", { className: "hdnb-axes" });
  // The scatter charts' plotly div and the parallel coordinates, one of them shown.
  const plot = h("div");
  const area = h("div", { className: "hdnb-plot", dataset: { testid: "params-chart" } }, plot);
  const parcoords = createParcoords(area, { onBrush: (next) => setRanges(next) });
  // A sibling of the chart (plotly keeps children it did not make, so a message inside it would stay under the chart).
  const empty = h("div", { className: "hdnb-empty", dataset: { testid: "params-empty" } }, "No run has logged the primary metric yet");
  root.append(h("div", { className: "hdnb-section" }, h("div", { className: "hdnb-toolbar" }, h("b", {}, "Hyperparameters "), chooser, axes), empty, area));
  let state = null;
  let kind = null;
  // The chosen axes of each scatter kind (the 2-D choice must not leak into the 3-D one).
  const picks = { "2d": {}, "3d": {} };
  const ranges = {};
  let lastDims = [];
  let interacting = false;
  let pending = false;
  // A brush belongs to the parallel coordinates: another kind of chart clears it (and the table's filter).
  let drawnKey = null;
  let lastDrawAt = 0;
  let lastDrawMs = 0;
  let deferred = null;
  chooser.addEventListener("change", () => { kind = chooser.value; clearBrush(); });
  area.addEventListener("mousedown", () => { interacting = true; }, true);
  // JupyterLab's notebook captures the mousemoves that follow a mousedown in a cell (for its own
  // drags), which would starve the brush; keep the mousedown inside the chart.
  area.addEventListener("mousedown", (event) => event.stopPropagation());
  // Capture phase: the brush (d3-brush) stops the mouseup's propagation once it has it.
  window.addEventListener("mouseup", () => {
    if (!interacting) return;
    interacting = false;
    if (pending) setTimeout(() => draw(true), 300);
  }, true);

  function rowsWithMetric() {
    return state.runs.filter((r) => r.best != null);
  }

  function dimensions(rows) {
    const metric = state.run.primary.name;
    const dims = state.params.map((p) => axisFor(p, rows));
    dims.push({ label: metric, metric: true, value: (r) => r.best });
    return dims;
  }

  function brushedFrom(rows, dims) {
    if (!dims.some((d) => ranges[d.label])) return null;
    return new Set(rows.filter((r) => insideRanges(dims.map((d) => d.value(r)), dims, ranges)).map((r) => r.id));
  }

  function drawParcoords(rows) {
    const dims = dimensions(rows);
    lastDims = dims;
    parcoords.draw({ rows, dims, minimize: state.run.primary.goal === "minimize", ranges, colors: chartColors(area) });
  }

  // The brushes drawn on the parallel coordinates (label -> [lo, hi]) filter the table and the curves.
  function setRanges(next) {
    for (const k of Object.keys(ranges)) delete ranges[k];
    Object.assign(ranges, next);
    onBrush(brushedFrom(rowsWithMetric(), lastDims));
  }

  function drawScatter(rows, three) {
    const metric = state.run.primary.name;
    const options = [...state.params.map((p) => p.key), metric];
    const names = three ? ["x", "y", "z"] : ["x", "y"];
    const chosenNames = picks[three ? "3d" : "2d"];
    const defaults = scatterDefaults(options, metric, three);
    names.forEach((n, i) => { if (!options.includes(chosenNames[n])) chosenNames[n] = defaults[i]; });
    fill(axes, ...names.map((n) => h("label", {}, ` ${n} `, h("select", {
      dataset: { testid: `axis-${n}` }, onchange: (e) => { chosenNames[n] = e.target.value; draw(true); } },
      options.map((o) => h("option", { value: o, selected: o === chosenNames[n] }, o))))));
    const axis = (name) => {
      if (name === metric) return { label: metric, value: (r) => r.best };
      return axisFor(state.params.find((p) => p.key === name), rows);
    };
    const chosen = names.map((n) => axis(chosenNames[n]));
    const layoutAxis = (d) => ({ title: { text: d.log ? d.label.replace(" (log10)", "") : d.label, ...(three ? { font: { size: 12 } } : {}) },
      ...(d.log ? { type: "log", exponentformat: "power" } : {}), ...(d.categorical ? { tickvals: d.tickvals, ticktext: d.ticktext } : {}),
      // 3-D: few, small tick labels (a log axis labels its powers of ten only) so that they do not overlap.
      ...(three ? { nticks: 5, tickfont: { size: 10 }, ...(d.log ? { dtick: 1 } : {}) } : {}) });
    const values = (d) => rows.map(d.log ? d.raw : d.value);
    const trace = {
      type: three ? "scatter3d" : "scatter", mode: "markers",
      x: values(chosen[0]), y: values(chosen[1]), ...(three ? { z: values(chosen[2]) } : {}),
      text: rows.map((r) => `run #${r.n}: ${fmt(r.best)}`),
      marker: { color: rows.map((r) => r.best), colorscale: "Viridis", reversescale: state.run.primary.goal === "minimize", showscale: true, size: three ? 4 : 9,
        colorbar: { title: { text: metric, side: "right" }, thickness: 14, len: three ? 0.7 : 1 } },
    };
    // 3-D: a cube (the metric's axis is not squashed by the others' ranges) seen from a camera that stands
    // back, so that the axis titles and tick labels fit inside the chart's box.
    const layout = three
      ? { height: 420, margin: { l: 0, r: 0, t: 0, b: 0 },
          scene: { xaxis: layoutAxis(chosen[0]), yaxis: layoutAxis(chosen[1]), zaxis: layoutAxis(chosen[2]),
            aspectmode: "cube", camera: { eye: { x: 2.0, y: 2.0, z: 1.2 } } } }
      : { height: 360, margin: { l: 60, r: 10, t: 20, b: 50 }, xaxis: layoutAxis(chosen[0]), yaxis: layoutAxis(chosen[1]) };
    return Plotly.react(plot, [trace], themed(layout, chartColors(plot)), CONFIG);
  }

  // A WebGL chart of thousands of runs takes long to draw (hundreds of ms with software rendering), so while
  // runs stream in it is redrawn only when what it shows changed, and at most once per five times its last
  // drawing time (at least CHART_MIN_MS apart): it never takes more than a fifth of the page's time. What the
  // user does (another chart, axis, brush, theme) draws at once (``force``).
  function draw(force = false) {
    if (!state) return;
    if (interacting) { pending = true; return; }
    pending = false;
    const rows = rowsWithMetric();
    const key = `${kind}|${rows.length}|${state.rowsVersion}|${JSON.stringify(picks)}|${JSON.stringify(ranges)}`;
    if (!force && key === drawnKey) return;
    const wait = lastDrawAt + Math.max(CHART_MIN_MS, 5 * lastDrawMs) - performance.now();
    if (!force && wait > 0) {
      if (!deferred) deferred = setTimeout(() => { deferred = null; draw(); }, wait);
      return;
    }
    clearTimeout(deferred);
    deferred = null;
    drawnKey = key;
    kind = kind || (state.params.length >= 3 ? "parcoords" : "2d");
    chooser.value = kind;
    if (kind !== "parcoords") axes.style.display = "";
    else { fill(axes, ); axes.style.display = "none"; }
    empty.style.display = rows.length ? "none" : "";
    plot.style.display = rows.length && kind !== "parcoords" ? "" : "none";
    parcoords.element.style.display = rows.length && kind === "parcoords" ? "" : "none";
    if ((!rows.length || kind === "parcoords") && plot.data) Plotly.purge(plot); // a scatter chart drawn before
    if (!rows.length) return;
    const started = performance.now();
    lastDrawAt = started;
    const drawn = kind === "parcoords" ? drawParcoords(rows) : drawScatter(rows, kind === "3d");
    Promise.resolve(drawn).then(() => { lastDrawMs = performance.now() - started; });
  }

  function clearBrush() {
    for (const k of Object.keys(ranges)) delete ranges[k];
    onBrush(null);
    draw(true);
  }

  return {
    update(next) { state = next; draw(); },
    redraw: () => draw(true),
    clearBrush,
    destroy() { clearTimeout(deferred); Plotly.purge(plot); parcoords.destroy(); },
  };
}
