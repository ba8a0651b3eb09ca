// src/state.js
var TERMINAL = ["Completed", "Failed", "Canceled"];
var STATUS_ORDER = ["Completed", "Running", "CancelRequested", "Queued", "NotStarted", "Starting", "Failed", "Canceled"];
function isTerminal(status) {
  return TERMINAL.includes(status);
}
function createState(snapshot) {
  const state = snapshot || {};
  state.seq = state.seq ?? 0;
  state.rowsVersion = 0;
  if (state.kind === "sweep") {
    state.runs = state.runs || [];
    state.curves = state.curves || {};
    state.metrics = state.metrics || [];
    state.streamed = state.streamed || [];
    state.rowsById = new Map(state.runs.map((r) => [r.id, r]));
  } else {
    state.series = state.series || {};
    state.others = state.others || {};
    state.log = state.log || "";
  }
  state.receivedAt = Date.now() / 1e3;
  state.clockOffset = state.run ? state.receivedAt - (state.run.now || state.receivedAt) : 0;
  return state;
}
function appendSeries(target, source) {
  for (const [key, values] of Object.entries(source || {})) {
    (target[key] ?? (target[key] = [])).push(...values);
  }
}
function applyDelta(state, delta) {
  var _a;
  state.seq = delta.seq;
  if (delta.run) {
    Object.assign(state.run, delta.run);
    state.clockOffset = Date.now() / 1e3 - (delta.run.now || Date.now() / 1e3);
  }
  if (state.kind === "sweep") {
    if (delta.runs?.length) state.rowsVersion += 1;
    for (const row of delta.runs || []) {
      const known = state.rowsById.get(row.id);
      if (known) Object.assign(known, row);
      else {
        state.runs.push(row);
        state.rowsById.set(row.id, row);
      }
    }
    for (const [metric, byRun] of Object.entries(delta.curves || {})) {
      appendSeries((_a = state.curves)[metric] ?? (_a[metric] = {}), byRun);
    }
    if (delta.metrics) state.metrics = [.../* @__PURE__ */ new Set([...state.metrics, ...delta.metrics])].sort();
  } else {
    appendSeries(state.series, delta.series);
    Object.assign(state.others, delta.others || {});
    if (delta.log) state.log = (state.log + delta.log).slice(-2e4);
  }
  return state;
}
function better(goal) {
  return goal === "maximize" ? (a, b) => a > b : (a, b) => a < b;
}
function bestRow(state) {
  const isBetter = better(state.run.primary.goal);
  let best = null;
  for (const row of state.runs) {
    if (row.best == null) continue;
    if (best === null || isBetter(row.best, best.best)) best = row;
  }
  return best;
}
function statusCounts(state) {
  const counts = /* @__PURE__ */ new Map();
  for (const row of state.runs) counts.set(row.status, (counts.get(row.status) || 0) + 1);
  return [...counts.entries()].sort((a, b) => STATUS_ORDER.indexOf(a[0]) - STATUS_ORDER.indexOf(b[0]));
}
function serverNow(state) {
  return Date.now() / 1e3 - (state.clockOffset || 0);
}
function duration(row, now) {
  if (row.start == null) return null;
  return Math.max(0, (row.end ?? now) - row.start);
}
function median(values) {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
function eta(state, now) {
  if (isTerminal(state.run.status)) return 0;
  const own = state.runs.filter((r) => !r.inherited);
  const full = own.filter((r) => r.status === "Completed" && r.start != null && r.end != null);
  const typical = median(full.map((r) => r.end - r.start));
  if (typical == null) return null;
  const fullCount = Math.max(0, ...full.map((r) => r.count || 0));
  const started = own.filter((r) => !isTerminal(r.status) && r.start != null);
  const waiting = own.filter((r) => !isTerminal(r.status) && r.start == null).length;
  const budget = Math.max(0, (state.run.max_total ?? own.length) - own.length);
  const runningLeft = started.map((r) => {
    const elapsed = duration(r, now) || 0;
    if (fullCount && r.count > 0) return Math.max(0, elapsed / r.count * (fullCount - r.count));
    return Math.max(0, typical - elapsed);
  });
  const slots = Math.max(1, state.run.max_concurrent || 1, started.length);
  const free = [...runningLeft, ...Array(Math.max(0, slots - runningLeft.length)).fill(0)].sort((a, b) => a - b);
  for (let k = 0; k < waiting + budget; k++) {
    free[0] += typical;
    free.sort((a, b) => a - b);
  }
  return Math.max(0, ...free);
}
function paramValue(row, key) {
  return row.params ? row.params[key] : void 0;
}
var COLUMN_VALUE = {
  n: (r) => r.n,
  status: (r) => r.status,
  best: (r) => r.best,
  last: (r) => r.last,
  count: (r) => r.count,
  start: (r) => r.start,
  duration: (r, now) => duration(r, now),
  reason: (r) => r.reason
};
function columnValue(row, column, now) {
  if (column.startsWith("param:")) return paramValue(row, column.slice(6));
  return COLUMN_VALUE[column](row, now);
}
function compare(a, b) {
  if (a == null && b == null) return 0;
  if (a == null) return 1;
  if (b == null) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), void 0, { numeric: true });
}
function visibleRows(state, { column, descending, status, brushed }, now) {
  let rows = state.runs;
  if (status && status !== "all") rows = rows.filter((r) => r.status === status);
  if (brushed) rows = rows.filter((r) => brushed.has(r.id));
  const sign = descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const va = columnValue(a, column, now);
    const vb = columnValue(b, column, now);
    if (va == null || vb == null) return compare(va, vb);
    return sign * compare(va, vb) || a.n - b.n;
  });
}
function rankedRunIds(state) {
  const isBetter = better(state.run.primary.goal);
  return state.runs.filter((r) => r.best != null).sort((a, b) => isBetter(a.best, b.best) ? -1 : isBetter(b.best, a.best) ? 1 : a.n - b.n).map((r) => r.id);
}

// src/dom.js
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "style") Object.assign(el.style, value);
    else if (key === "className") el.className = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}
