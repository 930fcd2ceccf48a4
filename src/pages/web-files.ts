import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The project's folder: the nearest one above this file with a package.json (src/ under jest, dist/src/ built). */
function projectRoot(): string {
  let folder = __dirname;
  while (!existsSync(join(folder, 'package.json'))) {
    const parent = dirname(folder);
    if (parent === folder) throw new Error('No package.json above ' + __dirname);
    folder = parent;
  }
  return folder;
}

/**
 * Where the pages' files are: the compiled client (`npm run build:web` writes dist/web/) and the
 * files served as they are (web/static/: the shell, the stylesheet). Both are served under /assets/.
 */
export function webRoots(): string[] {
  const root = projectRoot();
  return [join(root, 'dist', 'web'), join(root, 'web', 'static')].filter((folder) => existsSync(folder));
}

let shell: string | undefined;

/** Text safe inside a double-quoted HTML attribute value. */
export function attributeText(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The one HTML document every page answers; the client renders the page from the URL. A page the
 * caller may not open (404) is the same shell marked `data-status="404"`, so that the client says
 * "Page not found" instead of rendering a page whose data the API would refuse. `session` (as GET
 * /v1/auth/session answers it) rides along as `data-session`, so that the page asks the API for its
 * data at once instead of first asking who is signed in; an attribute, not an inline script, for
 * the Content-Security-Policy.
 */
export function pageShell(status = 200, session?: object): string {
  shell ??= readShell();
  const attributes = [
    status === 404 ? ' data-status="404"' : '',
    session ? ` data-session="${attributeText(JSON.stringify(session))}"` : '',
  ].join('');
  return attributes ? shell.replace('<main id="app">', `<main id="app"${attributes}>`) : shell;
}

function readShell(): string {
  const file = join(projectRoot(), 'web', 'static', 'index.html');
  if (existsSync(file)) return readFileSync(file, 'utf8');
  // Without the client (a checkout that never built it), a page that says so rather than a blank one.
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Assessment</title></head>' +
    '<body><main><h1>The pages are not built</h1><p>Run <code>npm run build</code>.</p></main></body></html>'
  );
}
