import { connectLive, describe, escapeHtml, followChanges, gql, mountTokenBar, time } from '/shared/api.js';
import { loadWebhooks, mountWebhooks } from './webhooks.js';

const $ = (selector) => document.querySelector(selector);
let presences = [];
let client;

const PRESENCE = 'id version name presenceText baseStatus description systemPresence agentSelectable warnings timeLimitSeconds thenPresence { id name }';
const WORKSTREAM = 'id version name type allowedPresences missedNotifications missesToInactive missesToSignOut offerTimeoutSeconds capacityPerItem wrapUpSeconds presenceAfterReject { id name }';

/** A number field's value, or null when it is blank (no limit, never). */
const numberOrNull = (field) => (field.value.trim() === '' ? null : Number(field.value));
const limitText = (p) => (p.timeLimitSeconds === null ? '' : `${Math.round(p.timeLimitSeconds / 60 * 10) / 10} min → ${escapeHtml(p.thenPresence?.name ?? 'default presence')}`);
const AGENT = 'id version name signedIn presenceSince presence { id name baseStatus }';

/**
 * Edits are saved over the version the form was filled from. When someone else saved first, the form keeps what
 * was typed, takes the current version (so that saving again replaces theirs, deliberately) and says so.
 */
function savedFirst(error, form, what, current) {
  if (error.code !== 'CONFLICT' || !current) return describe(error);
  form.version.value = current.version;
  return `Someone else saved ${what} “${current.name}” first (it is now at version ${current.version}; see the table). `
    + 'Your changes are still in the form: save again to replace theirs, or Clear.';
}

async function loadPresences() {
  presences = (await gql(`{ presences { ${PRESENCE} } }`)).presences;
  $('#presences tbody').innerHTML = presences.map((p) => `
    <tr data-id="${p.id}">
      <td>${escapeHtml(p.name)}</td><td>${escapeHtml(p.presenceText)}</td><td>${p.baseStatus}</td>
      <td>${escapeHtml(p.description)}</td><td class="limit">${limitText(p)}</td>
      <td>${p.systemPresence ? '<span class="readonly">System (read-only)</span>' : 'Custom'}</td>
      <td class="warning">${p.warnings.map(escapeHtml).join('<br>')}</td>
      <td>${p.systemPresence ? '' : `<button class="secondary" data-edit="${p.id}">Edit</button>
           <button class="secondary" data-delete="${p.id}">Delete</button>`}</td>
    </tr>`).join('');
  fillThenChoices();
  fillAfterRejectChoices();
}

/** Where a rejection can move the agent: any presence agents may choose. */
function fillAfterRejectChoices() {
  const select = $('#workstream-after-reject');
  const chosen = select.value;
  select.innerHTML = '<option value="">The presence stays</option>' + presences.filter((p) => p.agentSelectable)
    .map((p) => `<option value="${p.id}">${escapeHtml(p.name)}</option>`).join('');
  select.value = chosen;
}

/** Where a time-limited presence can send agents: agent-selectable presences without a limit of their own. */
function fillThenChoices() {
  const select = $('#presence-then');
  const chosen = select.value;
  select.innerHTML = '<option value="">Default presence, or Available</option>' + presences
    .filter((p) => p.agentSelectable && p.timeLimitSeconds === null)
    .map((p) => `<option value="${p.id}">${escapeHtml(p.name)}</option>`).join('');
  select.value = chosen;
}

function presenceInput(form) {
  const data = new FormData(form);
  const minutes = numberOrNull(form.timeLimitMinutes);
  return {
    name: data.get('name'), presenceText: data.get('presenceText'), baseStatus: data.get('baseStatus'),
    description: data.get('description') || null,
    timeLimitSeconds: minutes === null ? null : Math.round(minutes * 60),
    thenPresenceId: minutes === null ? null : (data.get('thenPresenceId') || null),
  };
}

let warningsTimer;
let warningsAsked = 0;

/** Asks for the form's warnings once typing pauses; an answer to input that has changed since is dropped. */
function previewWarnings() {
  clearTimeout(warningsTimer);
  warningsTimer = setTimeout(askWarnings, 250);
}

