// The kernel displays a static text/html twin of this widget (for saved notebooks, nbconvert, GitHub), marked
// data-hdnb-static="<static_key>" and class hdnb-static-<static_key> (JupyterLab's sanitizer keeps only the class).
// While a live view is rendered the twin is hidden, in JupyterLab and Notebook 7 with its output area child.
export function hideStaticTwin(key) {
  if (!key || !/^[\w-]+$/.test(key)) return () => {};
  const style = document.createElement("style");
  const marker = `[data-hdnb-static="${key}"], .hdnb-static-${key}`;
  style.dataset.hdnbHides = key;
  style.textContent = `${marker}, .jp-OutputArea-child:has(${marker}) { display: none !important; }`;
  document.head.appendChild(style);
  return () => style.remove();
}
