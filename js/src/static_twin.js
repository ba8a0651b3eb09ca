// The kernel displays a static text/html twin of this widget (for saved notebooks, nbconvert, GitHub),
// marked data-hdnb-static="<static_key>". While a live view is rendered the twin is hidden, in
// JupyterLab and Notebook 7 with its whole output area child (prompt and padding).
export function hideStaticTwin(key) {
  if (!key || !/^[\w-]+$/.test(key)) return () => {};
  const style = document.createElement("style");
  const marker = `[data-hdnb-static="${key}"]`;
  style.dataset.hdnbHides = key;
  style.textContent = `${marker}, .jp-OutputArea-child:has(${marker}) { display: none !important; }`;
  document.head.appendChild(style);
  return () => style.remove();
}
