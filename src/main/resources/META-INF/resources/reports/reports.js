import { describe, escapeHtml, gql, mountTokenBar, token } from '/shared/api.js';

const $ = (selector) => document.querySelector(selector);
const STATUSES = ['AVAILABLE', 'BUSY', 'BUSY_DND', 'AWAY', 'OFFLINE'];
const LABELS = { AVAILABLE: 'Available', BUSY: 'Busy', BUSY_DND: 'Busy – DND', AWAY: 'Away', OFFLINE: 'Offline' };
const SIGNS_OUT = new Set(['SIGN_OUT', 'DISCONNECTED']);
const PAGE = 1000;

/** The period shown: { from: Date, to: Date, workstreamId }. */
let shown;

const showError = (e) => { $('#report-error').textContent = e ? describe(e) : ''; };

/** Hours and minutes, e.g. 7:05 for seven hours and five minutes. */
export const hoursMinutes = (seconds) => {
  const minutes = Math.floor(seconds / 60);
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}`;
};

const startOfDay = (d) => new Date(d.getFullYear(), d.getMonth(), d.getDate());
const addDays = (d, n) => new Date(d.getFullYear(), d.getMonth(), d.getDate() + n);

/** Bar segments get their widths from data-share: the Content-Security-Policy refuses style attributes in markup. */
function widen(container) {
  container.querySelectorAll('[data-share]').forEach((segment) => { segment.style.width = `${segment.dataset.share}%`; });
}

/** The chosen period in local time; the service counts up to now, so "today" may end tomorrow at midnight. */
function chosenPeriod() {
  const today = startOfDay(new Date());
  switch ($('#period').value) {
    case 'today': return { from: today, to: addDays(today, 1) };
    case 'yesterday': return { from: addDays(today, -1), to: today };
    case 'week': return { from: addDays(today, -((today.getDay() + 6) % 7)), to: addDays(today, 1) };
    default: return { from: new Date($('#from').value), to: new Date($('#to').value) };
  }
}

/** datetime-local wants local time without an offset. */
const localInput = (d) => new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 19);

function fillInputs() {
  if ($('#period').value === 'custom') return;
  const { from, to } = chosenPeriod();
  $('#from').value = localInput(from);
  $('#to').value = localInput(to);
}

async function loadWorkstreams() {
  const { workstreams } = await gql('{ workstreams { id name } }');
  $('#workstream').innerHTML = '<option value="">Every agent</option>' + workstreams
    .map((w) => `<option value="${w.id}">${escapeHtml(w.name)}</option>`).join('');
}

async function pages(query, field, variables) {
  const rows = [];
  let after = null;
  for (;;) {
    const page = (await gql(query, { ...variables, first: PAGE, after }))[field];
    rows.push(...page);
    if (page.length < PAGE) return rows;
    after = page[page.length - 1].agent.id;
  }
}

async function showSummary() {
  const { from, to } = chosenPeriod();
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) {
    $('#report-error').textContent = 'Please give both ends of the period (from and to).';
    return;
  }
  shown = { from, to, workstreamId: $('#workstream').value || null };
  const rows = await pages(`query($from: DateTime!, $to: DateTime!, $w: ID, $first: Int, $after: ID) {
      presenceSummary(from: $from, to: $to, workstreamId: $w, first: $first, after: $after) {
        agent { id name } signedInSeconds changes byBaseStatus { baseStatus seconds } } }`, 'presenceSummary',
  { from: from.toISOString(), to: to.toISOString(), w: shown.workstreamId });
  // bars share one scale: the longest signed-in time shown fills its bar
  const span = Math.max(1e-3, ...rows.map((row) => row.signedInSeconds));
  const totals = { signedIn: 0, changes: 0, ...Object.fromEntries(STATUSES.map((s) => [s, 0])) };
  $('#summary tbody').innerHTML = rows.map((row) => {
    const by = Object.fromEntries(row.byBaseStatus.map((t) => [t.baseStatus, t.seconds]));
    totals.signedIn += row.signedInSeconds;
    totals.changes += row.changes;
    STATUSES.forEach((s) => { totals[s] += by[s] ?? 0; });
    const bar = STATUSES.filter((s) => by[s]).map((s) =>
      `<span class="${s}" data-share="${((100 * by[s]) / span).toFixed(2)}" title="${LABELS[s]} ${hoursMinutes(by[s])}"></span>`).join('');
    return `<tr data-agent="${row.agent.id}"><td>${escapeHtml(row.agent.name)}</td>
      <td class="figure">${hoursMinutes(row.signedInSeconds)}</td>
      ${STATUSES.map((s) => `<td class="figure" data-status="${s}">${hoursMinutes(by[s] ?? 0)}</td>`).join('')}
      <td class="figure">${row.changes}</td><td><div class="bar">${bar}</div></td></tr>`;
  }).join('') || '<tr><td colspan="9" class="muted">No agents</td></tr>';
  widen($('#summary tbody'));
  $('#summary tfoot').innerHTML = `<tr><td>Total (${rows.length} agents)</td><td class="figure">${hoursMinutes(totals.signedIn)}</td>
    ${STATUSES.map((s) => `<td class="figure" data-status="${s}">${hoursMinutes(totals[s])}</td>`).join('')}
    <td class="figure">${totals.changes}</td><td></td></tr>`;
  $('#summary-period').textContent = `${from.toLocaleString()} – ${to.toLocaleString()}`;
  const csv = new URLSearchParams({ from: from.toISOString(), to: to.toISOString() });
  if (shown.workstreamId) csv.set('workstreamId', shown.workstreamId);
  $('#csv').href = `/reports/presence-summary.csv?${csv}`;
  const floorAt = new Date(Math.min(to.getTime(), Date.now()) - 1000);
  $('#floor-at').value = localInput(floorAt);
  showError(null);
}

/** The CSV needs the bearer token, which a plain link cannot send: fetched, then saved from memory. */
async function downloadCsv(event) {
  event.preventDefault();
  const response = await fetch($('#csv').href, { headers: { Authorization: `Bearer ${token.get()}` } });
  if (!response.ok) {
    $('#report-error').textContent = `The CSV could not be made: ${await response.text()}`;
    return;
  }
  const url = URL.createObjectURL(await response.blob());
  const link = Object.assign(document.createElement('a'), { href: url, download: 'presence-summary.csv' });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function showFloor(event) {
  event?.preventDefault();
  const at = new Date($('#floor-at').value);
  if (Number.isNaN(at.getTime())) {
    $('#report-error').textContent = 'Please choose the moment to show the floor at.';
    return;
  }
  const rows = await pages(`query($at: DateTime!, $w: ID, $first: Int, $after: ID) {
      floorAt(at: $at, workstreamId: $w, first: $first, after: $after) {
        agent { id name } signedIn presence { name } baseStatus since } }`, 'floorAt',
  { at: at.toISOString(), w: shown?.workstreamId ?? null });
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0]));
  rows.filter((r) => r.signedIn).forEach((r) => { counts[r.baseStatus] += 1; });
  $('#floor-counts').innerHTML = STATUSES.map((s) =>
    `<div class="tile ${s}" data-status="${s}"><div class="figure">${counts[s]}</div><div>${LABELS[s]}</div></div>`).join('');
  $('#floor tbody').innerHTML = rows.map((r) => `<tr data-agent="${r.agent.id}"><td>${escapeHtml(r.agent.name)}</td>
    <td>${r.signedIn ? 'Yes' : 'No'}</td><td>${escapeHtml(r.presence.name)}</td><td>${LABELS[r.baseStatus]}</td>
    <td>${new Date(r.since).toLocaleString()}</td></tr>`).join('') || '<tr><td colspan="5" class="muted">No agents</td></tr>';
  showError(null);
}

/** One agent's period as coloured spans, from the change that opened it to the end (or now). */
async function showTimeline(agentId, name) {
  const { from, to } = shown;
  const query = `query($a: ID!, $from: DateTime, $to: DateTime, $first: Int) {
    presenceHistory(agentId: $a, from: $from, to: $to, first: $first) { at cause current { name baseStatus } } }`;
  const [opening, inside] = await Promise.all([
    gql(query, { a: agentId, to: from.toISOString(), first: 1 }),
    gql(query, { a: agentId, from: from.toISOString(), to: to.toISOString(), first: 1000 }),
  ]);
  const changes = [...opening.presenceHistory, ...inside.presenceHistory.reverse()];
  const end = Math.min(to.getTime(), Date.now());
  const span = Math.max(1, end - from.getTime());
  const spans = changes.map((c, i) => {
    const start = Math.max(new Date(c.at).getTime(), from.getTime());
    const stop = i + 1 < changes.length ? new Date(changes[i + 1].at).getTime() : end;
    return { ...c, start, stop, status: SIGNS_OUT.has(c.cause) ? 'SIGNED_OUT' : c.current.baseStatus };
  }).filter((s) => s.stop > s.start);
  $('#timeline-title').textContent = `Timeline of ${name}`;
  $('#timeline').innerHTML = spans.map((s) => `<span class="${s.status}" data-share="${((100 * (s.stop - s.start)) / span).toFixed(3)}"
    title="${escapeHtml(s.current.name)} (${s.cause}) ${new Date(s.start).toLocaleTimeString()}"></span>`).join('');
  widen($('#timeline'));
  $('#timeline-changes tbody').innerHTML = spans.map((s) => `<tr><td>${new Date(s.start).toLocaleString()}</td>
    <td>${escapeHtml(s.current.name)}</td><td>${s.status === 'SIGNED_OUT' ? 'Signed out' : LABELS[s.status]}</td>
    <td>${s.cause}</td></tr>`).join('') || '<tr><td colspan="4" class="muted">No changes</td></tr>';
  $('#timeline-section').hidden = false;
}

$('#period').addEventListener('change', fillInputs);
['#from', '#to'].forEach((id) => $(id).addEventListener('input', () => { $('#period').value = 'custom'; }));
$('#period-form').addEventListener('submit', (event) => {
  event.preventDefault();
  showSummary().then(() => showFloor()).catch(showError);
});
$('#floor-form').addEventListener('submit', (event) => showFloor(event).catch(showError));
$('#csv').addEventListener('click', (event) => downloadCsv(event).catch(showError));
$('#summary tbody').addEventListener('click', (event) => {
  const row = event.target.closest('tr[data-agent]');
  if (row) showTimeline(row.dataset.agent, row.cells[0].textContent).catch(showError);
});

fillInputs();
mountTokenBar($('#token'), (value) => value && loadWorkstreams().then(showSummary).then(() => showFloor()).catch(showError));
