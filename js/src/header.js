// The sweep header: status, elapsed time, runs by status, best metric, time left, cancel button.
import { fill, h, fmt, fmtDuration, statusClass } from "./dom.js";
import { bestRow, eta, isTerminal, serverNow, statusCounts } from "./state.js";

export function createHeader(root, { onCancelSweep }) {
  const el = h("div", { className: "hdnb-header" });
  root.append(el);
  function update(state) {
    const run = state.run;
    const now = serverNow(state);
    const elapsed = run.start == null ? 0 : (run.end ?? now) - run.start;
    const best = bestRow(state);
    const left = eta(state, now);
    const total = state.runs.length || 1;
    const bar = h("div", { className: "hdnb-statusbar", dataset: { testid: "status-bar" } },
      statusCounts(state).map(([status, count]) =>
        h("div", { className: statusClass(status), style: { flexGrow: String(count) }, title: `${status} (${count})` },
          `${status} (${count})`)));
    fill(el, 
      h("div", { className: "hdnb-title" },
        h("span", { className: statusClass(run.status), dataset: { testid: "run-status" } }, run.status),
        h("span", { className: "hdnb-runid" }, run.id),
        h("span", { className: "hdnb-meta" }, `${run.sampling || ""} sampling · policy ${run.policy?.name || "Default"} · `,
          `${state.runs.length}/${run.max_total ?? "?"} runs · up to ${run.max_concurrent ?? "?"} at once`),
        !isTerminal(run.status) && h("button", { className: "hdnb-danger", dataset: { testid: "cancel-sweep" }, onclick: onCancelSweep }, "Cancel sweep")),
      h("div", { className: "hdnb-facts" },
        h("span", {}, "Elapsed ", h("b", { dataset: { testid: "elapsed" } }, fmtDuration(elapsed))),
        h("span", {}, `Best ${run.primary.name} `,
          h("b", { dataset: { testid: "best-metric" } }, best ? fmt(best.best) : "—"),
          best ? ` (run #${best.n})` : ""),
        h("span", {}, "Time left ", h("b", {}, left == null ? "estimating…" : isTerminal(run.status) ? "none" : `~${fmtDuration(left)}`))),
      state.runs.length ? bar : h("div", { className: "hdnb-empty" }, "No runs scheduled yet"),
      run.error ? h("div", { className: "hdnb-error" }, run.error) : null,
      run.warning && !best ? h("div", { className: "hdnb-warning", dataset: { testid: "sweep-warning" } }, "⚠ ", run.warning) : null);
    void total;
  }
  return { update };
}