async function askWarnings() {
  const asked = ++warningsAsked;
  const input = presenceInput($('#presence-form'));
  let warnings = [];
  if (input.presenceText) {
    try {
      warnings = (await gql('query($in: PresenceInput!) { presenceWarnings(input: $in) }',
        { in: { ...input, name: input.name || '-' } })).presenceWarnings;
    } catch {
      warnings = [];
    }
  }
  if (asked === warningsAsked) {
    $('#presence-warning').textContent = warnings.join(' ');
  }
}

function resetPresenceForm() {
  const form = $('#presence-form');
  form.reset();
  form.id.value = '';
  $('#presence-form-title').textContent = 'New presence';
  $('#presence-error').textContent = '';
  $('#presence-warning').textContent = '';
}

async function savePresence(event) {
  event.preventDefault();
  const form = event.target;
  const input = presenceInput(form);
  try {
    if (form.id.value) {
      await gql('mutation($id: ID!, $in: PresenceInput!, $v: Int) { updatePresence(id: $id, input: $in, expectedVersion: $v) { id } }',
        { id: form.id.value, in: input, v: Number(form.version.value) });
    } else {
      await gql(`mutation($in: PresenceInput!) { createPresence(input: $in) { id } }`, { in: input });
    }
    resetPresenceForm();
    await loadPresences();
    await loadAgents();
  } catch (e) {
    if (e.code === 'CONFLICT' && form.id.value) await loadPresences();
    $('#presence-error').textContent = savedFirst(e, form, 'presence', presences.find((p) => p.id === form.id.value));
  }
}

async function onPresenceTable(event) {
  const edit = event.target.dataset.edit;
  const remove = event.target.dataset.delete;
  if (edit) {
    const p = presences.find((x) => x.id === edit);
    const form = $('#presence-form');
    form.id.value = p.id;
    form.version.value = p.version;
    form.name.value = p.name;
    form.presenceText.value = p.presenceText;
    form.baseStatus.value = p.baseStatus;
    form.description.value = p.description ?? '';
    form.timeLimitMinutes.value = p.timeLimitSeconds === null ? '' : p.timeLimitSeconds / 60;
    form.thenPresenceId.value = p.thenPresence?.id ?? '';
    $('#presence-form-title').textContent = `Edit presence “${p.name}”`;
    form.name.focus();
    previewWarnings();
  } else if (remove) {
    try {
      const { version, name } = presences.find((x) => x.id === remove);
      await gql('mutation($id: ID!, $v: Int) { deletePresence(id: $id, expectedVersion: $v) }', { id: remove, v: version });
      await loadPresences();
    } catch (e) {
      $('#presence-error').textContent = e.code === 'CONFLICT' && /version/.test(e.message)
        ? 'Someone else changed this presence since the table was loaded; it was not deleted. Check it and delete again.'
        : describe(e);
      await loadPresences();
    }
  }
}

let workstreams = [];

async function loadWorkstreams() {
  workstreams = (await gql(`{ workstreams { ${WORKSTREAM} } }`)).workstreams;
  $('#workstreams tbody').innerHTML = workstreams.map((w) => `
    <tr data-id="${w.id}">
      <td>${escapeHtml(w.name)}</td><td>${w.type}</td><td>${w.allowedPresences.join(', ')}</td>
      <td>${w.missedNotifications ? `On: Inactive after ${w.missesToInactive}${w.missesToSignOut === null ? '' : `, signed out after ${w.missesToSignOut}`}` : 'Off'}</td>
      <td>${w.offerTimeoutSeconds}</td><td>${w.capacityPerItem}</td><td>${w.wrapUpSeconds}</td>
      <td>${w.presenceAfterReject ? escapeHtml(w.presenceAfterReject.name) : '<span class="muted">stays</span>'}</td>
      <td><button class="secondary" data-edit="${w.id}">Edit</button> <button class="secondary" data-delete="${w.id}">Delete</button></td>
    </tr>`).join('');
}

