// Parallel coordinates: the runs' lines on a 2-D canvas under an SVG layer of axes, brushes and colour bar.
// Not plotly's parcoords: that one draws with WebGL, whose first drawing takes 1-1.5 s of the page's main thread
// with software rendering (headless browsers, remote desktops, machines without a GPU), and uses three WebGL contexts
// per chart, so a page showing a sixth sweep (the browser keeps 16 contexts) loses the first chart. A canvas draws 5000 runs in
// tens of milliseconds, every run, and any number of charts.
import { extent } from "d3-array";
import { axisLeft, axisRight } from "d3-axis";
import { brushY } from "d3-brush";
import { scaleLinear } from "d3-scale";
import { select } from "d3-selection";

const MARGIN = { top: 44, right: 90, bottom: 16, left: 56 };
const BRUSH_HALF_WIDTH = 12;
const COLOR_BINS = 48;
const BAR_WIDTH = 12;
// plotly's Viridis (its scatter charts' colour scale), dark to yellow.
const VIRIDIS_STOPS = ["#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725"];
const viridis = scaleLinear().domain(VIRIDIS_STOPS.map((_, i) => i / (VIRIDIS_STOPS.length - 1))).range(VIRIDIS_STOPS);

// [lo, hi] of the finite numbers among ``values`` ([undefined, undefined] when there is none).
const finiteExtent = (values) => extent(values, (v) => (Number.isFinite(v) ? v : NaN));

// Where a value sits on an axis: [lo, hi] of the values (numbers; categories are indices), widened when they are one.
export function axisDomain(dim, values) {
  if (dim.range) return dim.range;
  let [lo, hi] = finiteExtent(values);
  if (lo === undefined) return [0, 1];
  if (lo === hi) { const pad = Math.abs(lo) / 10 || 1; lo -= pad; hi += pad; }
  return [lo, hi];
}

// The colour of a metric value: Viridis from the worst (dark) to the best (yellow) value.
export function colorPosition(value, [lo, hi], minimize) {
  const t = hi > lo ? (value - lo) / (hi - lo) : 1;
  return Math.min(1, Math.max(0, minimize ? 1 - t : t));
}

// Whether a row's values lie inside every brushed range (ranges: label -> [lo, hi] or a list of them).
export function insideRanges(values, dims, ranges) {
  return dims.every((d, i) => {
    const range = ranges[d.label];
    if (!range) return true;
    const v = values[i];
    return (Array.isArray(range[0]) ? range : [range]).some(([a, b]) => v >= Math.min(a, b) && v <= Math.max(a, b));
  });
}

/** A parallel coordinates chart in ``root``. ``draw({ rows, dims, minimize, ranges, colors })`` draws
 * ``rows`` (each with ``best``, its metric) on one axis per ``dims`` entry ({ label, value(row), tickvals,
 * ticktext, range }); a drag along an axis brushes it and calls ``onBrush(ranges)`` (label -> [lo, hi] in the
 * axis's values) as the brush moves and when it ends; a click on an axis clears its brush. */
