// plotly.js is not in this module: the kernel's one shared "library" model carries its source (saved once
// per notebook however many RunDetails it holds). It is evaluated once per page, the promise kept on
// globalThis by plotly.js version. Where no widget manager can find that model (a host without one, or a
// library model already closed), the kernel sends the source in a message instead.
const CACHE = "__hdnotebookPlotlyByVersion";
const REF = "anywidget:";
const LOOKUP_MS = 10000; // a host whose manager waits for a model that never comes falls back to the kernel

function evaluate(source) {
  // the UMD bundle sees CommonJS-like module/exports; loaded as a blob module, as anywidget loads _esm
  const wrapped = `const module = { exports: {} }; const exports = module.exports;\n${source}\nexport default module.exports;\n`;
  const url = URL.createObjectURL(new Blob([wrapped], { type: "text/javascript" }));
  return import(/* @vite-ignore */ url).then((m) => m.default).finally(() => URL.revokeObjectURL(url));
}

// The page's plotly.js of ``version``: { promise, origin } (origin: where its source came from).
function cached(version, origin, load) {
  const cache = (globalThis[CACHE] ??= new Map());
  if (!cache.has(version)) {
    const promise = Promise.resolve().then(load);
    promise.catch(() => cache.delete(version));
    cache.set(version, { promise, origin });
  }
  return cache.get(version);
}

/** Start evaluating the library model's plotly.js as soon as the model exists (its ``initialize``), before any
 * RunDetails view asks for it: the kernel builds a big sweep's snapshot meanwhile. */
export function preloadPlotly(library) {
  const source = library.get("source");
  if (source) cached(library.get("version") || "unknown", "library-model", () => evaluate(source));
}

async function libraryModel(model, host) {
  const ref = model.get("library");
  if (typeof ref !== "string" || !ref.startsWith(REF)) return null;
  let timer;
  const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error("timed out")), LOOKUP_MS); });
  try {
    if (host && typeof host.getModel === "function") return await Promise.race([host.getModel(ref), timeout]);
    if (model.widget_manager) return await Promise.race([model.widget_manager.get_model(ref.slice(REF.length)), timeout]);
  } catch (error) {
    console.warn("hdnotebook: the shared plotly.js model is not available; asking the kernel", error);
  } finally {
    clearTimeout(timer);
  }
  return null;
}

function askKernel(model, send) {
  return new Promise((resolve) => {
    const onMessage = (message) => {
      if (message.type !== "library") return;
      model.off("msg:custom", onMessage);
      resolve(message.source);
    };
    model.on("msg:custom", onMessage);
    send({ type: "library" });
  });
}

/** { Plotly, origin } for a RunDetails view: plotly.js evaluated at most once per page and version; origin says
 * where its source came from ("library-model" or "kernel"). */
export async function acquirePlotly(model, host, send) {
  const version = model.get("plotly_version") || "unknown";
  const known = globalThis[CACHE]?.get(version);
  if (known) return { Plotly: await known.promise, origin: known.origin };
  const library = await libraryModel(model, host);
  const entry = library && library.get("source")
    ? cached(library.get("version") || version, "library-model", () => evaluate(library.get("source")))
    : cached(version, "kernel", () => askKernel(model, send).then(evaluate));
  return { Plotly: await entry.promise, origin: entry.origin };
}
