// What the admin console and the agent desktop share: the bearer token, GraphQL over HTTP, the WebSocket client
// (graphql-ws, vendored under /vendor/graphql-ws) and the token bar.

const TOKEN_KEY = 'presence.token';

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY) || '',
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value.trim()),
};

export class ApiError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

/** Runs a query or mutation; throws ApiError with the contract's code and message. */
export async function gql(query, variables = {}) {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token.get()}` },
    body: JSON.stringify({ query, variables }),
  });
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`The service answered HTTP ${response.status}.`, 'INTERNAL');
  }
  if (body.errors?.length) {
    throw new ApiError(body.errors[0].message, body.errors[0].extensions?.code);
  }
  return body.data;
}

const PREFIX = {
  CONFLICT: 'Already exists or in use. ',
  BAD_USER_INPUT: 'Please correct the input. ',
  FORBIDDEN: 'Not allowed for your role. ',
  UNAUTHENTICATED: 'Your token is missing or no longer valid. ',
  NOT_FOUND: 'Not found. ',
  NO_ELIGIBLE_AGENT: 'Nobody can take it now. ',
  INTERNAL: 'The service had a problem. ',
};

/** An API error in words a person understands. */
export const describe = (error) => (PREFIX[error.code] ?? '') + error.message;

/**
 * A WebSocket client that reconnects on its own (growing pauses, up to 10 s). onConnected runs after every
 * (re)connection: that is where subscriptions resume.
 */
export function streamClient({ onConnected, onClosed }) {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return graphqlWs.createClient({
    url: `${scheme}://${location.host}/graphql`,
    connectionParams: () => ({ Authorization: `Bearer ${token.get()}` }),
    lazy: false,
    keepAlive: 10_000,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** retries, 10_000))),
    on: { connected: () => onConnected?.(), closed: () => onClosed?.() },
  });
}

/** Subscribes; returns the function that ends the subscription. */
export function subscribe(client, query, variables, onData, onError) {
  return client.subscribe({ query, variables }, {
    next: (result) => (result.errors?.length
      ? onError?.(new ApiError(result.errors[0].message, result.errors[0].extensions?.code))
      : onData(result.data)),
    error: (e) => onError?.(Array.isArray(e) ? new ApiError(e[0].message, e[0].extensions?.code) : e),
    complete: () => {},
  });
}

/** What this service offers its pages (dev tokens only in dev mode): GET /ui/config.json, no token needed. */
export const pageConfig = (() => {
  let config;
  return () => (config ??= fetch('/ui/config.json').then((r) => r.json()).catch(() => ({ devTokens: false })));
})();

/** The token bar: paste a bearer token (kept in sessionStorage); in dev mode, one-click dev tokens too. */
export function mountTokenBar(container, onToken) {
  container.innerHTML = `
    <form class="token-bar" aria-label="Access token">
      <label for="token-input">Bearer token</label>
      <input id="token-input" name="token" type="password" autocomplete="off" placeholder="Paste a JWT" required>
      <button type="submit">Use token</button>
      <span class="dev-tokens"></span>
      <span class="token-status" role="status"></span>
    </form>`;
  const form = container.querySelector('form');
  const input = form.querySelector('#token-input');
  const status = form.querySelector('.token-status');
  const apply = (value) => {
    token.set(value);
    input.value = value;
    status.textContent = value ? 'Token set.' : '';
    onToken(value);
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    apply(input.value);
  });
  pageConfig().then((config) => config.devTokens
    && import('/dev/token-helper.js').then((dev) => dev.addDevTokenButtons(form.querySelector('.dev-tokens'), apply)));
  if (token.get()) {
    apply(token.get());
  }
}

export function escapeHtml(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

export const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '');