export function createParcoords(root, { onBrush }) {
  const box = document.createElement("div");
  box.className = "hdnb-parcoords";
  box.dataset.testid = "parcoords";
  const canvas = document.createElement("canvas");
  const svg = select(box).append("svg").attr("class", "hdnb-parcoords-svg");
  box.prepend(canvas);
  root.append(box);
  let last = null; // the last draw's arguments and geometry
  let ranges = {};
  let frame = 0;
  let axesKey = null;
  const brushes = new Map();

  function geometry(args) {
    const width = Math.max(200, box.clientWidth || 600);
    const height = Math.max(160, box.clientHeight || 360);
    const { rows, dims } = args;
    const values = rows.map((r) => dims.map((d) => d.value(r)));
    const left = MARGIN.left;
    const right = width - MARGIN.right;
    const step = dims.length > 1 ? (right - left) / (dims.length - 1) : 0;
    const axes = dims.map((d, i) => {
      const domain = axisDomain(d, values.map((v) => v[i]));
      return { dim: d, x: left + i * step, y: scaleLinear().domain(domain).range([height - MARGIN.bottom, MARGIN.top]) };
    });
    const [lo, hi] = finiteExtent(rows.map((r) => r.best));
    const metricRange = lo === undefined ? [0, 1] : [lo, hi];
    return { ...args, width, height, values, axes, metricRange };
  }

  // The lines: those outside the brush faint, the others in their colour, the best drawn last (on top).
  function paintLines(g) {
    const ratio = window.devicePixelRatio || 1;
    const [width, height] = [Math.round(g.width * ratio), Math.round(g.height * ratio)];
    if (canvas.width !== width || canvas.height !== height) { // a new size reallocates the canvas: only when it changes
      Object.assign(canvas, { width, height });
      Object.assign(canvas.style, { width: `${g.width}px`, height: `${g.height}px` });
    }
    const context = canvas.getContext("2d");
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, g.width, g.height);
    const brushed = Object.values(ranges).some(Boolean);
    const faint = new Path2D();
    const bins = Array.from({ length: COLOR_BINS }, () => new Path2D());
    let drawn = 0;
    g.values.forEach((values, k) => {
      const inside = !brushed || insideRanges(values, g.dims, ranges);
      const path = inside ? bins[Math.round(colorPosition(g.rows[k].best, g.metricRange, g.minimize) * (COLOR_BINS - 1))] : faint;
      let pen = false;
      g.axes.forEach((axis, i) => {
        const v = values[i];
        if (!Number.isFinite(v)) { pen = false; return; }
        const y = axis.y(v);
        if (pen) path.lineTo(axis.x, y); else path.moveTo(axis.x, y);
        pen = true;
      });
      if (inside) drawn += 1;
    });
    const alpha = Math.max(0.25, Math.min(0.9, 40 / Math.sqrt(Math.max(1, drawn))));
    context.lineWidth = drawn > 100 ? 1 : 2;
    context.globalAlpha = 0.35;
    context.strokeStyle = g.colors.grid;
    context.stroke(faint);
    context.globalAlpha = alpha;
    bins.forEach((path, i) => {
      context.strokeStyle = viridis(i / (COLOR_BINS - 1));
      context.stroke(path);
    });
    box.dataset.lines = String(g.rows.length);
    box.dataset.highlighted = String(drawn);
  }

  function rangeOf(axis, selection) {
    if (!selection) return undefined;
    const [a, b] = selection.map((px) => axis.y.invert(px));
    return [Math.min(a, b), Math.max(a, b)];
  }

  // A brush per axis label, kept across draws: the user's brush is moved or cleared, never rebuilt under the mouse.
  function brushFor(label) {
    if (!brushes.has(label)) {
      brushes.set(label, brushY().on("start brush end", (event) => {
        if (!event.sourceEvent) return; // moved by this code (a draw showing ``ranges``)
        const axis = last.axes.find((a) => a.dim.label === label);
        ranges[label] = axis && rangeOf(axis, event.selection);
        if (!ranges[label]) delete ranges[label];
        cancelAnimationFrame(frame);
        frame = requestAnimationFrame(() => paintLines(last));
        if (event.type === "end") axesKey = null; // the brush shown is no longer the one the key describes
        if (event.type !== "start") onBrush({ ...ranges });
      }));
    }
    return brushes.get(label);
  }

  // The SVG layer: one group per axis (ticks, label, brush) updated in place, and the colour bar. Skipped when
  // nothing it shows changed (most streamed updates change only the lines).
  function paintAxes(g) {
    const key = JSON.stringify([g.width, g.height, g.axes.map((a) => [a.dim.label, a.x, a.y.domain(), a.dim.ticktext]),
      g.metricRange, g.minimize, g.colors, ranges]);
    if (key === axesKey) return;
    axesKey = key;
    svg.attr("width", g.width).attr("height", g.height).attr("viewBox", `0 0 ${g.width} ${g.height}`);
    const font = g.colors.font;
    const top = MARGIN.top;
    const bottom = g.height - MARGIN.bottom;
    svg.selectAll("g.hdnb-parcoords-axis").data(g.axes, (axis) => axis.dim.label)
      .join((enter) => {
        const group = enter.append("g").attr("class", "hdnb-parcoords-axis").attr("data-testid", "parcoords-axis");
        group.append("g").attr("class", "hdnb-parcoords-ticks");
        group.append("text").attr("class", "hdnb-parcoords-label").attr("text-anchor", "middle");
        group.append("g").attr("class", "hdnb-parcoords-brush").attr("data-testid", "parcoords-brush");
        return group;
      })
      .attr("transform", (axis) => `translate(${axis.x},0)`)
      .each(function paintAxis(axis) {
        const d = axis.dim;
        const group = select(this);
        const ticks = axisLeft(axis.y).tickSizeOuter(0);
        if (d.tickvals) ticks.tickValues(d.tickvals).tickFormat((_, i) => d.ticktext[i]);
        else ticks.ticks(Math.max(3, Math.floor((bottom - top) / 40)));
        const tickGroup = group.select(".hdnb-parcoords-ticks").call(ticks);
        tickGroup.selectAll("path, line").attr("stroke", g.colors.line);
        tickGroup.selectAll("text").attr("fill", font);
        group.select(".hdnb-parcoords-label").attr("y", top - 14).attr("fill", font)
          .style("font-weight", d.metric ? "bold" : null).text(d.label);
        const brush = brushFor(d.label).extent([[-BRUSH_HALF_WIDTH, top], [BRUSH_HALF_WIDTH, bottom]]);
        const brushGroup = group.select(".hdnb-parcoords-brush").call(brush);
        brushGroup.select(".selection").attr("fill", font).attr("fill-opacity", 0.15).attr("stroke", font);
        const range = ranges[d.label];
        const [a, b] = range ? (Array.isArray(range[0]) ? range[0] : range) : [];
        brushGroup.call(brush.move, range
          ? [axis.y(Math.max(a, b)), axis.y(Math.min(a, b))].map((y) => Math.min(bottom, Math.max(top, y))) : null);
      });
    paintColorBar(g);
  }

  function paintColorBar(g) {
    svg.selectAll("defs, g.hdnb-parcoords-colorbar").remove();
    const x = g.width - MARGIN.right + 34;
    const id = `hdnb-viridis-${Math.random().toString(36).slice(2)}`;
    const gradient = svg.append("defs").append("linearGradient").attr("id", id).attr("x1", 0).attr("x2", 0)
      .attr("y1", g.minimize ? 0 : 1).attr("y2", g.minimize ? 1 : 0);
    for (let i = 0; i <= 10; i += 1) gradient.append("stop").attr("offset", i / 10).attr("stop-color", viridis(i / 10));
    const scale = scaleLinear().domain(g.metricRange).range([g.height - MARGIN.bottom, MARGIN.top]);
    const bar = svg.append("g").attr("class", "hdnb-parcoords-colorbar").attr("transform", `translate(${x},0)`);
    bar.append("rect").attr("y", MARGIN.top).attr("width", BAR_WIDTH).attr("height", g.height - MARGIN.bottom - MARGIN.top)
      .attr("fill", `url(#${id})`);
    const ticks = bar.append("g").attr("transform", `translate(${BAR_WIDTH},0)`).call(axisRight(scale).ticks(5).tickSizeOuter(0));
    ticks.selectAll("path, line").attr("stroke", g.colors.line);
    ticks.selectAll("text").attr("fill", g.colors.font);
  }

  function paint(args) {
    last = geometry(args);
    paintLines(last);
    paintAxes(last);
  }

  const resize = new ResizeObserver(() => {
    if (!last || box.clientWidth === last.width) return;
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => paint(last));
  });
  resize.observe(box);

  return {
    /** Draw ``rows`` (see createParcoords); ``ranges`` are the brushes to show. */
    draw(args) {
      ranges = Object.fromEntries(Object.entries(args.ranges || {}).filter(([, r]) => r));
      paint(args);
    },
    destroy() {
      resize.disconnect();
      cancelAnimationFrame(frame);
      box.remove();
    },
    element: box,
  };
}