function resetWorkstreamForm() {
  const form = $('#workstream-form');
  form.reset();
  form.id.value = '';
  $('#workstream-form-title').textContent = 'New workstream';
  $('#workstream-error').textContent = '';
}

async function saveWorkstream(event) {
  event.preventDefault();
  const form = event.target;
  const input = {
    name: form.name.value,
    type: form.type.value,
    allowedPresences: [...form.querySelectorAll('input[name=allowed]:checked')].map((c) => c.value),
    missedNotifications: form.missedNotifications.checked,
    offerTimeoutSeconds: Number(form.offerTimeoutSeconds.value),
    capacityPerItem: Number(form.capacityPerItem.value),
    wrapUpSeconds: Number(form.wrapUpSeconds.value),
    presenceAfterRejectId: form.presenceAfterRejectId.value || null,
    missesToInactive: Number(form.missesToInactive.value),
    missesToSignOut: numberOrNull(form.missesToSignOut),
  };
  try {
    if (form.id.value) {
      await gql('mutation($id: ID!, $in: WorkstreamInput!, $v: Int) { updateWorkstream(id: $id, input: $in, expectedVersion: $v) { id } }',
        { id: form.id.value, in: input, v: Number(form.version.value) });
    } else {
      await gql('mutation($in: WorkstreamInput!) { createWorkstream(input: $in) { id } }', { in: input });
    }
    resetWorkstreamForm();
    await loadWorkstreams();
  } catch (e) {
    if (e.code === 'CONFLICT' && form.id.value) await loadWorkstreams();
    $('#workstream-error').textContent = savedFirst(e, form, 'workstream', workstreams.find((w) => w.id === form.id.value));
  }
}

async function onWorkstreamTable(event) {
  const { edit, delete: remove } = event.target.dataset;
  if (edit) {
    const w = workstreams.find((x) => x.id === edit);
    const form = $('#workstream-form');
    form.id.value = w.id;
    form.version.value = w.version;
    form.name.value = w.name;
    form.type.value = w.type;
    form.querySelectorAll('input[name=allowed]').forEach((c) => { c.checked = w.allowedPresences.includes(c.value); });
    form.missedNotifications.checked = w.missedNotifications;
    form.offerTimeoutSeconds.value = w.offerTimeoutSeconds;
    form.capacityPerItem.value = w.capacityPerItem;
    form.wrapUpSeconds.value = w.wrapUpSeconds;
    form.presenceAfterRejectId.value = w.presenceAfterReject?.id ?? '';
    form.missesToInactive.value = w.missesToInactive;
    form.missesToSignOut.value = w.missesToSignOut ?? '';
    $('#workstream-form-title').textContent = `Edit workstream “${w.name}”`;
    form.name.focus();
  } else if (remove) {
    try {
      const { version } = workstreams.find((x) => x.id === remove);
      await gql('mutation($id: ID!, $v: Int) { deleteWorkstream(id: $id, expectedVersion: $v) }', { id: remove, v: version });
      await loadWorkstreams();
    } catch (e) {
      $('#workstream-error').textContent = e.code === 'CONFLICT' && /version/.test(e.message)
        ? 'Someone else changed this workstream since the table was loaded; it was not deleted. Check it and delete again.'
        : describe(e);
      await loadWorkstreams();
    }
  }
}

// A select per agent row holds only the current presence until it gets focus: thousands of rows times every
// presence would make the table slow to render.
function fillChoices(select) {
  if (select.dataset.filled) return;
  const current = select.value;
  select.innerHTML = presences.filter((p) => p.agentSelectable)
    .map((p) => `<option value="${p.id}" ${p.id === current ? 'selected' : ''}>${escapeHtml(p.name)}</option>`).join('');
  select.dataset.filled = 'yes';
}