function fill(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c != null && c !== false));
  return el;
}
function fmt(value) {
  if (value == null) return "";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return String(value);
    if (Number.isInteger(value)) return String(value);
    return Number(value.toPrecision(6)).toString();
  }
  return String(value);
}
function fmtDuration(seconds) {
  if (seconds == null) return "";
  const s = Math.round(seconds);
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor(s % 3600 / 60);
  const secs = s % 60;
  return `${hours}:${String(minutes).padStart(2, "0")}:${String(secs).padStart(2, "0")}`;
}
function fmtTime(epoch) {
  if (epoch == null) return "";
  return new Date(epoch * 1e3).toLocaleString(void 0, { month: "short", day: "numeric", hour: "numeric", minute: "2-digit", second: "2-digit" });
}
function statusClass(status) {
  return `hdnb-status hdnb-status-${String(status).toLowerCase()}`;
}
function throttle(fn, ms) {
  let timer = null;
  let last = 0;
  return (...args) => {
    const wait = Math.max(0, last + ms - Date.now());
    clearTimeout(timer);
    timer = setTimeout(() => {
      last = Date.now();
      fn(...args);
    }, wait);
  };
}
function afterPaint(fn) {
  if (document.hidden) return setTimeout(fn, 0);
  return requestAnimationFrame(() => setTimeout(fn, 0));
}

// src/header.js
function createHeader(root, { onCancelSweep }) {
  const el = h("div", { className: "hdnb-header" });
  root.append(el);
  function update(state) {
    const run = state.run;
    const now = serverNow(state);
    const elapsed = run.start == null ? 0 : (run.end ?? now) - run.start;
    const best = bestRow(state);
    const left = eta(state, now);
    const total = state.runs.length || 1;
    const bar = h(
      "div",
      { className: "hdnb-statusbar", dataset: { testid: "status-bar" } },
      statusCounts(state).map(([status, count]) => h(
        "div",
        { className: statusClass(status), style: { flexGrow: String(count) }, title: `${status} (${count})` },
        `${status} (${count})`
      ))
    );
    fill(
      el,
      h(
        "div",
        { className: "hdnb-title" },
        h("span", { className: statusClass(run.status), dataset: { testid: "run-status" } }, run.status),
        h("span", { className: "hdnb-runid" }, run.id),
        h(
          "span",
          { className: "hdnb-meta" },
          `${run.sampling || ""} sampling \xB7 policy ${run.policy?.name || "Default"} \xB7 `,
          `${state.runs.length}/${run.max_total ?? "?"} runs \xB7 up to ${run.max_concurrent ?? "?"} at once`
        ),
        !isTerminal(run.status) && h("button", { className: "hdnb-danger", dataset: { testid: "cancel-sweep" }, onclick: onCancelSweep }, "Cancel sweep")
      ),
      h(
        "div",
        { className: "hdnb-facts" },
        h("span", {}, "Elapsed ", h("b", { dataset: { testid: "elapsed" } }, fmtDuration(elapsed))),
        h(
          "span",
          {},
          `Best ${run.primary.name} `,
          h("b", { dataset: { testid: "best-metric" } }, best ? fmt(best.best) : "\u2014"),
          best ? ` (run #${best.n})` : ""
        ),
        h("span", {}, "Time left ", h("b", {}, left == null ? "estimating\u2026" : isTerminal(run.status) ? "none" : `~${fmtDuration(left)}`))
      ),
      state.runs.length ? bar : h("div", { className: "hdnb-empty" }, "No runs scheduled yet"),
      run.error ? h("div", { className: "hdnb-error" }, run.error) : null,
      run.warning && !best ? h("div", { className: "hdnb-warning", dataset: { testid: "sweep-warning" } }, "\u26A0 ", run.warning) : null
    );
    void total;
  }
  return { update };
}

