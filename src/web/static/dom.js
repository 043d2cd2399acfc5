// A small element builder. Text always goes in as text nodes, never as HTML.

/**
 * Creates a `tag` element. In `props`, `class` sets the class name, `text` the text content, keys
 * starting with `on` add event listeners, and other keys become attributes (skipped when
 * undefined, null or false). `children` are nodes or strings, and nested arrays are flattened.
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') element.className = value;
    else if (key === 'text') element.textContent = value;
    else if (key.startsWith('on')) element.addEventListener(key.slice(2), value);
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child !== undefined && child !== null && child !== false) element.append(child);
  }
  return element;
}

/** Replaces the children of `element` with `children`. */
export function replaceChildren(element, ...children) {
  element.replaceChildren(...children.flat(Infinity).filter((child) => child != null));
}

/** Shows `message` in `element` (a status or alert region), or clears it when empty. */
export function showMessage(element, message = '') {
  element.textContent = message;
}
