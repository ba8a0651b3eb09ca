// anywidget entry point of RunDetails. The snapshot trait rebuilds the state; "delta" messages update it;
// a gap in delta numbers asks the kernel for a resync. Plotly comes from the shared library model (plotly_loader.js).
import { applyDelta, createState } from "./state.js";
import { createSweepView } from "./sweep_view.js";
import { createRunView } from "./run_view.js";
import { acquirePlotly, preloadPlotly } from "./plotly_loader.js";
import { hideStaticTwin } from "./static_twin.js";

// the kernel sends the snapshot as one JSON string (compact in saved widget state); null when there is none yet.
// Always a new object, which the view's state then owns.
function readSnapshot(model) {
  const snapshot = model.get("snapshot");
  if (typeof snapshot !== "string") return snapshot ? JSON.parse(JSON.stringify(snapshot)) : null;
  try {
    return snapshot ? JSON.parse(snapshot) : null;
  } catch {
    return null;
  }
}

// plotly.js takes about a second to evaluate on a page's first dashboard: the header and table do not wait
// for it. Chart calls made before it is ready do nothing, and the view redraws its charts once it is.
function deferredPlotly() {
  let library = null;
  const Plotly = new Proxy({}, { get: (_, name) => (...args) => (library ? library[name](...args) : Promise.resolve()) });
  return { Plotly, ready: (loaded) => { library = loaded; } };
}

function render({ model, el, host }) {
  performance.mark("hdnotebook-render"); // when the view got its data (benchmarks/widget_stream.py reads it)
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
    setTimeout(() => { if (view) view.redraw(); }, 0); // a task of its own, not the end of plotly.js's evaluation
  });
  const showStaticTwin = hideStaticTwin(model.get("static_key"));

  // The view is built from the first usable snapshot: the trait can arrive empty, or after deltas; until
  // then a "loading" line shows, deltas ask for a resync, and the other messages are dropped.
  const usable = (snapshot) => Boolean(snapshot && snapshot.run && snapshot.kind);
  const loading = Object.assign(document.createElement("div"), { className: "hdnb-empty", textContent: "Loading…" });
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
    requestAnimationFrame(() => { scheduled = false; view.update(state); });
  };

  const onSnapshot = () => {
    const snapshot = readSnapshot(model);
    if (!usable(snapshot)) return;
    state = createState(snapshot);
    if (view) refresh(); else build();
  };
  const onMessage = (message) => {
    if (message.type === "delta") {
      const delta = message.delta;
      if (!state) { send({ type: "resync" }); return; }
      if (delta.seq <= state.seq) return;
      if (delta.seq !== state.seq + 1) { send({ type: "resync" }); return; }
      applyDelta(state, delta);
      refresh();
      return;
    }
    if (!view || (message.view && message.view !== viewId)) return;
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
  const clock = setInterval(() => { if (view) view.tick(state); }, 1000);
  return () => {
    clearInterval(clock);
    showStaticTwin();
    model.off("change:snapshot", onSnapshot);
    model.off("msg:custom", onMessage);
    send({ type: "bye" });
    if (view) view.destroy();
  };
}

// This module is also the shared plotly.js library model's (widget/library.py): that model starts plotly.js
// evaluating when it is created; a RunDetails model has no ``source`` and nothing to start.
function initialize({ model }) {
  if (model.get("source")) preloadPlotly(model);
}

export default { initialize, render };