// src/table.js
var PAGE_SIZES = [10, 25, 50, 100];
var HIDDEN_BY_DEFAULT = ["last", "start"];
var CLIPPED = (key) => key === "reason" || key.startsWith("param:");
function createTable(root, { onSelect, onClearBrush }) {
  const view = { column: "best", descending: null, status: "all", page: 0, pageSize: PAGE_SIZES[0], brushed: null, selected: null };
  const hidden = new Set(HIDDEN_BY_DEFAULT);
  let last = null;
  let statusKey = "";
  let columnKey = "";
  const statusSelect = h("select", { dataset: { testid: "status-filter" }, onchange: (e) => {
    view.status = e.target.value;
    view.page = 0;
    update(last);
  } });
  const brushNote = h("span", { className: "hdnb-brushed", dataset: { testid: "brush-note" }, style: { display: "none" } });
  const clearBrush = h("button", { dataset: { testid: "clear-brush" }, style: { display: "none" }, onclick: () => onClearBrush() }, "Clear brush");
  const count = h("span", { className: "hdnb-count", dataset: { testid: "row-count" } });
  const columnMenu = h("div", { className: "hdnb-colmenu" });
  const columnPicker = h("details", { className: "hdnb-colpick", dataset: { testid: "column-picker" } }, h("summary", {}, "Columns"), columnMenu);
  const pageSize = h(
    "select",
    { dataset: { testid: "page-size" }, onchange: (e) => {
      view.pageSize = Number(e.target.value);
      view.page = 0;
      update(last);
    } },
    PAGE_SIZES.map((n) => h("option", { value: String(n) }, String(n)))
  );
  const table = h("table", { className: "hdnb-table", dataset: { testid: "run-table" } });
  const scroller = h("div", { className: "hdnb-table-scroll", dataset: { testid: "table-scroll" } }, table);
  const pager = h("div", { className: "hdnb-pager", dataset: { testid: "pager" } });
  root.append(h(
    "div",
    { className: "hdnb-table-wrap" },
    h(
      "div",
      { className: "hdnb-toolbar", dataset: { testid: "table-controls" } },
      h("label", {}, "Status ", statusSelect),
      brushNote,
      clearBrush,
      count,
      columnPicker,
      h("label", {}, "Rows per page ", pageSize)
    ),
    scroller,
    pager
  ));
  function columns(state) {
    const metric = state.run.primary.name;
    return [
      ["n", "Run"],
      ["status", "Status"],
      ["best", `Best ${metric}`],
      ...state.params.map((p) => [`param:${p.key}`, p.key]),
      ["last", `Last ${metric}`],
      ["count", "Intervals"],
      ["duration", "Duration"],
      ["start", "Started"],
      ["reason", "Stopped because"]
    ];
  }
  function cell(row, column, now) {
    if (column === "n" && row.inherited) return h("span", { className: "hdnb-inherited-mark", title: `a run of the earlier sweep ${row.inherited}` }, `\u21A9 ${row.n}`);
    if (column === "n" && row.resumes) return h("span", { title: `resumes ${row.resumes} from its checkpoints` }, `${row.n} \u27F2 ${row.resumes.split("_").pop()}`);
    if (column === "status") return h("span", { className: statusClass(row.status) }, row.status);
    if (column === "duration") return fmtDuration(duration(row, now));
    if (column === "start") return fmtTime(row.start);
    if (column.startsWith("param:")) return fmt(row.params?.[column.slice(6)]);
    return fmt(row[column]);
  }
  function syncControls(state, all, rows) {
    const statuses = [...new Set(state.runs.map((r) => r.status))].sort();
    if (statuses.join() !== statusKey) {
      statusKey = statuses.join();
      fill(statusSelect, h("option", { value: "all" }, "All"), statuses.map((s) => h("option", { value: s }, s)));
      if (view.status !== "all" && !statuses.includes(view.status)) statusSelect.append(h("option", { value: view.status }, view.status));
    }
    statusSelect.value = view.status;
    const key = all.map(([k, title]) => `${k}=${title}`).join("\n");
    if (key !== columnKey) {
      columnKey = key;
      fill(columnMenu, all.map(([k, title]) => h(
        "label",
        {},
        h("input", { type: "checkbox", checked: !hidden.has(k), dataset: { column: k }, onchange: (e) => {
          if (e.target.checked) hidden.delete(k);
          else hidden.add(k);
          update(last);
        } }),
        ` ${title}`
      )));
    }
    brushNote.style.display = view.brushed ? "" : "none";
    clearBrush.style.display = view.brushed ? "" : "none";
    brushNote.textContent = view.brushed ? `${view.brushed.size} runs inside the parallel-coordinates brush` : "";
    count.textContent = `${rows.length} of ${state.runs.length} runs`;
  }
  function update(state) {
    last = state;
    if (view.descending === null) view.descending = state.run.primary.goal === "maximize";
    const now = serverNow(state);
    const rows = visibleRows(state, view, now);
    const size = view.pageSize;
    const pages = Math.max(1, Math.ceil(rows.length / size));
    view.page = Math.min(view.page, pages - 1);
    const shown = rows.slice(view.page * size, (view.page + 1) * size);
    const all = columns(state);
    const cols = all.filter(([key]) => !hidden.has(key));
    syncControls(state, all, rows);
    const go = (page) => () => {
      view.page = page;
      update(last);
    };
    fill(
      table,
      h("thead", {}, h("tr", {}, cols.map(([key, title]) => h("th", {
        className: key === view.column ? view.descending ? "sorted desc" : "sorted asc" : "",
        dataset: { column: key },
        onclick: () => {
          view.descending = view.column === key ? !view.descending : key === "best" ? state.run.primary.goal === "maximize" : false;
          view.column = key;
          update(last);
        }
      }, title)))),
      h("tbody", {}, shown.length ? shown.map((row) => h("tr", {
        className: [row.inherited ? "hdnb-inherited" : "", row.id === view.selected ? "hdnb-selected" : ""].join(" ").trim() || null,
        dataset: { runId: row.id, testid: "run-row" },
        onclick: () => {
          select(row.id);
          onSelect(row.id);
        }
      }, cols.map(([key]) => {
        const content = cell(row, key, now);
        return CLIPPED(key) ? h("td", { className: "hdnb-clip", title: typeof content === "string" ? content : null }, content) : h("td", {}, content);
      }))) : h("tr", {}, h("td", { colspan: String(cols.length), className: "hdnb-empty" }, "No runs scheduled yet")))
    );
    fill(
      pager,
      h("button", { onclick: go(0), disabled: view.page === 0 }, "\xAB"),
      h("button", { onclick: go(view.page - 1), disabled: view.page === 0 }, "\u2039"),
      h("span", {}, ` Page ${view.page + 1} of ${pages} `),
      h("button", { onclick: go(view.page + 1), disabled: view.page >= pages - 1 }, "\u203A"),
      h("button", { onclick: go(pages - 1), disabled: view.page >= pages - 1 }, "\xBB")
    );
  }
  function setBrush(brushed) {
    view.brushed = brushed;
    view.page = 0;
    if (last) update(last);
  }
  function select(runId) {
    view.selected = runId;
    for (const tr of table.querySelectorAll("tr[data-run-id]")) tr.classList.toggle("hdnb-selected", tr.dataset.runId === runId);
  }
  return { update, setBrush, select };
}

// src/theme.js
var DARK_QUERY = "(prefers-color-scheme: dark)";
function isDark() {
  const body = document.body;
  const jp = body?.dataset?.jpThemeLight;
  if (jp === "false") return true;
  if (jp === "true") return false;
  if (body?.classList.contains("vscode-dark") || body?.classList.contains("vscode-high-contrast")) return true;
  if (body?.classList.contains("vscode-light")) return false;
  return Boolean(window.matchMedia?.(DARK_QUERY).matches);
}
function cssVar(el, name) {
  return getComputedStyle(el).getPropertyValue(name).trim();
}
function chartColors(el) {
  const dark = isDark();
  const font = cssVar(el, "--jp-ui-font-color1") || cssVar(el, "--vscode-editor-foreground") || (dark ? "#e0e0e0" : "#222222");
  const grid = cssVar(el, "--jp-border-color2") || (dark ? "rgba(255,255,255,0.15)" : "#e5e5e5");
  const line = cssVar(el, "--jp-border-color1") || (dark ? "rgba(255,255,255,0.35)" : "#bdbdbd");
  return { dark, font, grid, line, paper: "rgba(0,0,0,0)" };
}
var AXIS_KEYS = ["xaxis", "yaxis"];
var SCENE_KEYS = ["xaxis", "yaxis", "zaxis"];
function themed(layout, colors) {
  const axis = (a) => ({ gridcolor: colors.grid, zerolinecolor: colors.line, linecolor: colors.line, ...a });
  const out = {
    ...layout,
    paper_bgcolor: colors.paper,
    plot_bgcolor: colors.paper,
    font: { ...layout.font || {}, color: colors.font },
    legend: { bgcolor: colors.paper, ...layout.legend || {} }
  };
  for (const key of AXIS_KEYS) out[key] = axis(layout[key] || {});
  if (layout.scene) {
    out.scene = { ...layout.scene };
    for (const key of SCENE_KEYS) out.scene[key] = { ...axis(layout.scene[key] || {}), backgroundcolor: colors.paper, showbackground: false };
  }
  return out;
}
function watchTheme(onChange) {
  let timers = [];
  const fire = () => {
    timers.forEach(clearTimeout);
    timers = [setTimeout(onChange, 50), setTimeout(onChange, 600)];
  };
  const observer = new MutationObserver(fire);
  observer.observe(document.body, { attributes: true, attributeFilter: ["class", "data-jp-theme-light", "data-jp-theme-name"] });
  const media = window.matchMedia?.(DARK_QUERY);
  media?.addEventListener?.("change", fire);
  return () => {
    timers.forEach(clearTimeout);
    observer.disconnect();
    media?.removeEventListener?.("change", fire);
  };
}
function followTheme(root, redraw) {
  const mark = () => root.classList.toggle("hdnb-dark", isDark());
  mark();
  return watchTheme(() => {
    mark();
    redraw();
  });
}

