import { connectLive, describe, escapeHtml, followChanges, gql, mountTokenBar, renewing, subscribe, time } from '/shared/api.js';

const $ = (selector) => document.querySelector(selector);
const CAUSES = {
  SIGN_IN: 'signed in', SIGN_OUT: 'signed out', AGENT: 'chosen by you', SUPERVISOR: 'set by a supervisor',
  MISSED_NOTIFICATION: 'an offer was missed', PRESENCE_EDITED: 'the presence was edited',
  CAPACITY: 'your capacity is full or was freed', TIME_LIMIT: 'its time was up', DISCONNECTED: 'desktop disconnected',
};

/** Why the presence changed, as the agent reads it (the change's cause, with what the desktop knows besides). */
function reason(change) {
  switch (change.cause) {
    case 'TIME_LIMIT': return `${change.previous?.name ?? 'Time-limited presence'} ended`;
    case 'DISCONNECTED': return 'Signed out: desktop disconnected';
    case 'MISSED_NOTIFICATION': return missedInARow > 1 ? `${missedInARow} offers missed` : 'An offer was missed';
    default: return CAUSES[change.cause] ?? change.cause;
  }
}
/** Who or what made a change, for the conflict message. */
const CHANGED_BY = {
  SIGN_IN: 'signing in', SIGN_OUT: 'signing out', AGENT: 'you, elsewhere', SUPERVISOR: 'a supervisor',
  MISSED_NOTIFICATION: 'a missed offer', PRESENCE_EDITED: 'an administrator', CAPACITY: 'your capacity',
};
const AGENT = 'version signedIn presenceSince presenceUntil missedInARow capacity capacityUsed presence { id name baseStatus }';

let me = null;
/** The agent's version as last seen (me, mutation answers, the stream): sent as expectedVersion with setPresence. */
let version = null;
let missedInARow = 0;
/** When the current time-limited presence ends (a Date), for the countdown; null without a limit. */
let until = null;
let client;
const position = { sequence: null };
let lastChange = null;
const offers = new Map();
const OFFER = 'id workItem expiresAt state wrapUpUntil workstream { name }';
/** The reasons this browser gave last (newest first), offered again when rejecting. */
const REASONS_KEY = 'presence.rejectReasons';
let stops = [];

function showError(e) {
  $('#desktop-error').textContent = e ? describe(e) : '';
}

function showAgent(agent) {
  version = agent.version;
  missedInARow = agent.missedInARow;
  until = agent.presenceUntil ? new Date(agent.presenceUntil) : null;
  // an answer may arrive after the stream told why the presence changed: keep the cause of that same change
  showPresence(agent.presence, agent.presenceSince, lastChange?.at === agent.presenceSince ? lastChange : undefined);
  $('#capacity').textContent = `Capacity in use: ${agent.capacityUsed} of ${agent.capacity}`;
}

async function refreshAgent() {
  showAgent((await gql(`{ me { ${AGENT} } }`)).me);
}

function showPresence(presence, since, change) {
  $('#current').textContent = presence.name;
  $('#current-detail').textContent = `${presence.baseStatus} since ${time(since)}${change ? ` — ${reason(change)}` : ''}`;
  $('#picker').value = presence.id;
  tick();
}

async function load() {
  const data = await gql(`{ me { id name ${AGENT} } presences { id name agentSelectable } }`);
  me = data.me;
  if (!me) {
    showError({ code: 'FORBIDDEN', message: 'No agent has your user id; ask an administrator to create one.' });
    return false;
  }
  $('#agent-name').textContent = `(${me.name})`;
  $('#picker').innerHTML = data.presences.filter((p) => p.agentSelectable)
    .map((p) => `<option value="${p.id}">${escapeHtml(p.name)}</option>`).join('');
  showAgent(me);
  const open = await gql(`query($a: ID) { pending: offers(agentId: $a, state: PENDING) { ${OFFER} }
                                          accepted: offers(agentId: $a, state: ACCEPTED) { ${OFFER} }
                                          wrapping: offers(agentId: $a, state: WRAP_UP) { ${OFFER} } }`, { a: me.id });
  [...open.pending, ...open.accepted, ...open.wrapping].forEach((o) => offers.set(o.id, o));
  renderOffers();
  return true;
}

async function act(mutation, variables = {}) {
  try {
    const data = await gql(mutation, variables);
    showAgent(Object.values(data)[0]);
    showError(null);
    showConflict(null);
  } catch (e) {
    showError(e);
  }
}

/** Sets the chosen presence, but only over the version this desktop last saw: never over someone else's change. */
async function choose(presenceId) {
  try {
    const data = await gql(`mutation($p: ID!, $v: Int) { setPresence(presenceId: $p, expectedVersion: $v) { ${AGENT} } }`,
      { p: presenceId, v: version });
    showAgent(data.setPresence);
    showError(null);
    showConflict(null);
  } catch (e) {
    if (e.code !== 'CONFLICT') {
      showError(e);
      return;
    }
    const { me: now, history } = await gql(`query($a: ID!) { me { ${AGENT} } history: presenceHistory(agentId: $a, first: 1) { cause } }`,
      { a: me.id });
    showAgent(now);
    showConflict({ wanted: presenceId, now, by: CHANGED_BY[history[0]?.cause] ?? 'someone else' });
  }
}

function showConflict(conflict) {
  const box = $('#conflict');
  box.hidden = !conflict;
  if (!conflict) return;
  const wanted = $(`#picker option[value="${conflict.wanted}"]`)?.textContent ?? 'your choice';
  box.querySelector('p').textContent = `Your presence was changed by ${conflict.by} to ${conflict.now.presence.name} `
    + `before your choice arrived, so ${wanted} was not applied.`;
  box.querySelector('#apply-again').textContent = `Apply ${wanted} anyway`;
  box.querySelector('#apply-again').dataset.presence = conflict.wanted;
}

