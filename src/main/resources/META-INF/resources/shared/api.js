// What the pages share: the bearer token, GraphQL over HTTP, the WebSocket client (graphql-ws, vendored under
// /vendor/graphql-ws) and signing in (the token bar, or the organisation's identity provider).

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
 * The pause before reconnect attempt n (0, 1, …): growing as 0.5, 1, 2, 4, 8, 10 s, each drawn at random between half
 * of that and all of it, so that the desktops a replica restart dropped at one moment do not all come back at the next.
 */
export const reconnectPause = (n) => {
  const ceiling = Math.min(500 * 2 ** n, 10_000);
  return ceiling / 2 + Math.random() * (ceiling / 2);
};

/** The token the live connection authenticated with: the service ends its subscriptions when it expires. */
let connectedWith;

/**
 * A WebSocket client that reconnects on its own (growing pauses with jitter, up to 10 s). onConnected runs after every
 * (re)connection: that is where subscriptions resume.
 */
export function streamClient({ onConnected, onClosed }) {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return graphqlWs.createClient({
    url: `${scheme}://${location.host}/graphql`,
    connectionParams: () => {
      connectedWith = token.get();
      return { Authorization: `Bearer ${connectedWith}` };
    },
    lazy: false,
    keepAlive: 10_000,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, reconnectPause(retries))),
    on: { connected: () => onConnected?.(), closed: () => onClosed?.() },
  });
}

/**
 * Follows presenceChanged from where the page stands: every stored change after position.sequence, then live ones
 * (afterSequence), skipping any already seen and moving the position on — call it again after a reconnect with the
 * same position and nothing is lost or shown twice. Returns the function that ends the subscription.
 */
export function followChanges(client, selection, position, onChange, onError) {
  return subscribe(client, `subscription($after: ID) { presenceChanged(afterSequence: $after) { sequence ${selection} } }`,
    { after: position.sequence }, ({ presenceChanged: c }) => {
      if (position.sequence !== null && Number(c.sequence) <= Number(position.sequence)) return;
      position.sequence = c.sequence;
      onChange(c);
    }, renewing(client, onError));
}

/**
 * An error handler that, when the service ended a subscription because the connection's token expired and the page
 * holds a renewed one, reconnects (with the new token; the page resubscribes from where it was) instead of showing it.
 */
export const renewing = (client, onError) => (e) => {
  if (e.code === 'UNAUTHENTICATED' && token.get() !== connectedWith) {
    client.terminate();
  } else {
    onError?.(e);
  }
};

let live;

/**
 * The page's live connection, replacing the one before (a new token starts the page again), its state shown in the
 * #live badge; onConnected runs after every (re)connection, where subscriptions resume. A replaced connection's
 * events change nothing on the page.
 */
export function connectLive(onConnected) {
  live?.dispose();
  const badge = document.querySelector('#live');
  const client = streamClient({
    onConnected: () => {
      if (client !== live) return;
      badge.textContent = 'Live';
      badge.classList.add('on');
      onConnected();
    },
    onClosed: () => {
      if (client !== live) return;
      badge.textContent = 'Reconnecting…';
      badge.classList.remove('on');
    },
  });
  live = client;
  return client;
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

/**
 * Where the page gets its token: with an identity provider configured (PRESENCE_UI_OIDC_*), by signing in there
 * (authorization code flow with PKCE, renewed before it expires, "Sign out" ends the session at the provider); without
 * one, from the token bar (paste a bearer token; in dev mode, one-click dev tokens too). onToken runs once signed in.
 */
export function mountTokenBar(container, onToken) {
  pageConfig().then((config) => (config.oidc ? signInWithProvider(container, config.oidc, onToken)
    : tokenBar(container, config, onToken))).catch((e) => {
    container.textContent = `Signing in failed: ${e.message}`;
  });
}

function tokenBar(container, config, onToken) {
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
  if (config.devTokens) {
    import('/dev/token-helper.js').then((dev) => dev.addDevTokenButtons(form.querySelector('.dev-tokens'), apply));
  }
  if (token.get()) {
    apply(token.get());
  }
}

const loadScript = (src) => new Promise((resolve, reject) => {
  const script = Object.assign(document.createElement('script'), { src, onload: resolve, onerror: reject });
  document.head.append(script);
});

/** Signs in at the identity provider (oidc-client-ts, vendored under /vendor/oidc-client-ts). */
async function signInWithProvider(container, settings, onToken) {
  await loadScript('/vendor/oidc-client-ts/oidc-client-ts.min.js');
  const here = location.origin + location.pathname;
  const manager = new oidc.UserManager({
    authority: settings.issuer, client_id: settings.clientId, scope: settings.scope, response_type: 'code',
    redirect_uri: here, post_logout_redirect_uri: here, automaticSilentRenew: true,
    userStore: new oidc.WebStorageStateStore({ store: window.sessionStorage }),
  });
  if (new URLSearchParams(location.search).has('code')) {
    await manager.signinRedirectCallback();
    history.replaceState(null, '', location.pathname);
  }
  const user = await manager.getUser();
  if (!user || user.expired) {
    await manager.signinRedirect();
    return;
  }
  // A renewed token is used from the next request on, and by the WebSocket once the service ends its subscriptions for
  // the old one's expiry (see renewing): the page reconnects and resumes after the last change it saw.
  manager.events.addUserLoaded((renewed) => token.set(renewed.access_token));
  container.innerHTML = `<span class="signed-in-as">${escapeHtml(user.profile.preferred_username ?? user.profile.sub)}</span>
    <button type="button" class="secondary" id="sign-out-provider">Sign out</button>`;
  container.querySelector('#sign-out-provider').addEventListener('click', () => manager.signoutRedirect());
  token.set(user.access_token);
  onToken(user.access_token);
}

export function escapeHtml(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

export const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '');