// src/charts.js
var CONFIG = { displayModeBar: false, responsive: true };
var CHART_MIN_MS = 700;
var PARCOORDS_LINES = 1e3;
var TOP = 5;
var LISTED = 50;
function numericParam(param, rows) {
  return !param.choices && rows.every((r) => r.params?.[param.key] == null || typeof r.params[param.key] === "number");
}
function axisFor(param, rows) {
  if (numericParam(param, rows)) {
    if (param.log) return { label: `${param.key} (log10)`, log: true, raw: (r) => r.params[param.key], value: (r) => Math.log10(r.params[param.key]) };
    return { label: param.key, value: (r) => r.params[param.key] };
  }
  const labels = [...new Set([...param.choices || [], ...rows.map((r) => r.params?.[param.key])].map((c) => String(c)))];
  return {
    label: param.key,
    categorical: true,
    value: (r) => labels.indexOf(String(r.params[param.key])),
    tickvals: labels.map((_, i) => i),
    ticktext: labels,
    range: [-0.5, labels.length - 0.5]
  };
}
var CUTOFF = "#c0392b";
function curvesTitle(metric, primary) {
  return primary ? `${metric} per interval (primary metric)` : `${metric} per interval`;
}
function legendText(count, all) {
  if (all || count <= TOP) return count === 1 ? "(1 run shown)" : `(${count} runs shown)`;
  const more = Math.min(count, LISTED) - TOP;
  const rest = count - TOP - more;
  return `(top ${TOP} shown, the next ${more} in the legend${rest > 0 ? `, ${rest} more with "all runs"` : ""})`;
}
function createCurves(root, Plotly, { onMetric }) {
  const picker = h("select", { dataset: { testid: "metric-picker" } });
  const showAll = h("input", { type: "checkbox", dataset: { testid: "show-all-curves" } });
  const legendNote = h("span", { dataset: { testid: "legend-note" } });
  const plot = h("div", { className: "hdnb-plot", dataset: { testid: "curves" } });
  root.append(h(
    "div",
    { className: "hdnb-section" },
    h(
      "div",
      { className: "hdnb-toolbar" },
      h("b", {}, "Curves "),
      picker,
      h("label", {}, showAll, " all runs "),
      legendNote
    ),
    plot
  ));
  let metric = null;
  let state = null;
  let brushed = null;
  let choices = "";
  let drawn = null;
  picker.addEventListener("change", () => {
    metric = picker.value;
    onMetric(metric);
    draw();
  });
  showAll.addEventListener("change", () => draw());
  function fillPicker() {
    const names = [.../* @__PURE__ */ new Set([state.run.primary.name, ...state.metrics])];
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
    const key = JSON.stringify([
      metric,
      type,
      [...listed].sort(),
      listed.filter(isVisible).sort(),
      brushed ? listed.filter((id) => brushed.has(id)).sort() : null,
      shown ? threshold : null,
      colors
    ]);
    if (!force && drawn && drawn.key === key) {
      extend(curves);
      return;
    }
    const traces = listed.map((id, i) => {
      const row = state.rowsById.get(id);
      const faded = brushed && !brushed.has(id);
      return {
        type,
        mode: "lines+markers",
        name: row.inherited ? `\u21A9${row.n}` : `#${row.n}`,
        x: curves[id].map((_, k) => k + 1),
        y: [...curves[id]],
        visible: isVisible(id, i) ? true : "legendonly",
        opacity: faded ? 0.12 : 1,
        line: { width: brushed && !faded ? 3 : 1.5 },
        marker: { size: 4 },
        hovertemplate: `run ${row.inherited ? "\u21A9" : "#"}${row.n} %{y}<extra>interval %{x}</extra>`
      };
    });
    const shapes = shown ? [{ type: "line", xref: "paper", x0: 0, x1: 1, y0: threshold.value, y1: threshold.value, line: { dash: "dash", color: CUTOFF } }] : [];
    const annotations = shown ? [{
      xref: "paper",
      x: 1,
      xanchor: "right",
      yref: "paper",
      y: 1,
      yanchor: "bottom",
      showarrow: false,
      font: { color: CUTOFF, size: 11 },
      text: `- - ${threshold.policy} cutoff at interval ${threshold.interval}: ${fmt(threshold.value)}`
    }] : [];
    const layout = {
      title: { text: curvesTitle(metric, primary), y: 0.97, yanchor: "top" },
      height: 330,
      margin: { l: 50, r: 10, t: 58, b: 40 },
      xaxis: { title: { text: "interval" } },
      yaxis: { title: { text: metric } },
      showlegend: true,
      shapes,
      annotations,
      uirevision: metric
    };
    Plotly.react(plot, traces, themed(layout, colors), CONFIG);
    drawn = { key, ids: listed, lengths: listed.map((id) => curves[id].length) };
  }
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
    update(next) {
      state = next;
      draw();
    },
    redraw: () => draw(true),
    setBrush(next) {
      brushed = next;
      draw();
    },
    destroy() {
      Plotly.purge(plot);
    }
  };
}
function bestRows(rows, count, goal) {
  const isBetter = better(goal);
  return [...rows].sort((a, b) => isBetter(a.best, b.best) ? -1 : isBetter(b.best, a.best) ? 1 : a.n - b.n).slice(0, count);
}
function scatterDefaults(options, metric, three) {
  const params = options.filter((o) => o !== metric);
  if (!three) return [params[0] ?? metric, metric];
  if (params.length >= 2) return [params[0], params[1], metric];
  return [params[0] ?? metric, metric, metric];
}
function createParams(root, Plotly, { onBrush }) {
  const chooser = h(
    "select",
    { dataset: { testid: "chart-kind" } },
    h("option", { value: "parcoords" }, "Parallel Coordinates Chart"),
    h("option", { value: "2d" }, "2D Scatter Chart"),
    h("option", { value: "3d" }, "3D Scatter Chart")
  );
  const axes = h("span", { className: "hdnb-axes" });
  const capNote = h("span", { className: "hdnb-meta", dataset: { testid: "params-note" } });
  const plot = h("div", { className: "hdnb-plot", dataset: { testid: "params-chart" } });
  const empty = h("div", { className: "hdnb-empty", dataset: { testid: "params-empty" } }, "No run has logged the primary metric yet");
  root.append(h("div", { className: "hdnb-section" }, h("div", { className: "hdnb-toolbar" }, h("b", {}, "Hyperparameters "), chooser, axes, capNote), empty, plot));
  let state = null;
  let kind = null;
  const picks = { "2d": {}, "3d": {} };
  const ranges = {};
  let lastDims = [];
  let drawing = false;
  let interacting = false;
  let pending = false;
  let drawnKey = null;
  let lastDrawAt = 0;
  let lastDrawMs = 0;
  let deferred = null;
  chooser.addEventListener("change", () => {
    kind = chooser.value;
    clearBrush();
  });
  plot.addEventListener("mousedown", () => {
    interacting = true;
  }, true);
  plot.addEventListener("mousedown", (event) => event.stopPropagation());
  window.addEventListener("mouseup", () => {
    if (!interacting) return;
    interacting = false;
    if (pending) setTimeout(() => draw(true), 300);
  });
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
    const active = dims.filter((d) => ranges[d.label]);
    if (!active.length) return null;
    const inside = (v, range) => (Array.isArray(range[0]) ? range : [range]).some(([a, b]) => v >= a && v <= b);
    return new Set(rows.filter((r) => active.every((d) => inside(d.value(r), ranges[d.label]))).map((r) => r.id));
  }
  function drawParcoords(all) {
    const rows = all.length > PARCOORDS_LINES ? bestRows(all, PARCOORDS_LINES, state.run.primary.goal) : all;
    capNote.textContent = rows.length < all.length ? `the best ${rows.length} of ${all.length} runs drawn; the brush filters all` : "";
    const dims = dimensions(rows);
    lastDims = dims;
    const reverse = state.run.primary.goal === "minimize";
    const trace = {
      type: "parcoords",
      line: { color: rows.map((r) => r.best), colorscale: "Viridis", reversescale: reverse, showscale: true },
      dimensions: dims.map((d) => ({
        label: d.label,
        values: rows.map((r) => d.value(r)),
        ...d.tickvals ? { tickvals: d.tickvals, ticktext: d.ticktext } : {},
        ...d.range ? { range: d.range } : {},
        ...ranges[d.label] ? { constraintrange: ranges[d.label] } : {}
      }))
    };
    drawing = true;
    return Plotly.react(plot, [trace], themed({ height: 360, margin: { l: 60, r: 60, t: 50, b: 30 } }, chartColors(plot)), CONFIG).then(() => {
      drawing = false;
    });
  }
  function drawScatter(rows, three) {
    const metric = state.run.primary.name;
    const options = [...state.params.map((p) => p.key), metric];
    const names = three ? ["x", "y", "z"] : ["x", "y"];
    const chosenNames = picks[three ? "3d" : "2d"];
    const defaults = scatterDefaults(options, metric, three);
    names.forEach((n, i) => {
      if (!options.includes(chosenNames[n])) chosenNames[n] = defaults[i];
    });
    fill(axes, ...names.map((n) => h("label", {}, ` ${n} `, h(
      "select",
      {
        dataset: { testid: `axis-${n}` },
        onchange: (e) => {
          chosenNames[n] = e.target.value;
          draw(true);
        }
      },
      options.map((o) => h("option", { value: o, selected: o === chosenNames[n] }, o))
    ))));
    const axis = (name) => {
      if (name === metric) return { label: metric, value: (r) => r.best };
      return axisFor(state.params.find((p) => p.key === name), rows);
    };
    const chosen = names.map((n) => axis(chosenNames[n]));
    const layoutAxis = (d) => ({
      title: { text: d.log ? d.label.replace(" (log10)", "") : d.label, ...three ? { font: { size: 12 } } : {} },
      ...d.log ? { type: "log", exponentformat: "power" } : {},
      ...d.categorical ? { tickvals: d.tickvals, ticktext: d.ticktext } : {},
      // 3-D: few, small tick labels (a log axis labels its powers of ten only) so that they do not overlap.
      ...three ? { nticks: 5, tickfont: { size: 10 }, ...d.log ? { dtick: 1 } : {} } : {}
    });
    const values = (d) => rows.map(d.log ? d.raw : d.value);
    const trace = {
      type: three ? "scatter3d" : "scatter",
      mode: "markers",
      x: values(chosen[0]),
      y: values(chosen[1]),
      ...three ? { z: values(chosen[2]) } : {},
      text: rows.map((r) => `run #${r.n}: ${fmt(r.best)}`),
      marker: {
        color: rows.map((r) => r.best),
        colorscale: "Viridis",
        reversescale: state.run.primary.goal === "minimize",
        showscale: true,
        size: three ? 4 : 9,
        colorbar: { title: { text: metric, side: "right" }, thickness: 14, len: three ? 0.7 : 1 }
      }
    };
    const layout = three ? {
      height: 420,
      margin: { l: 0, r: 0, t: 0, b: 0 },
      scene: {
        xaxis: layoutAxis(chosen[0]),
        yaxis: layoutAxis(chosen[1]),
        zaxis: layoutAxis(chosen[2]),
        aspectmode: "cube",
        camera: { eye: { x: 2, y: 2, z: 1.2 } }
      }
    } : { height: 360, margin: { l: 60, r: 10, t: 20, b: 50 }, xaxis: layoutAxis(chosen[0]), yaxis: layoutAxis(chosen[1]) };
    return Plotly.react(plot, [trace], themed(layout, chartColors(plot)), CONFIG);
  }
  function draw(force = false) {
    if (!state) return;
    if (interacting) {
      pending = true;
      return;
    }
    pending = false;
    const rows = rowsWithMetric();
    const key = `${kind}|${rows.length}|${state.rowsVersion}|${JSON.stringify(picks)}|${JSON.stringify(ranges)}`;
    if (!force && key === drawnKey) return;
    const wait = lastDrawAt + Math.max(CHART_MIN_MS, 5 * lastDrawMs) - performance.now();
    if (!force && wait > 0) {
      if (!deferred) deferred = setTimeout(() => {
        deferred = null;
        draw();
      }, wait);
      return;
    }
    clearTimeout(deferred);
    deferred = null;
    drawnKey = key;
    kind = kind || (state.params.length >= 3 ? "parcoords" : "2d");
    chooser.value = kind;
    if (kind !== "parcoords") {
      axes.style.display = "";
      capNote.textContent = "";
    } else {
      fill(axes);
      axes.style.display = "none";
    }
    empty.style.display = rows.length ? "none" : "";
    plot.style.display = rows.length ? "" : "none";
    if (!rows.length) {
      Plotly.purge(plot);
      return;
    }
    const started = performance.now();
    lastDrawAt = started;
    const drawn = kind === "parcoords" ? drawParcoords(rows) : drawScatter(rows, kind === "3d");
    Promise.resolve(drawn).then(() => {
      lastDrawMs = performance.now() - started;
    });
  }
  function listen() {
    if (plot.on && !plot.__hdnbListening) {
      plot.__hdnbListening = true;
      plot.on("plotly_restyle", () => {
        if (drawing || kind !== "parcoords") return;
        const dims = plot.data?.[0]?.dimensions || [];
        dims.forEach((d) => {
          ranges[d.label] = d.constraintrange && d.constraintrange.length ? d.constraintrange : void 0;
        });
        onBrush(brushedFrom(rowsWithMetric(), lastDims));
      });
    }
  }
  function clearBrush() {
    for (const k of Object.keys(ranges)) delete ranges[k];
    onBrush(null);
    draw(true);
  }
  return {
    update(next) {
      state = next;
      draw();
      listen();
    },
    redraw: () => draw(true),
    clearBrush,
    destroy() {
      clearTimeout(deferred);
      Plotly.purge(plot);
    }
  };
}