function lastReasons() {
  try {
    return JSON.parse(localStorage.getItem(REASONS_KEY)) ?? [];
  } catch {
    return [];
  }
}

function rememberReason(reason) {
  if (!reason) return;
  localStorage.setItem(REASONS_KEY, JSON.stringify([reason, ...lastReasons().filter((r) => r !== reason)].slice(0, 5)));
}

function offerActions(o) {
  switch (o.state) {
    case 'PENDING': return `<span class="countdown" data-expires="${o.expiresAt}"></span>
      <button data-accept="${o.id}">Accept</button>
      <input data-reason-for="${o.id}" list="reject-reasons" maxlength="200" placeholder="Reason for rejecting (optional)"
             aria-label="Reason for rejecting ${escapeHtml(o.workItem)}">
      <button class="secondary" data-reject="${o.id}">Reject</button>`;
    case 'ACCEPTED': return `<span class="muted">In progress</span>
      <button data-complete="${o.id}">Complete</button>`;
    default: return `<span class="muted">Wrapping up</span> <span class="countdown" data-expires="${o.wrapUpUntil}"></span>
      <button data-complete="${o.id}">Done</button>`;
  }
}

function renderOffers() {
  const list = [...offers.values()].filter((o) => ['PENDING', 'ACCEPTED', 'WRAP_UP'].includes(o.state));
  $('#offers').innerHTML = (list.length === 0 ? '<p class="muted">No offers.</p>' : list.map((o) => `
    <div class="offer" data-offer="${o.id}" data-state="${o.state}">
      <strong>${escapeHtml(o.workItem)}</strong>
      <span>${escapeHtml(o.workstream.name)}</span>
      ${offerActions(o)}
    </div>`).join(''))
    + `<datalist id="reject-reasons">${lastReasons().map((r) => `<option value="${escapeHtml(r)}">`).join('')}</datalist>`;
  tick();
}

function tick() {
  const left = until && Math.max(0, Math.round((until - Date.now()) / 1000));
  $('#until').hidden = until === null;
  $('#until').textContent = until === null ? '' : `Ends in ${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
  document.querySelectorAll('.countdown').forEach((el) => {
    const left = Math.max(0, Math.round((new Date(el.dataset.expires) - Date.now()) / 1000));
    el.textContent = `${left} s left`;
  });
}

async function answer(event) {
  const { accept, reject, complete } = event.target.dataset;
  const id = accept ?? reject ?? complete;
  if (!id) return;
  try {
    const verb = accept ? 'acceptOffer' : reject ? 'rejectOffer' : 'completeWork';
    const reason = reject ? document.querySelector(`[data-reason-for="${id}"]`)?.value.trim() || null : null;
    const offer = reject
      ? (await gql('mutation($o: ID!, $r: String) { rejectOffer(offerId: $o, reason: $r) { id state wrapUpUntil } }',
        { o: id, r: reason })).rejectOffer
      : (await gql(`mutation($o: ID!) { ${verb}(offerId: $o) { id state wrapUpUntil } }`, { o: id }))[verb];
    if (reject) rememberReason(reason);
    Object.assign(offers.get(id), offer);
    renderOffers();
    await refreshAgent(); // accepting holds capacity and completing frees it, which may change the presence too
    showError(null);
  } catch (e) {
    showError(e);
  }
}

/** (Re)subscribes after every (re)connection, resuming after the last change seen so that nothing is missed. */
function follow() {
  stops.forEach((stop) => stop());
  stops = [
    followChanges(client, 'cause at version previous { name } current { id name baseStatus timeLimitSeconds }', position,
      (c) => {
        version = c.version;
        lastChange = c;
        until = c.current.timeLimitSeconds ? new Date(new Date(c.at).getTime() + c.current.timeLimitSeconds * 1000) : null;
        showPresence(c.current, c.at, c);
        if (c.cause === 'MISSED_NOTIFICATION') refreshAgent().catch(showError); // how many were missed
      }, showError),
    subscribe(client,
      `subscription { offerUpdates { ${OFFER} } }`, {},
      ({ offerUpdates: o }) => {
        const before = offers.get(o.id)?.state;
        offers.set(o.id, o);
        renderOffers();
        // completed by a supervisor or by the end of the wrap-up: the capacity it held is free again
        if (before !== 'COMPLETED' && o.state === 'COMPLETED') refreshAgent().catch(showError);
      }, renewing(client, showError)),
  ];
}

let starts = 0;

async function start() {
  const run = ++starts;
  try {
    if (!(await load())) return;
  } catch (e) {
    showError(e);
    return;
  }
  const history = (await gql('query($a: ID!) { presenceHistory(agentId: $a, first: 1) { sequence cause at previous { name } } }',
    { a: me.id })).presenceHistory;
  position.sequence = history[0]?.sequence ?? '0';
  lastChange = history[0] ?? null;
  showAgent(me); // with the reason for the presence the agent is in, e.g. after being signed out while away
  if (run !== starts) return; // a newer start (another token) took over
  client = connectLive(follow);
  window.presenceDesktop = { client, position };
}

$('#sign-in').addEventListener('click', () => act(`mutation { signIn { ${AGENT} } }`));
$('#sign-out').addEventListener('click', () => act(`mutation { signOut { ${AGENT} } }`));
$('#picker-form').addEventListener('submit', (event) => {
  event.preventDefault();
  choose($('#picker').value);
});
$('#apply-again').addEventListener('click', (event) => choose(event.target.dataset.presence));
$('#keep').addEventListener('click', () => showConflict(null));
$('#offers').addEventListener('click', answer);
setInterval(tick, 1000);
mountTokenBar($('#token'), (value) => value && start());
