/** A small element builder: text is always set as text, never parsed as HTML. */

type Child = Node | string | number | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) e.setAttribute(k, v);
  for (const c of children) {
    if (c === undefined || c === false) continue;
    e.append(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
  return e;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`the page has no #${id}`);
  return e as T;
}

/** Replaces a table's body with these rows (or one row saying there is nothing). */
export function fillTable(table: HTMLTableElement, rows: HTMLTableRowElement[], empty: string): void {
  const body = table.tBodies[0] ?? table.appendChild(document.createElement('tbody'));
  const cols = table.tHead?.rows[0]?.cells.length ?? 1;
  body.replaceChildren(
    ...(rows.length ? rows : [el('tr', {}, el('td', { colspan: String(cols), class: 'empty' }, empty))]),
  );
}

export const row = (...cells: Child[]): HTMLTableRowElement => el('tr', {}, ...cells.map((c) => el('td', {}, c)));
