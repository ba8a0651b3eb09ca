// The child-run table: sortable on every column, filtered by status and by the brush, paged, with a
// choice of columns. Its controls sit above the horizontally scrolling table, so they never scroll away,
// and they are built once (a select the user has open is not replaced by the next update).
import { fill, h, fmt, fmtDuration, fmtTime, statusClass } from "./dom.js";
import { duration, serverNow, visibleRows } from "./state.js";

export const PAGE_SIZES = [10, 25, 50, 100];
// Shown on demand only: they repeat what the curves show, or take room from the hyperparameters.
const HIDDEN_BY_DEFAULT = ["last", "start"];
// Cells whose text can be long are cut to the column's width; the whole text is the cell's tooltip.
const CLIPPED = (key) => key === "reason" || key.startsWith("param:");

export function createTable(root, { onSelect, onClearBrush }) {
  const view = { column: "best", descending: null, status: "all", page: 0, pageSize: PAGE_SIZES[0], brushed: null, selected: null };
  const hidden = new Set(HIDDEN_BY_DEFAULT);
  let last = null;
  let statusKey = "";
  let columnKey = "";

  const statusSelect = h("select", { dataset: { testid: "status-filter" }, onchange: (e) => { view.status = e.target.value; view.page = 0; update(last); } });
  const brushNote = h("span", { className: "hdnb-brushed", dataset: { testid: "brush-note" }, style: { display: "none" } });
  const clearBrush = h("button", { dataset: { testid: "clear-brush" }, style: { display: "none" }, onclick: () => onClearBrush() }, "Clear brush");
  const count = h("span", { className: "hdnb-count", dataset: { testid: "row-count" } });
  const columnMenu = h("div", { className: "hdnb-colmenu" });
  const columnPicker = h("details", { className: "hdnb-colpick", dataset: { testid: "column-picker" } }, h("summary", {}, "Columns"), columnMenu);
  const pageSize = h("select", { dataset: { testid: "page-size" }, onchange: (e) => { view.pageSize = Number(e.target.value); view.page = 0; update(last); } },
    PAGE_SIZES.map((n) => h("option", { value: String(n) }, String(n))));
  const table = h("table", { className: "hdnb-table", dataset: { testid: "run-table" } });
  const scroller = h("div", { className: "hdnb-table-scroll", dataset: { testid: "table-scroll" } }, table);
  const pager = h("div", { className: "hdnb-pager", dataset: { testid: "pager" } });
  root.append(h("div", { className: "hdnb-table-wrap" },
    h("div", { className: "hdnb-toolbar", dataset: { testid: "table-controls" } },
      h("label", {}, "Status ", statusSelect), brushNote, clearBrush, count, columnPicker,
      h("label", {}, "Rows per page ", pageSize)),
    scroller, pager));

  function columns(state) {
    const metric = state.run.primary.name;
    // The hyperparameters come right after the result, so that a narrow pane still shows them.
    return [
      ["n", "Run"], ["status", "Status"], ["best", `Best ${metric}`],
      ...state.params.map((p) => [`param:${p.key}`, p.key]),
      ["last", `Last ${metric}`], ["count", "Intervals"], ["duration", "Duration"], ["start", "Started"],
      ["reason", "Stopped because"],
    ];
  }

  function cell(row, column, now) {
    if (column === "n" && row.inherited) return h("span", { className: "hdnb-inherited-mark", title: `a run of the earlier sweep ${row.inherited}` }, `↩ ${row.n}`);
    if (column === "n" && row.resumes) return h("span", { title: `resumes ${row.resumes} from its checkpoints` }, `${row.n} ⟲ ${row.resumes.split("_").pop()}`);
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
      fill(columnMenu, all.map(([k, title]) => h("label", {},
        h("input", { type: "checkbox", checked: !hidden.has(k), dataset: { column: k }, onchange: (e) => {
          if (e.target.checked) hidden.delete(k); else hidden.add(k);
          update(last);
        } }), ` ${title}`)));
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
    const go = (page) => () => { view.page = page; update(last); };
    fill(table,
      h("thead", {}, h("tr", {}, cols.map(([key, title]) =>
        h("th", {
          className: key === view.column ? (view.descending ? "sorted desc" : "sorted asc") : "",
          dataset: { column: key },
          onclick: () => {
            view.descending = view.column === key ? !view.descending : key === "best" ? state.run.primary.goal === "maximize" : false;
            view.column = key;
            update(last);
          },
        }, title)))),
      h("tbody", {}, shown.length ? shown.map((row) =>
        h("tr", {
          className: [row.inherited ? "hdnb-inherited" : "", row.id === view.selected ? "hdnb-selected" : ""].join(" ").trim() || null,
          dataset: { runId: row.id, testid: "run-row" },
          onclick: () => { select(row.id); onSelect(row.id); },
        }, cols.map(([key]) => {
          const content = cell(row, key, now);
          return CLIPPED(key) ? h("td", { className: "hdnb-clip", title: typeof content === "string" ? content : null }, content) : h("td", {}, content);
        })))
        : h("tr", {}, h("td", { colspan: String(cols.length), className: "hdnb-empty" }, "No runs scheduled yet"))));
    fill(pager,
      h("button", { onclick: go(0), disabled: view.page === 0 }, "«"),
      h("button", { onclick: go(view.page - 1), disabled: view.page === 0 }, "‹"),
      h("span", {}, ` Page ${view.page + 1} of ${pages} `),
      h("button", { onclick: go(view.page + 1), disabled: view.page >= pages - 1 }, "›"),
      h("button", { onclick: go(pages - 1), disabled: view.page >= pages - 1 }, "»"));
  }

  function setBrush(brushed) {
    view.brushed = brushed;
    view.page = 0;
    if (last) update(last);
  }

  // The run whose details are open is highlighted (null: none).
  function select(runId) {
    view.selected = runId;
    for (const tr of table.querySelectorAll("tr[data-run-id]")) tr.classList.toggle("hdnb-selected", tr.dataset.runId === runId);
  }

  return { update, setBrush, select };
}