function agentRow(a) {
  const options = `<option value="${a.presence.id}" selected>${escapeHtml(a.presence.name)}</option>`;
  return `<tr data-agent="${a.id}" data-version="${a.version}">
    <td>${escapeHtml(a.name)}</td><td class="presence">${escapeHtml(a.presence.name)}</td>
    <td class="base">${a.presence.baseStatus}</td><td class="since">${time(a.presenceSince)}</td>
    <td class="signed-in">${a.signedIn ? 'Yes' : 'No'}</td>
    <td><label class="muted" for="set-${a.id}">Presence of ${escapeHtml(a.name)}</label>
        <select id="set-${a.id}" data-set="${a.id}">${options}</select></td>
  </tr>`;
}

async function loadAgents() {
  try {
    const all = [];
    let after = null;
    for (;;) {
      const page = (await gql(`query($after: ID) { agents(first: 1000, after: $after) { ${AGENT} } }`, { after })).agents;
      all.push(...page);
      if (page.length < 1000) break;
      after = page[page.length - 1].id;
    }
    $('#agents tbody').innerHTML = all.map(agentRow).join('');
    $('#agents-error').textContent = '';
  } catch (e) {
    $('#agents-error').textContent = describe(e);
  }
}

function applyChange(change) {
  const row = document.querySelector(`tr[data-agent="${change.agentId}"]`);
  if (!row) {
    loadAgents();
    return;
  }
  row.dataset.version = change.version;
  row.querySelector('.presence').textContent = change.current.name;
  row.querySelector('.base').textContent = change.current.baseStatus;
  row.querySelector('.since').textContent = time(change.at);
  if (change.cause === 'SIGN_IN') row.querySelector('.signed-in').textContent = 'Yes';
  if (change.cause === 'SIGN_OUT') row.querySelector('.signed-in').textContent = 'No';
  const select = row.querySelector('select');
  if (select.dataset.filled) {
    select.value = change.current.id;
  } else {
    select.innerHTML = `<option value="${change.current.id}" selected>${escapeHtml(change.current.name)}</option>`;
  }
}

async function onAgentPresence(event) {
  const agentId = event.target.dataset.set;
  if (!agentId) return;
  const row = event.target.closest('tr');
  try {
    // over the version this row shows: a change that crossed the supervisor's choice is never overwritten unseen
    await gql('mutation($a: ID, $p: ID!, $v: Int) { setPresence(agentId: $a, presenceId: $p, expectedVersion: $v) { id } }',
      { a: agentId, p: event.target.value, v: Number(row.dataset.version) });
    $('#agents-error').textContent = '';
  } catch (e) {
    $('#agents-error').textContent = e.code === 'CONFLICT'
      ? `${row.cells[0].textContent} changed before your choice arrived: ${e.message}`
      : describe(e);
  }
}

const position = { sequence: null };
let stopChanges = () => {};

function follow() {
  stopChanges();
  stopChanges = followChanges(client, 'agentId cause at version current { id name baseStatus }', position, applyChange,
    (e) => { $('#agents-error').textContent = describe(e); });
}

let starts = 0;

async function start() {
  const run = ++starts;
  try {
    await loadPresences();
    await loadWorkstreams();
    await loadWebhooks(workstreams);
    await loadAgents();
  } catch (e) {
    $('#presence-error').textContent = describe(e);
    return;
  }
  if (run !== starts) return; // a newer start (another token) took over
  client = connectLive(follow);
  window.presenceConsole = { client };
}

$('#presence-form').addEventListener('submit', savePresence);
$('#presence-form').addEventListener('input', previewWarnings);
$('#presence-cancel').addEventListener('click', resetPresenceForm);
$('#presences').addEventListener('click', onPresenceTable);
$('#workstream-form').addEventListener('submit', saveWorkstream);
$('#workstream-cancel').addEventListener('click', resetWorkstreamForm);
$('#workstreams').addEventListener('click', onWorkstreamTable);
$('#agents').addEventListener('change', onAgentPresence);
$('#agents').addEventListener('focusin', (event) => event.target.dataset.set && fillChoices(event.target));
$('#agents').addEventListener('mousedown', (event) => event.target.dataset.set && fillChoices(event.target));
mountWebhooks();
mountTokenBar($('#token'), (value) => value && start());