// src/details.js
function metricCell(value) {
  if (Array.isArray(value)) {
    const numbers = value.filter((v) => typeof v === "number");
    return numbers.length === value.length && numbers.length ? `${numbers.length} values, last ${fmt(numbers[numbers.length - 1])}, min ${fmt(Math.min(...numbers))}, max ${fmt(Math.max(...numbers))}` : JSON.stringify(value).slice(0, 200);
  }
  if (value && typeof value === "object") return JSON.stringify(value).slice(0, 200);
  return fmt(value);
}
function argumentGroups(args) {
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
function createDetails(root, { onCancel, onClose }) {
  const el = h("div", { className: "hdnb-details", dataset: { testid: "run-details" }, style: { display: "none" } });
  root.append(el);
  let current = null;
  function show(details) {
    current = details;
    el.style.display = "";
    const metrics = Object.entries(details.metrics || {});
    fill(
      el,
      h(
        "div",
        { className: "hdnb-title" },
        h("b", {}, `Run ${details.id} `),
        h("span", { className: statusClass(details.status) }, details.status),
        !isTerminal(details.status) && h("button", { className: "hdnb-danger", dataset: { testid: "cancel-run" }, onclick: () => onCancel(details.id) }, "Cancel run"),
        h("button", { dataset: { testid: "close-details" }, onclick: () => {
          el.style.display = "none";
          current = null;
          onClose();
        } }, "Close")
      ),
      details.error ? h("pre", { className: "hdnb-error" }, details.error) : null,
      details.termination ? h("div", { className: "hdnb-note" }, `Stopped by ${details.termination.policy} at interval ${details.termination.interval}: ${details.termination.reason}`) : null,
      h(
        "div",
        { dataset: { testid: "run-arguments" } },
        h("b", {}, "Arguments: "),
        argumentGroups(details.arguments).flatMap((g) => [h("code", { className: "hdnb-arg" }, g), " "])
      ),
      h("table", { className: "hdnb-table" }, h("tbody", {}, metrics.map(([name, value]) => h("tr", {}, h("th", {}, name), h("td", {}, metricCell(value)))))),
      details.files?.length ? h("div", {}, h("b", {}, "Files: "), details.files.join(", ")) : null,
      h(
        "pre",
        { className: "hdnb-log", dataset: { testid: "run-log-tail" } },
        details.log || (isTerminal(details.status) ? "(the run printed nothing)" : "(no output yet)")
      )
    );
    const log = el.querySelector(".hdnb-log");
    log.scrollTop = log.scrollHeight;
  }
  return {
    show,
    shownId: () => current?.id,
    message(text) {
      if (current) el.prepend(h("div", { className: "hdnb-note" }, text));
    }
  };
}

// src/importance.js
var CONFIG2 = { displayModeBar: false, responsive: true };
function importanceLayout(keys) {
  return {
    height: Math.max(160, 40 + 28 * keys.length),
    margin: { l: 10, r: 10, t: 10, b: 30 },
    xaxis: { range: [0, 1], tickformat: ".0%", title: { text: "share of the variance explained" } },
    yaxis: { autorange: "reversed", type: "category", automargin: true }
  };
}
function createImportance(root, Plotly, { onCompute }) {
  const button = h("button", { dataset: { testid: "importance-compute" } }, "compute");
  const note = h("span", { dataset: { testid: "importance-note" } }, "which hyperparameters matter for the primary metric");
  const plot = h("div", { className: "hdnb-plot", dataset: { testid: "importance" }, style: { display: "none" } });
  root.append(h(
    "div",
    { className: "hdnb-section" },
    h("div", { className: "hdnb-toolbar" }, h("b", {}, "Importance"), button, note),
    plot
  ));
  let shares = null;
  button.addEventListener("click", () => {
    button.disabled = true;
    note.textContent = "computing\u2026";
    onCompute();
  });
  function draw() {
    if (!shares) return;
    const keys = Object.keys(shares);
    plot.style.display = "";
    const trace = {
      type: "bar",
      orientation: "h",
      x: keys.map((k) => shares[k]),
      y: keys,
      textposition: "auto",
      text: keys.map((k) => `${(shares[k] * 100).toFixed(1)}%`),
      hovertemplate: "%{y}: %{x:.1%}<extra></extra>"
    };
    Plotly.react(plot, [trace], themed(importanceLayout(keys), chartColors(plot)), CONFIG2);
  }
  return {
    show(message) {
      button.disabled = false;
      button.textContent = "recompute";
      if (message.error) {
        note.textContent = message.error;
        return;
      }
      shares = message.shares;
      note.textContent = "fANOVA over the runs that logged the primary metric";
      draw();
    },
    redraw: draw,
    destroy() {
      Plotly.purge(plot);
    }
  };
}

// src/sweep_view.js
var CHART_INTERVAL_MS = 700;
function createSweepView(root, { Plotly, send }) {
  let state = null;
  const confirmCancel = (what, runId) => {
    if (window.confirm(`Cancel ${what}? Its processes are stopped; what it logged is kept.`)) send({ type: "cancel", run_id: runId });
  };
  const header = createHeader(root, { onCancelSweep: () => confirmCancel(`the whole sweep ${state.run.id}`, state.run.id) });
  let hideInherited = false;
  const inheritedToggle = h("input", { type: "checkbox", dataset: { testid: "hide-inherited" } });
  const inheritedNote = h("label", { className: "hdnb-toolbar", style: { display: "none" } }, inheritedToggle, "");
  inheritedToggle.addEventListener("change", () => {
    hideInherited = inheritedToggle.checked;
    update(state);
  });
  root.append(inheritedNote);
  const shown = (s) => hideInherited ? { ...s, runs: s.runs.filter((r) => !r.inherited) } : s;
  const top = h("div", { className: "hdnb-columns" });
  root.append(top);
  const left = h("div", { className: "hdnb-col" });
  const right = h("div", { className: "hdnb-col" });
  top.append(left, right);
  const table = createTable(left, {
    onSelect: (runId) => send({ type: "details", run_id: runId }),
    onClearBrush: () => params.clearBrush()
  });
  const details = createDetails(left, {
    onCancel: (runId) => confirmCancel(`run ${runId}`, runId),
    onClose: () => table.select(null)
  });
  const curves = createCurves(right, Plotly, { onMetric: (name) => {
    if (!state.streamed.includes(name)) send({ type: "metric", name });
  } });
  const params = createParams(right, Plotly, {
    onBrush: (brushed) => {
      table.setBrush(brushed);
      curves.setBrush(brushed);
    }
  });
  const importance = createImportance(right, Plotly, { onCompute: () => send({ type: "importances" }) });
  let destroyed = false;
  const redrawCharts = () => {
    curves.redraw();
    importance.redraw();
    afterPaint(() => {
      if (!destroyed) params.redraw();
    });
  };
  const stopTheme = followTheme(root, () => {
    if (state) redrawCharts();
  });
  const drawCharts = throttle(() => {
    curves.update(shown(state));
    afterPaint(() => {
      if (!destroyed) params.update(shown(state));
    });
  }, CHART_INTERVAL_MS);
  function update(next) {
    state = next;
    const inherited = state.runs.filter((r) => r.inherited).length;
    inheritedNote.style.display = inherited ? "" : "none";
    inheritedNote.lastChild.textContent = ` hide the ${inherited} runs of earlier sweeps (warm start, marked \u21A9)`;
    header.update({ ...state, runs: state.runs.filter((r) => !r.inherited) });
    table.update(shown(state));
    drawCharts();
  }
  return {
    update(next) {
      update(next);
      const shown2 = details.shownId();
      const row = shown2 && state.rowsById.get(shown2);
      if (row && row.__seenStatus !== row.status) {
        row.__seenStatus = row.status;
        send({ type: "details", run_id: shown2 });
      }
    },
    redraw: redrawCharts,
    tick(current) {
      header.update({ ...current, runs: current.runs.filter((r) => !r.inherited) });
    },
    showDetails(d) {
      details.show(d);
    },
    cancelResult(msg) {
      details.message(msg.ok ? `Cancel requested: ${msg.run_id} is ${msg.status}` : `Cancel failed: ${msg.message}`);
    },
    showImportances(message) {
      importance.show(message);
    },
    destroy() {
      destroyed = true;
      stopTheme();
      curves.destroy();
      params.destroy();
      importance.destroy();
    }
  };
}

// src/run_view.js
function createRunView(root, { Plotly, send }) {
  const head = h("div", { className: "hdnb-header" });
  const props = h("table", { className: "hdnb-table", dataset: { testid: "run-properties" } });
  const scalars = h("table", { className: "hdnb-table", dataset: { testid: "run-metrics" } });
  const charts = h("div", { className: "hdnb-charts", dataset: { testid: "series-charts" } });
  const log = h("pre", { className: "hdnb-log", dataset: { testid: "run-log" } });
  root.append(head, h(
    "div",
    { className: "hdnb-columns" },
    h("div", { className: "hdnb-col" }, h("b", {}, "Properties"), props, h("b", {}, "Metrics"), scalars),
    h("div", { className: "hdnb-col" }, charts)
  ), h("b", {}, "Log"), log);
  const plots = /* @__PURE__ */ new Map();
  let state = null;
  const stopTheme = followTheme(root, () => {
    if (state) drawCharts();
  });
  function drawHead() {
    const run = state.run;
    const start = run.start ? Date.parse(run.start) / 1e3 : null;
    const end = run.end ? Date.parse(run.end) / 1e3 : null;
    fill(
      head,
      h(
        "div",
        { className: "hdnb-title" },
        h("span", { className: statusClass(run.status), dataset: { testid: "run-status" } }, run.status),
        h("span", { className: "hdnb-runid" }, run.id),
        h("span", { className: "hdnb-meta" }, run.type),
        h("span", {}, " Elapsed ", h("b", {}, start ? fmtDuration((end ?? serverNow(state)) - start) : "")),
        !isTerminal(run.status) && h("button", { className: "hdnb-danger", onclick: () => {
          if (window.confirm(`Cancel run ${run.id}?`)) send({ type: "cancel", run_id: run.id });
        } }, "Cancel run")
      ),
      run.error ? h("pre", { className: "hdnb-error" }, run.error) : null
    );
  }
  const drawCharts = throttle(() => {
    for (const [name, values] of Object.entries(state.series)) {
      if (values.length < 2) continue;
      let div = plots.get(name);
      if (!div) {
        div = h("div", { className: "hdnb-small-plot" });
        plots.set(name, div);
        charts.append(div);
      }
      Plotly.react(
        div,
        [{ type: "scatter", mode: "lines", y: values, name }],
        themed({ title: { text: name }, height: 200, margin: { l: 40, r: 10, t: 30, b: 25 } }, chartColors(div)),
        { displayModeBar: false, responsive: true }
      );
    }
  }, 700);
  return {
    update(next) {
      state = next;
      drawHead();
      const run = state.run;
      fill(props, h(
        "tbody",
        {},
        [
          ["Run Id", run.id],
          ["Status", run.status],
          ["Started", run.start],
          ["Ended", run.end],
          ["Arguments", (run.arguments || []).join(" ")],
          ...Object.entries(run.tags || {}).map(([k, v]) => [`tag ${k}`, v]),
          ...Object.entries(run.properties || {}).map(([k, v]) => [k, v])
        ].map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, fmt(v))))
      ));
      const items = [
        ...Object.entries(state.others),
        ...Object.entries(state.series).filter(([, v]) => v.length === 1).map(([k, v]) => [k, v[0]]),
        ...Object.entries(state.series).filter(([, v]) => v.length > 1).map(([k, v]) => [k, `${v.length} values, last ${fmt(v[v.length - 1])}`])
      ];
      fill(scalars, h("tbody", {}, items.map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, fmt(v))))));
      log.textContent = state.log;
      log.scrollTop = log.scrollHeight;
      drawCharts();
    },
    redraw() {
      if (state) drawCharts();
    },
    tick(current) {
      state = current;
      drawHead();
    },
    showDetails() {
    },
    cancelResult() {
    },
    destroy() {
      stopTheme();
      for (const div of plots.values()) Plotly.purge(div);
    }
  };
}

