import { connectLive, describe, escapeHtml, followChanges, gql, mountTokenBar } from '/shared/api.js';

const $ = (selector) => document.querySelector(selector);
const STATUSES = ['AVAILABLE', 'BUSY', 'BUSY_DND', 'AWAY', 'OFFLINE'];
const LABELS = { AVAILABLE: 'Available', BUSY: 'Busy', BUSY_DND: 'Busy – DND', AWAY: 'Away', OFFLINE: 'Offline', INACTIVE: 'of them Inactive' };
const COLOURS = { AVAILABLE: '#2fbf71', BUSY: '#f2a93b', BUSY_DND: '#e5534b', AWAY: '#8c96a8', OFFLINE: '#4a5468', INACTIVE: '#b58cff' };
/** Causes after which an agent in Offline is signed out (an agent may also choose Offline while signed in). */
const SIGNS_OUT = new Set(['SIGN_OUT', 'DISCONNECTED', 'MISSED_NOTIFICATION']);
const SAMPLE_EVERY_MS = 10_000;
const HOUR_MS = 3_600_000;
const HISTORY_STEP_MS = 300_000;
const AGENT = 'id name signedIn presenceSince presence { baseStatus systemPresence } workstreams { id name }';

/** Every agent the board knows: id → { name, signedIn, status, inactive, since, workstreams }. */
const agents = new Map();
const position = { sequence: null };
let client;
let stopChanges = () => {};
let applying = Promise.resolve();
let chart;
const samples = [[], ...STATUSES.map(() => []), []];

function showError(e) {
  $('#wallboard-error').textContent = e ? describe(e) : '';
}

function remember(a) {
  agents.set(a.id, {
    name: a.name, signedIn: a.signedIn, status: a.presence.baseStatus, inactive: a.presence.systemPresence === 'INACTIVE',
    since: new Date(a.presenceSince), workstreams: a.workstreams,
  });
}

async function loadAgents() {
  agents.clear();
  let after = null;
  for (;;) {
    const page = (await gql(`query($after: ID) { agents(first: 1000, after: $after) { ${AGENT} } }`, { after })).agents;
    page.forEach(remember);
    if (page.length < 1000) break;
    after = page[page.length - 1].id;
  }
}

const zero = () => Object.fromEntries([...STATUSES, 'INACTIVE'].map((s) => [s, 0]));

/** Signed-in agents per base status (and Inactive), overall and per workstream, in one pass over the agents. */
function counts() {
  const overall = zero();
  const perWorkstream = new Map();
  for (const a of agents.values()) {
    for (const w of a.workstreams) {
      if (!perWorkstream.has(w.id)) perWorkstream.set(w.id, { name: w.name, counts: zero() });
    }
    if (!a.signedIn) continue;
    const add = (c) => {
      c[a.status] += 1;
      if (a.inactive) c.INACTIVE += 1;
    };
    add(overall);
    a.workstreams.forEach((w) => add(perWorkstream.get(w.id).counts));
  }
  return { overall, perWorkstream };
}

let renderQueued = false;

/** Renders at most once per frame however many changes arrive (a sweep can move thousands at once). */
function render() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    renderNow();
  });
}

function renderNow() {
  const { overall, perWorkstream } = counts();
  $('#overall').innerHTML = [...STATUSES, 'INACTIVE'].map((s) => `
    <div class="tile ${s}" data-status="${s}"><div class="figure">${overall[s]}</div><div class="label">${LABELS[s]}</div></div>`).join('');
  $('#workstreams tbody').innerHTML = [...perWorkstream].sort((x, y) => x[1].name.localeCompare(y[1].name)).map(([id, w]) =>
    `<tr data-workstream="${id}"><td>${escapeHtml(w.name)}</td>${STATUSES.map((s) => `<td class="figure" data-status="${s}">${w.counts[s]}</td>`).join('')}</tr>`).join('');
  renderInactive();
}

function renderInactive() {
  const now = Date.now();
  $('#inactive tbody').innerHTML = [...agents.entries()].filter(([, a]) => a.signedIn && a.inactive)
    .sort((x, y) => x[1].since - y[1].since)
    .map(([id, a]) => `<tr data-agent="${id}"><td>${escapeHtml(a.name)}</td><td class="figure">${minutes(now - a.since)}</td></tr>`)
    .join('') || '<tr><td colspan="2" class="muted">Nobody</td></tr>';
}

