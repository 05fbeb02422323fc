// A tiny typed element builder: text goes in as text nodes, never as HTML (protein ids are user input).

type Attrs = Readonly<Record<string, string | number | boolean | null | undefined>>;
export type Child = Node | string | number | null | undefined | false;

/**
 * Creates an element with attributes (false/null/undefined are skipped, true sets "") and children.
 * `on*` handlers are attached with {@link on} instead, so attributes stay strings.
 * @example h('button', { type: 'button', 'aria-pressed': 'false' }, 'Sort')
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: readonly (Child | readonly Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) {
      continue;
    }
    el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: readonly (Child | readonly Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces all children of `parent`. */
export function replace(parent: Node, ...children: readonly (Child | readonly Child[])[]): void {
  while (parent.firstChild !== null) {
    parent.removeChild(parent.firstChild);
  }
  append(parent, children);
}

/** addEventListener with the event type checked against the element's event map. */
export function on<K extends keyof HTMLElementEventMap>(
  el: EventTarget,
  type: K,
  handler: (e: HTMLElementEventMap[K]) => void,
  options?: AddEventListenerOptions,
): void {
  el.addEventListener(type, handler as EventListener, options);
}

let uid = 0;
/** A document-unique id for label/aria wiring. */
export function uniqueId(prefix: string): string {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** Triggers a browser download of an in-memory blob. */
export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: filename });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
