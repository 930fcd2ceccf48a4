type Attrs = Record<string, string | boolean | undefined>;
type Child = Node | string | null | undefined | false;

/** Builds an element; text only ever through text nodes, attributes through setAttribute. */
export function h(tag: string, attrs: Attrs = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (/^on/i.test(name)) throw new Error(`h(): event attribute ${name} refused`);
    const text = value === true ? '' : value;
    if ((name === 'href' || name === 'src') && /^\s*javascript:/i.test(text)) {
      throw new Error('h(): javascript: URL refused');
    }
    el.setAttribute(name, text);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return el;
}

/** The one place server HTML (already sanitised by the server) enters the page. */
export function insertSanitisedServerHtml(el: HTMLElement, html: string): void {
  el.innerHTML = html;
}

/** Replaces the page body, sets the title and moves focus to the heading. */
export function showPage(title: string, ...content: Node[]): void {
  const main = document.getElementById('app')!;
  main.replaceChildren(...content);
  document.title = `${title} · Assessment`;
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
}
