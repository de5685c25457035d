/** A tiny element builder: no framework, and text is always set as text (never parsed as HTML). */
type Props = Record<string, string | number | boolean | EventListener | undefined>;
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, '').toLowerCase(), value);
    else if (name in el && typeof (el as unknown as Record<string, unknown>)[name] === typeof value)
      (el as unknown as Record<string, unknown>)[name] = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child) el.append(child);
  return el;
}

/** The message to show for a failed call: the server's explanation, with each field's problem. */
export function describeError(err: unknown): string {
  const e = err as { message?: string; errors?: Array<{ path?: string; message?: string }> };
  const fields = (e.errors ?? []).map((f) => `${f.path ?? ''}: ${f.message ?? ''}`).join('; ');
  return [e.message ?? String(err), fields].filter(Boolean).join(' ');
}
