// anywidget entry point of RunDetails. The snapshot trait rebuilds the state; "delta" messages update it;
// a gap in delta numbers asks the kernel for a resync. Plotly is provided by the module's prelude.
import { applyDelta, createState } from "./state.js";
import { createSweepView } from "./sweep_view.js";
import { createRunView } from "./run_view.js";

function render({ model, el }) {
  const Plotly = globalThis.__hdnotebookPlotly;
  const viewId = Math.random().toString(36).slice(2);
  const send = (message) => model.send({ ...message, view: viewId });
  const root = document.createElement("div");
  root.className = "hdnb";
  root.dataset.testid = "hdnotebook-run-details";
  el.appendChild(root);

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
    if (!usable(model.get("snapshot"))) return;
    state = createState(model.get("snapshot"));
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
  };
  model.on("change:snapshot", onSnapshot);
  model.on("msg:custom", onMessage);
  if (usable(model.get("snapshot"))) {
    state = createState(model.get("snapshot"));
    build();
  } else root.append(loading);
  send({ type: "hello", seq: state ? state.seq : -1 });
  const clock = setInterval(() => { if (view) view.tick(state); }, 1000);
  return () => {
    clearInterval(clock);
    model.off("change:snapshot", onSnapshot);
    model.off("msg:custom", onMessage);
    send({ type: "bye" });
    if (view) view.destroy();
  };
}

export default { render };