const minutes = (ms) => `${Math.floor(ms / 60000)}:${String(Math.floor(ms / 1000) % 60).padStart(2, '0')}`;

async function apply(change) {
  let a = agents.get(change.agentId);
  if (!a) {
    const fetched = (await gql(`query($a: ID!) { agent(id: $a) { ${AGENT} } }`, { a: change.agentId })).agent;
    if (!fetched) return;
    remember(fetched);
    a = agents.get(change.agentId);
  }
  a.status = change.current.baseStatus;
  a.inactive = change.current.systemPresence === 'INACTIVE';
  a.since = new Date(change.at);
  if (change.cause === 'SIGN_IN') a.signedIn = true;
  if (SIGNS_OUT.has(change.cause) && change.current.systemPresence === 'OFFLINE') a.signedIn = false;
  render();
}

function sample() {
  const now = Date.now();
  addSample(now, counts().overall);
  while (samples[0].length && samples[0][0] < (now - HOUR_MS) / 1000) samples.forEach((series) => series.shift());
  draw();
}

function addSample(at, c) {
  samples[0].push(at / 1000);
  STATUSES.forEach((s, i) => samples[i + 1].push(c[s]));
  samples[STATUSES.length + 1].push(c.INACTIVE);
}

/** The hour before the board opened, from the floor as it was every few minutes (floorAt), so the chart starts full. */
async function fillFromHistory() {
  const now = Date.now();
  for (let at = now - HOUR_MS; at < now - SAMPLE_EVERY_MS; at += HISTORY_STEP_MS) {
    const c = zero();
    let after = null;
    for (;;) {
      const page = (await gql(`query($at: DateTime!, $after: ID) { floorAt(at: $at, first: 1000, after: $after) {
        agent { id } signedIn baseStatus presence { systemPresence } } }`, { at: new Date(at).toISOString(), after })).floorAt;
      page.filter((a) => a.signedIn).forEach((a) => {
        c[a.baseStatus] += 1;
        if (a.presence.systemPresence === 'INACTIVE') c.INACTIVE += 1;
      });
      if (page.length < 1000) break;
      after = page[page.length - 1].agent.id;
    }
    addSample(at, c);
  }
}

function draw() {
  if (!chart) {
    chart = new uPlot({
      width: Math.max(400, $('#chart').clientWidth), height: 320,
      axes: [{ stroke: '#c9d1e3' }, { stroke: '#c9d1e3' }],
      series: [{}, ...STATUSES.map((s) => ({ label: LABELS[s], stroke: COLOURS[s], width: 3 })),
        { label: 'Inactive', stroke: COLOURS.INACTIVE, width: 3 }],
    }, samples, $('#chart'));
  } else {
    chart.setData(samples);
  }
}

/** (Re)subscribes after every (re)connection, resuming after the last change seen so that nothing is missed. */
function follow() {
  stopChanges();
  stopChanges = followChanges(client, 'agentId cause at current { baseStatus systemPresence }', position, (c) => {
    applying = applying.then(() => apply(c)).catch(showError); // in order, also when an agent must be fetched first
  }, showError);
}

let starts = 0;

async function start() {
  const run = ++starts;
  try {
    // the log's position first: whatever changes while the agents load is replayed after it (applying a change to
    // an agent loaded after it sets what the agent already shows; a later change follows it in order)
    const latest = (await gql('{ latestPresenceChange { sequence } }')).latestPresenceChange;
    await loadAgents();
    position.sequence = latest?.sequence ?? '0';
    renderNow();
    samples.forEach((series) => { series.length = 0; });
    await fillFromHistory();
    sample();
    showError(null);
  } catch (e) {
    showError(e);
    return;
  }
  if (run !== starts) return; // a newer start (another token) took over
  client = connectLive(follow);
  window.presenceWallboard = { client };
}

setInterval(() => { $('#clock').textContent = new Date().toLocaleTimeString(); renderInactive(); }, 1000);
setInterval(() => agents.size && sample(), SAMPLE_EVERY_MS);
mountTokenBar($('#token'), (value) => value && start());
