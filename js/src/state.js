// Pure state of the RunDetails front end: built from a snapshot, updated by deltas, read by selectors.

export const TERMINAL = ["Completed", "Failed", "Canceled"];
export const STATUS_ORDER = ["Completed", "Running", "CancelRequested", "Queued", "NotStarted", "Starting", "Failed", "Canceled"];

export function isTerminal(status) {
  return TERMINAL.includes(status);
}

// The state takes ``snapshot`` over (deltas change it in place): give it an object of its own.
export function createState(snapshot) {
  const state = snapshot || {};
  state.seq = state.seq ?? 0;
  // counts the deltas that changed a child row (status, times, best...): charts of the rows redraw only then
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
  state.receivedAt = Date.now() / 1000;
  state.clockOffset = state.run ? state.receivedAt - (state.run.now || state.receivedAt) : 0;
  return state;
}

function appendSeries(target, source) {
  for (const [key, values] of Object.entries(source || {})) {
    (target[key] ??= []).push(...values);
  }
}

export function applyDelta(state, delta) {
  state.seq = delta.seq;
  if (delta.run) {
    Object.assign(state.run, delta.run);
    state.clockOffset = Date.now() / 1000 - (delta.run.now || Date.now() / 1000);
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
      appendSeries((state.curves[metric] ??= {}), byRun);
    }
    if (delta.metrics) state.metrics = [...new Set([...state.metrics, ...delta.metrics])].sort();
  } else {
    appendSeries(state.series, delta.series);
    Object.assign(state.others, delta.others || {});
    if (delta.log) state.log = (state.log + delta.log).slice(-20000);
  }
  return state;
}

export function better(goal) {
  return goal === "maximize" ? (a, b) => a > b : (a, b) => a < b;
}

export function bestRow(state) {
  const isBetter = better(state.run.primary.goal);
  let best = null;
  for (const row of state.runs) {
    if (row.best == null) continue;
    if (best === null || isBetter(row.best, best.best)) best = row;
  }
  return best;
}

export function statusCounts(state) {
  const counts = new Map();
  for (const row of state.runs) counts.set(row.status, (counts.get(row.status) || 0) + 1);
  return [...counts.entries()].sort((a, b) => STATUS_ORDER.indexOf(a[0]) - STATUS_ORDER.indexOf(b[0]));
}

export function serverNow(state) {
  return Date.now() / 1000 - (state.clockOffset || 0);
}

export function duration(row, now) {
  if (row.start == null) return null;
  return Math.max(0, (row.end ?? now) - row.start);
}

function median(values) {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// Seconds left. A run that goes its full length takes the median duration of the Completed runs (runs
// stopped early by the policy are not a measure of that); a running run has left what its intervals so
// far say about the rest of its full length (or that median less its elapsed time); the runs not started
// yet (queued, or still in the budget of max_total) fill the slots as they free up.
// Null until a run has gone its full length.
export function eta(state, now) {
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
    if (fullCount && r.count > 0) return Math.max(0, (elapsed / r.count) * (fullCount - r.count));
    return Math.max(0, typical - elapsed);
  });
  // List scheduling: each slot frees when its run ends; each waiting run takes the first free slot.
  const slots = Math.max(1, state.run.max_concurrent || 1, started.length);
  const free = [...runningLeft, ...Array(Math.max(0, slots - runningLeft.length)).fill(0)].sort((a, b) => a - b);
  for (let k = 0; k < waiting + budget; k++) {
    free[0] += typical;
    free.sort((a, b) => a - b);
  }
  return Math.max(0, ...free);
}

export function paramValue(row, key) {
  return row.params ? row.params[key] : undefined;
}

const COLUMN_VALUE = {
  n: (r) => r.n,
  status: (r) => r.status,
  best: (r) => r.best,
  last: (r) => r.last,
  count: (r) => r.count,
  start: (r) => r.start,
  duration: (r, now) => duration(r, now),
  reason: (r) => r.reason,
};

export function columnValue(row, column, now) {
  if (column.startsWith("param:")) return paramValue(row, column.slice(6));
  return COLUMN_VALUE[column](row, now);
}

function compare(a, b) {
  if (a == null && b == null) return 0;
  if (a == null) return 1;
  if (b == null) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

// The table's rows: filtered by status and by the brushed set (null = no brush), sorted (nulls last).
export function visibleRows(state, { column, descending, status, brushed }, now) {
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

export function rankedRunIds(state) {
  const isBetter = better(state.run.primary.goal);
  return state.runs
    .filter((r) => r.best != null)
    .sort((a, b) => (isBetter(a.best, b.best) ? -1 : isBetter(b.best, a.best) ? 1 : a.n - b.n))
    .map((r) => r.id);
}
