// The hyperparameter importance chart: fANOVA shares computed in the kernel when asked (a few seconds for a
// big sweep, so never on every update). The same figure as hdnotebook.plot.importances(run).
import { h } from "./dom.js";
import { chartColors, themed } from "./theme.js";

const CONFIG = { displayModeBar: false, responsive: true };

export function importanceLayout(keys) {
  return {
    height: Math.max(160, 40 + 28 * keys.length), margin: { l: 10, r: 10, t: 10, b: 30 },
    xaxis: { range: [0, 1], tickformat: ".0%", title: { text: "share of the variance explained" } },
    yaxis: { autorange: "reversed", type: "category", automargin: true },
  };
}

export function createImportance(root, Plotly, { onCompute }) {
  const button = h("button", { dataset: { testid: "importance-compute" } }, "compute");
  const note = h("span", { dataset: { testid: "importance-note" } }, "which hyperparameters matter for the primary metric");
  const plot = h("div", { className: "hdnb-plot", dataset: { testid: "importance" }, style: { display: "none" } });
  root.append(h("div", { className: "hdnb-section" },
    h("div", { className: "hdnb-toolbar" }, h("b", {}, "Importance"), button, note), plot));
  let shares = null;
  button.addEventListener("click", () => {
    button.disabled = true;
    note.textContent = "computing…";
    onCompute();
  });

  function draw() {
    if (!shares) return;
    const keys = Object.keys(shares);
    plot.style.display = "";
    const trace = {
      type: "bar", orientation: "h", x: keys.map((k) => shares[k]), y: keys, textposition: "auto",
      text: keys.map((k) => `${(shares[k] * 100).toFixed(1)}%`), hovertemplate: "%{y}: %{x:.1%}<extra></extra>",
    };
    Plotly.react(plot, [trace], themed(importanceLayout(keys), chartColors(plot)), CONFIG);
  }

  return {
    show(message) {
      button.disabled = false;
      button.textContent = "recompute";
      if (message.error) { note.textContent = message.error; return; }
      shares = message.shares;
      note.textContent = "fANOVA over the runs that logged the primary metric";
      draw();
    },
    redraw: draw,
    destroy() { Plotly.purge(plot); },
  };
}
