import { describe, escapeHtml, gql, mountTokenBar, streamClient, subscribe, time } from '/shared/api.js';

const $ = (selector) => document.querySelector(selector);
const CAUSES = {
  SIGN_IN: 'signed in', SIGN_OUT: 'signed out', AGENT: 'chosen by you', SUPERVISOR: 'set by a supervisor',
  MISSED_NOTIFICATION: 'an offer was missed', PRESENCE_EDITED: 'the presence was edited',
};

let me = null;
let client;
let lastSequence = null;
const offers = new Map();
let stops = [];

function showError(e) {
  $('#desktop-error').textContent = e ? describe(e) : '';
}

function showPresence(presence, since, cause) {
  $('#current').textContent = presence.name;
  $('#current-detail').textContent = `${presence.baseStatus} since ${time(since)}${cause ? ` — ${CAUSES[cause] ?? cause}` : ''}`;
  $('#picker').value = presence.id;
}

async function load() {
  const data = await gql(`{ me { id name signedIn presenceSince presence { id name baseStatus } }
                            presences { id name agentSelectable } }`);
  me = data.me;
  if (!me) {
    showError({ code: 'FORBIDDEN', message: 'No agent has your user id; ask an administrator to create one.' });
    return false;
  }
  $('#agent-name').textContent = `(${me.name})`;
  $('#picker').innerHTML = data.presences.filter((p) => p.agentSelectable)
    .map((p) => `<option value="${p.id}">${escapeHtml(p.name)}</option>`).join('');
  showPresence(me.presence, me.presenceSince);
  const pending = (await gql('query($a: ID) { offers(agentId: $a, state: PENDING) { id workItem expiresAt state workstream { name } } }', { a: me.id })).offers;
  pending.forEach((o) => offers.set(o.id, o));
  renderOffers();
  return true;
}

async function act(mutation, variables = {}) {
  try {
    const data = await gql(mutation, variables);
    const agent = Object.values(data)[0];
    showPresence(agent.presence, agent.presenceSince);
    showError(null);
  } catch (e) {
    showError(e);
  }
}

function renderOffers() {
  const list = [...offers.values()].filter((o) => o.state === 'PENDING');
  $('#offers').innerHTML = list.length === 0 ? '<p class="muted">No offers.</p>' : list.map((o) => `
    <div class="offer" data-offer="${o.id}">
      <strong>${escapeHtml(o.workItem)}</strong>
      <span>${escapeHtml(o.workstream.name)}</span>
      <span class="countdown" data-expires="${o.expiresAt}"></span>
      <button data-accept="${o.id}">Accept</button>
      <button class="secondary" data-reject="${o.id}">Reject</button>
    </div>`).join('');
  tick();
}

function tick() {
  document.querySelectorAll('.countdown').forEach((el) => {
    const left = Math.max(0, Math.round((new Date(el.dataset.expires) - Date.now()) / 1000));
    el.textContent = `${left} s left`;
  });
}

async function answer(event) {
  const { accept, reject } = event.target.dataset;
  const id = accept ?? reject;
  if (!id) return;
  try {
    const verb = accept ? 'acceptOffer' : 'rejectOffer';
    const offer = (await gql(`mutation($o: ID!) { ${verb}(offerId: $o) { id state } }`, { o: id }))[verb];
    offers.get(id).state = offer.state;
    renderOffers();
    showError(null);
  } catch (e) {
    showError(e);
  }
}

/** (Re)subscribes after every (re)connection, resuming after the last change seen so that nothing is missed. */
function follow() {
  stops.forEach((stop) => stop());
  stops = [
    subscribe(client,
      'subscription($after: ID) { presenceChanged(afterSequence: $after) { sequence cause at current { id name baseStatus } } }',
      { after: lastSequence },
      ({ presenceChanged: c }) => {
        if (lastSequence !== null && Number(c.sequence) <= Number(lastSequence)) return;
        lastSequence = c.sequence;
        showPresence(c.current, c.at, c.cause);
      }, showError),
    subscribe(client,
      'subscription { offerUpdates { id workItem expiresAt state workstream { name } } }', {},
      ({ offerUpdates: o }) => {
        offers.set(o.id, o);
        renderOffers();
      }, showError),
  ];
}

async function start() {
  try {
    if (!(await load())) return;
  } catch (e) {
    showError(e);
    return;
  }
  const history = (await gql('query($a: ID!) { presenceHistory(agentId: $a, first: 1) { sequence } }', { a: me.id })).presenceHistory;
  lastSequence = history[0]?.sequence ?? '0';
  client?.dispose();
  client = streamClient({
    onConnected: () => { $('#live').textContent = 'Live'; $('#live').classList.add('on'); follow(); },
    onClosed: () => { $('#live').textContent = 'Reconnecting…'; $('#live').classList.remove('on'); },
  });
  window.presenceDesktop = { client };
}

const AGENT = 'signedIn presenceSince presence { id name baseStatus }';
$('#sign-in').addEventListener('click', () => act(`mutation { signIn { ${AGENT} } }`));
$('#sign-out').addEventListener('click', () => act(`mutation { signOut { ${AGENT} } }`));
$('#picker-form').addEventListener('submit', (event) => {
  event.preventDefault();
  act(`mutation($p: ID!) { setPresence(presenceId: $p) { ${AGENT} } }`, { p: $('#picker').value });
});
$('#offers').addEventListener('click', answer);
setInterval(tick, 1000);
mountTokenBar($('#token'), (value) => value && start());
