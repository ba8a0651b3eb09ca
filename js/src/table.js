// The child-run table: sortable on every column, filtered by status and by the brush, paged.
import { fill, h, fmt, fmtDuration, fmtTime, statusClass } from "./dom.js";
import { duration, serverNow, visibleRows } from "./state.js";

const PAGE_SIZE = 10;

export function createTable(root, { onSelect }) {
  const el = h("div", { className: "hdnb-table-wrap" });
  root.append(el);
  const view = { column: "best", descending: null, status: "all", page: 0, brushed: null };
  let last = null;

  function columns(state) {
    const metric = state.run.primary.name;
    return [
      ["n", "Run"], ["status", "Status"], ["best", `Best ${metric}`], ["last", `Last ${metric}`], ["count", "Intervals"],
      ["duration", "Duration"], ["start", "Started"],
      ...state.params.map((p) => [`param:${p.key}`, p.key]),
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

  function update(state) {
    last = state;
    if (view.descending === null) view.descending = state.run.primary.goal === "maximize";
    const now = serverNow(state);
    const rows = visibleRows(state, view, now);
    const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
    view.page = Math.min(view.page, pages - 1);
    const shown = rows.slice(view.page * PAGE_SIZE, (view.page + 1) * PAGE_SIZE);
    const statuses = [...new Set(state.runs.map((r) => r.status))].sort();
    const cols = columns(state);
    const go = (page) => () => { view.page = page; update(last); };
    fill(el, 
      h("div", { className: "hdnb-toolbar" },
        h("label", {}, "Status ",
          h("select", { dataset: { testid: "status-filter" }, onchange: (e) => { view.status = e.target.value; view.page = 0; update(last); } },
            h("option", { value: "all" }, "All"),
            statuses.map((s) => h("option", { value: s, selected: s === view.status }, s)))),
        view.brushed ? h("span", { className: "hdnb-brushed", dataset: { testid: "brush-note" } },
          `${view.brushed.size} runs inside the parallel-coordinates brush`) : null,
        h("span", { className: "hdnb-count", dataset: { testid: "row-count" } }, `${rows.length} of ${state.runs.length} runs`)),
      h("table", { className: "hdnb-table", dataset: { testid: "run-table" } },
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
          h("tr", { className: row.inherited ? "hdnb-inherited" : null, dataset: { runId: row.id, testid: "run-row" }, onclick: () => onSelect(row.id) },
            cols.map(([key]) => h("td", {}, cell(row, key, now)))))
          : h("tr", {}, h("td", { colspan: String(cols.length), className: "hdnb-empty" }, "No runs scheduled yet")))),
      h("div", { className: "hdnb-pager", dataset: { testid: "pager" } },
        h("button", { onclick: go(0), disabled: view.page === 0 }, "«"),
        h("button", { onclick: go(view.page - 1), disabled: view.page === 0 }, "‹"),
        h("span", {}, ` Page ${view.page + 1} of ${pages} `),
        h("button", { onclick: go(view.page + 1), disabled: view.page >= pages - 1 }, "›"),
        h("button", { onclick: go(pages - 1), disabled: view.page >= pages - 1 }, "»")));
  }

  function setBrush(brushed) {
    view.brushed = brushed;
    view.page = 0;
    if (last) update(last);
  }

  return { update, setBrush };
}