// src/plotly_loader.js
var CACHE = "__hdnotebookPlotlyByVersion";
var REF = "anywidget:";
var LOOKUP_MS = 1e4;
function evaluate(source) {
  const wrapped = `const module = { exports: {} }; const exports = module.exports;
${source}
export default module.exports;
`;
  const url = URL.createObjectURL(new Blob([wrapped], { type: "text/javascript" }));
  return import(
    /* @vite-ignore */
    url
  ).then((m) => m.default).finally(() => URL.revokeObjectURL(url));
}
function cached(version, origin, load) {
  const cache = globalThis[CACHE] ?? (globalThis[CACHE] = /* @__PURE__ */ new Map());
  if (!cache.has(version)) {
    const promise = Promise.resolve().then(load);
    promise.catch(() => cache.delete(version));
    cache.set(version, { promise, origin });
  }
  return cache.get(version);
}
function preloadPlotly(library) {
  const source = library.get("source");
  if (source) cached(library.get("version") || "unknown", "library-model", () => evaluate(source));
}
async function libraryModel(model, host) {
  const ref = model.get("library");
  if (typeof ref !== "string" || !ref.startsWith(REF)) return null;
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error("timed out")), LOOKUP_MS);
  });
  try {
    if (host && typeof host.getModel === "function") return await Promise.race([host.getModel(ref), timeout]);
    if (model.widget_manager) return await Promise.race([model.widget_manager.get_model(ref.slice(REF.length)), timeout]);
  } catch (error) {
    console.warn("hdnotebook: the shared plotly.js model is not available; asking the kernel", error);
  } finally {
    clearTimeout(timer);
  }
  return null;
}
function askKernel(model, send) {
  return new Promise((resolve) => {
    const onMessage = (message) => {
      if (message.type !== "library") return;
      model.off("msg:custom", onMessage);
      resolve(message.source);
    };
    model.on("msg:custom", onMessage);
    send({ type: "library" });
  });
}
async function acquirePlotly(model, host, send) {
  const version = model.get("plotly_version") || "unknown";
  const known = globalThis[CACHE]?.get(version);
  if (known) return { Plotly: await known.promise, origin: known.origin };
  const library = await libraryModel(model, host);
  const entry = library && library.get("source") ? cached(library.get("version") || version, "library-model", () => evaluate(library.get("source"))) : cached(version, "kernel", () => askKernel(model, send).then(evaluate));
  return { Plotly: await entry.promise, origin: entry.origin };
}

