// LTI client-side storage (1EdTech "LTI Client Side postMessages", "LTI postMessage Storage" and "OIDC Login
// with LTI Client Side postMessages"): where an LMS embeds the tool in an iframe whose third-party cookies are
// blocked, the login page puts a secret in the platform's storage frame and the launch page reads it back, so
// a launch is only accepted in the browser that began its login. Served as a file: the pages'
// Content-Security-Policy allows no inline script. The page says what to do in data attributes:
//   data-lti-storage  "put" (login) or "get" (launch)
//   data-target       the frame the platform named in lti_storage_target ("_parent": the window itself)
//   data-origin       the platform's origin: the only one messages go to and answers are taken from
//   data-key          the storage key; data-value (put) the secret; data-next (put) the authorization URL
const ANSWER_TIMEOUT_MS = 5000;

const step = document.querySelector('[data-lti-storage]');
const status = document.querySelector('[data-lti-status]');
if (step instanceof HTMLElement) void run(step);

/** The window holding the platform's storage: the opener (a new window) or the parent (an iframe). */
function storageFrame(target) {
  const platform = window.opener ?? (window.parent !== window ? window.parent : null);
  if (!platform) return null;
  if (target === '_parent') return platform;
  try {
    // Named frames are looked for beside the tool's own, then beside the top window's (where Canvas keeps its
    // post_message_forwarding frame when the tool is nested deeper).
    return platform.frames[target] ?? window.top?.frames[target] ?? null;
  } catch {
    return null;
  }
}

/** Sends one message and waits for its answer (same message_id, `<subject>.response`, from `origin`). */
function ask(frame, origin, message) {
  const messageId = crypto.randomUUID();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      window.removeEventListener('message', listen);
      reject(new Error('the platform did not answer'));
    }, ANSWER_TIMEOUT_MS);
    function listen(event) {
      const data = event.data;
      if (event.origin !== origin || typeof data !== 'object' || data === null) return;
      if (data.message_id !== messageId || data.subject !== `${message.subject}.response`) return;
      clearTimeout(timer);
      window.removeEventListener('message', listen);
      if (data.error) reject(new Error(String(data.error.message ?? data.error.code ?? 'storage error')));
      else resolve(data);
    }
    window.addEventListener('message', listen);
    frame.postMessage({ ...message, message_id: messageId }, origin);
  });
}

function say(text) {
  if (status) {
    status.textContent = text;
    status.setAttribute('role', 'alert');
  }
}

async function run(holder) {
  const { ltiStorage: mode, target, origin, key } = holder.dataset;
  const frame = storageFrame(target);
  if (mode === 'put') {
    try {
      if (!frame) throw new Error('no storage frame');
      await ask(frame, origin, { subject: 'lti.put_data', key, value: holder.dataset.value });
      window.location.replace(holder.dataset.next);
    } catch {
      say(
        'Your course system did not keep the sign-in information this tool needs. Open the activity again from your course; if this persists, ask your LMS administrator.',
      );
    }
    return;
  }
  let value = 'unavailable';
  try {
    if (frame) {
      const answer = await ask(frame, origin, { subject: 'lti.get_data', key });
      if (typeof answer.value === 'string' && answer.value.length > 0) value = answer.value;
    }
  } catch {
    // Posted as `unavailable`: the launch refuses it with a page that says why.
  }
  if (holder instanceof HTMLFormElement) {
    holder.elements.namedItem('lti_storage_binding').value = value;
    holder.submit();
  }
}
