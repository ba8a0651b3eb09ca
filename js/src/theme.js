// The front end's light or dark theme, and chart colours that follow it.
// Hosts: JupyterLab and Notebook 7 (body[data-jp-theme-light], --jp-* CSS variables), VS Code
// (body.vscode-dark / vscode-light / vscode-high-contrast, --vscode-* variables); elsewhere the
// browser's prefers-color-scheme.

const DARK_QUERY = "(prefers-color-scheme: dark)";

export function isDark() {
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

// Colours for plotly: transparent backgrounds (the notebook's own shows through), text and grid from the host.
export function chartColors(el) {
  const dark = isDark();
  const font = cssVar(el, "--jp-ui-font-color1") || cssVar(el, "--vscode-editor-foreground") || (dark ? "#e0e0e0" : "#222222");
  const grid = cssVar(el, "--jp-border-color2") || (dark ? "rgba(255,255,255,0.15)" : "#e5e5e5");
  const line = cssVar(el, "--jp-border-color1") || (dark ? "rgba(255,255,255,0.35)" : "#bdbdbd");
  return { dark, font, grid, line, paper: "rgba(0,0,0,0)" };
}

const AXIS_KEYS = ["xaxis", "yaxis"];
const SCENE_KEYS = ["xaxis", "yaxis", "zaxis"];

// ``layout`` with the theme's colours (axes it does not have are left out).
export function themed(layout, colors) {
  const axis = (a) => ({ gridcolor: colors.grid, zerolinecolor: colors.line, linecolor: colors.line, ...a });
  const out = {
    ...layout, paper_bgcolor: colors.paper, plot_bgcolor: colors.paper,
    font: { ...(layout.font || {}), color: colors.font },
    legend: { bgcolor: colors.paper, ...(layout.legend || {}) },
  };
  for (const key of AXIS_KEYS) out[key] = axis(layout[key] || {});
  if (layout.scene) {
    out.scene = { ...layout.scene };
    for (const key of SCENE_KEYS) out.scene[key] = { ...axis(layout.scene[key] || {}), backgroundcolor: colors.paper, showbackground: false };
  }
  return out;
}

// Calls ``onChange`` when the host switches theme (JupyterLab swaps the body's attribute and its CSS
// variables; VS Code swaps the body's class); returns a function that stops watching.
export function watchTheme(onChange) {
  let timers = [];
  const fire = () => {
    timers.forEach(clearTimeout);
    // Once at the next frame and once after the host's stylesheet has surely been applied.
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

// Marks ``root`` dark or light now and whenever the host switches, then calls ``redraw`` (the charts);
// returns a function that stops following.
export function followTheme(root, redraw) {
  const mark = () => root.classList.toggle("hdnb-dark", isDark());
  mark();
  return watchTheme(() => { mark(); redraw(); });
}
