// anywidget entry point of RunDetails. The snapshot trait rebuilds the state; "delta" messages update it;
// a gap in delta numbers asks the kernel for a resync. Plotly comes from the shared library model (plotly_loader.js).
import { applyDelta, createState } from "./state.js";
import { createSweepView } from "./sweep_view.js";
import { createRunView } from "./run_view.js";
import { acquirePlotly } from "./plotly_loader.js";
import { hideStaticTwin } from "./static_twin.js";

// the kernel sends the snapshot as one JSON string (compact in saved widget state)
function readSnapshot(model) {
  const snapshot = model.get("snapshot");
  return typeof snapshot === "string" ? JSON.parse(snapshot) : snapshot;
}

async function render({ model, el, host }) {
  const viewId = Math.random().toString(36).slice(2);
  const send = (message) => model.send({ ...message, view: viewId });
  const { Plotly, origin } = await acquirePlotly(model, host, send);
  const root = document.createElement("div");
  root.className = "hdnb";
  root.dataset.testid = "hdnotebook-run-details";
  root.dataset.plotlyFrom = origin;
  el.appendChild(root);
  const showStaticTwin = hideStaticTwin(model.get("static_key"));

  let state = createState(readSnapshot(model));
  root.dataset.kind = state.kind;
  const view = state.kind === "sweep" ? createSweepView(root, { Plotly, send }) : createRunView(root, { Plotly, send });
  let scheduled = false;
  const refresh = () => {
    root.dataset.seq = String(state.seq);
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => { scheduled = false; view.update(state); });
  };

  const onSnapshot = () => { state = createState(readSnapshot(model)); refresh(); };
  const onMessage = (message) => {
    if (message.type === "delta") {
      const delta = message.delta;
      if (delta.seq <= state.seq) return;
      if (delta.seq !== state.seq + 1) { send({ type: "resync" }); return; }
      applyDelta(state, delta);
      refresh();
      return;
    }
    if (message.view && message.view !== viewId) return;
    if (message.type === "metric_curves") {
      state.curves[message.name] = message.curves;
      if (!state.streamed.includes(message.name)) state.streamed.push(message.name);
      refresh();
    } else if (message.type === "details") view.showDetails(message.details);
    else if (message.type === "cancel_result") view.cancelResult(message);
  };
  model.on("change:snapshot", onSnapshot);
  model.on("msg:custom", onMessage);
  send({ type: "hello", seq: state.seq });
  const started = performance.now();
  view.update(state);
  root.dataset.renderMs = String(Math.round(performance.now() - started));
  root.dataset.seq = String(state.seq);
  const clock = setInterval(() => view.tick(state), 1000);
  return () => {
    clearInterval(clock);
    showStaticTwin();
    model.off("change:snapshot", onSnapshot);
    model.off("msg:custom", onMessage);
    send({ type: "bye" });
    view.destroy();
  };
}

export default { render };