// src/static_twin.js
function hideStaticTwin(key) {
  if (!key || !/^[\w-]+$/.test(key)) return () => {
  };
  const style = document.createElement("style");
  const marker = `[data-hdnb-static="${key}"], .hdnb-static-${key}`;
  style.dataset.hdnbHides = key;
  style.textContent = `${marker}, .jp-OutputArea-child:has(${marker}) { display: none !important; }`;
  document.head.appendChild(style);
  return () => style.remove();
}

// src/index.js
function readSnapshot(model) {
  const snapshot = model.get("snapshot");
  if (typeof snapshot !== "string") return snapshot ? JSON.parse(JSON.stringify(snapshot)) : null;
  try {
    return snapshot ? JSON.parse(snapshot) : null;
  } catch {
    return null;
  }
}
function deferredPlotly() {
  let library = null;
  const Plotly = new Proxy({}, { get: (_, name) => (...args) => library ? library[name](...args) : Promise.resolve() });
  return { Plotly, ready: (loaded) => {
    library = loaded;
  } };
}
function render({ model, el, host }) {
  performance.mark("hdnotebook-render");
  const viewId = Math.random().toString(36).slice(2);
  const send = (message) => model.send({ ...message, view: viewId });
  const { Plotly, ready } = deferredPlotly();
  const root = document.createElement("div");
  root.className = "hdnb";
  root.dataset.testid = "hdnotebook-run-details";
  el.appendChild(root);
  acquirePlotly(model, host, send).then(({ Plotly: loaded, origin }) => {
    performance.mark("hdnotebook-plotly");
    ready(loaded);
    root.dataset.plotlyFrom = origin;
    setTimeout(() => {
      if (view) view.redraw();
    }, 0);
  });
  const showStaticTwin = hideStaticTwin(model.get("static_key"));
  const usable = (snapshot) => Boolean(snapshot && snapshot.run && snapshot.kind);
  const loading = Object.assign(document.createElement("div"), { className: "hdnb-empty", textContent: "Loading\u2026" });
  loading.dataset.testid = "loading";
  let state = null;
  let view = null;
  const build = () => {
    loading.remove();
    root.dataset.kind = state.kind;
    view = state.kind === "sweep" ? createSweepView(root, { Plotly, send }) : createRunView(root, { Plotly, send });
    const started = performance.now();
    view.update(state);
    root.dataset.renderMs = String(Math.round(performance.now() - started));
    root.dataset.seq = String(state.seq);
  };
  let scheduled = false;
  const refresh = () => {
    root.dataset.seq = String(state.seq);
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      view.update(state);
    });
  };
  const onSnapshot = () => {
    const snapshot = readSnapshot(model);
    if (!usable(snapshot)) return;
    state = createState(snapshot);
    if (view) refresh();
    else build();
  };
  const onMessage = (message) => {
    if (message.type === "delta") {
      const delta = message.delta;
      if (!state) {
        send({ type: "resync" });
        return;
      }
      if (delta.seq <= state.seq) return;
      if (delta.seq !== state.seq + 1) {
        send({ type: "resync" });
        return;
      }
      applyDelta(state, delta);
      refresh();
      return;
    }
    if (!view || message.view && message.view !== viewId) return;
    if (message.type === "metric_curves") {
      state.curves[message.name] = message.curves;
      if (!state.streamed.includes(message.name)) state.streamed.push(message.name);
      refresh();
    } else if (message.type === "details") view.showDetails(message.details);
    else if (message.type === "cancel_result") view.cancelResult(message);
    else if (message.type === "importances" && view.showImportances) view.showImportances(message);
  };
  model.on("change:snapshot", onSnapshot);
  model.on("msg:custom", onMessage);
  const first = readSnapshot(model);
  if (usable(first)) {
    state = createState(first);
    build();
  } else root.append(loading);
  send({ type: "hello", seq: state ? state.seq : -1 });
  const clock = setInterval(() => {
    if (view) view.tick(state);
  }, 1e3);
  return () => {
    clearInterval(clock);
    showStaticTwin();
    model.off("change:snapshot", onSnapshot);
    model.off("msg:custom", onMessage);
    send({ type: "bye" });
    if (view) view.destroy();
  };
}
function initialize({ model }) {
  if (model.get("source")) preloadPlotly(model);
}
var index_default = { initialize, render };
export {
  index_default as default
};
