import type { FastifyReply } from 'fastify';

/** HTML of the few pages the LTI routes answer themselves (refusals, the deep linking picker, auto-posts). */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]);
}

/** A whole document around `body` (already HTML), with the pages' stylesheet and, when given, one script of ours. */
export function ltiPage(title: string, body: string, script?: string): string {
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(title)} · Assessment</title>` +
    '<link rel="stylesheet" href="/assets/app.css">' +
    (script ? `<script type="module" src="${escapeHtml(script)}"></script>` : '') +
    `</head><body><main id="app" class="lti">${body}</main></body></html>`
  );
}

export function refusalPage(message: string): string {
  return ltiPage(
    'This activity cannot open',
    `<h1>This activity cannot open</h1><p role="alert">${escapeHtml(message)}</p>`,
  );
}

/**
 * A form the browser posts to `action` by itself (web/static/lti-autopost.js; the page's policy allows no
 * inline script), with a button for when scripts do not run.
 */
export function autoPostPage(title: string, action: string, fields: Record<string, string>, lead: string): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  return ltiPage(
    title,
    `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(lead)}</p>` +
      `<form method="post" action="${escapeHtml(action)}" data-autopost>${inputs}` +
      '<button type="submit">Continue</button></form>',
    '/assets/lti-autopost.js',
  );
}

/** What web/static/lti-storage.js reads from the page: the storage frame, the one origin it trusts, the key. */
interface StorageStep {
  target: string;
  origin: string;
  key: string;
}

const storageAttributes = (mode: 'put' | 'get', step: StorageStep) =>
  `data-lti-storage="${mode}" data-target="${escapeHtml(step.target)}" data-origin="${escapeHtml(step.origin)}" ` +
  `data-key="${escapeHtml(step.key)}"`;

/**
 * The login's page when the platform offers client-side storage: the script puts `value` under `key` in the
 * platform's storage frame, then goes on to the platform's authorization URL (`next`). Without scripts, or
 * when the platform does not answer, it says so and goes nowhere.
 */
export function storagePutPage(step: StorageStep & { value: string }, next: string): string {
  return ltiPage(
    'Opening the activity',
    '<h1>Opening the activity</h1>' +
      `<p ${storageAttributes('put', step)} data-value="${escapeHtml(step.value)}" data-next="${escapeHtml(next)}" ` +
      'data-lti-status role="status">Signing you in through your course…</p>' +
      '<noscript><p>This tool needs JavaScript to sign you in from your course.</p></noscript>',
    '/assets/lti-storage.js',
  );
}

/**
 * The launch's page when its login used client-side storage: the script reads the secret back from the
 * platform's storage frame into the form and posts it to the launch again.
 */
export function storageGetPage(
  step: StorageStep,
  action: string,
  fields: Record<string, string>,
  field: string,
): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  return ltiPage(
    'Opening the activity',
    '<h1>Opening the activity</h1>' +
      `<p data-lti-status role="status">Checking the sign-in with your course…</p>` +
      `<form method="post" action="${escapeHtml(action)}" ${storageAttributes('get', step)}>${inputs}` +
      `<input type="hidden" name="${escapeHtml(field)}" value=""></form>` +
      '<noscript><p>This tool needs JavaScript to sign you in from your course.</p></noscript>',
    '/assets/lti-storage.js',
  );
}

/**
 * Sends one of these pages under its own strict policy: this origin's scripts and styles only, forms posted
 * here (and to `postsTo`, a platform's return URL), framed by `frameAncestors` (FRAME_ANCESTORS, and a
 * platform registering itself), never cached, no referrer.
 */
export function sendLtiPage(
  reply: FastifyReply,
  status: number,
  html: string,
  policy: { frameAncestors: string; postsTo?: string },
) {
  const directives = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `form-action 'self'${policy.postsTo ? ` ${policy.postsTo}` : ''}`,
    "base-uri 'none'",
    `frame-ancestors ${policy.frameAncestors}`,
  ].join('; ');
  return reply
    .status(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', directives)
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .removeHeader('x-frame-options')
    .send(html);
}
