// The admin console's webhooks: health at a glance, add, edit, disable and enable, delete, replay.
import { describe, escapeHtml, gql } from '/shared/api.js';

const $ = (selector) => document.querySelector(selector);
const WEBHOOK = 'id version url enabled deliveredThrough lagSeconds failures lastError lastAttemptAt workstream { id name }';
let webhooks = [];
let workstreamChoices = [];

const state = (w) => (w.enabled ? (w.failures ? `Failing (${w.failures} in a row)` : 'Healthy') : 'Disabled');
const lag = (seconds) => (seconds < 1 ? 'caught up' : seconds < 120 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`);

export async function loadWebhooks(workstreams) {
  workstreamChoices = workstreams;
  try {
    webhooks = (await gql(`{ webhooks { ${WEBHOOK} } }`)).webhooks;
  } catch (e) {
    if (e.code === 'FORBIDDEN') { // supervisors: webhooks are for administrators
      $('#webhooks-section').hidden = true;
      return;
    }
    throw e;
  }
  $('#webhooks-section').hidden = false;
  $('#webhook-workstream').innerHTML = '<option value="">Every agent</option>'
    + workstreams.map((w) => `<option value="${w.id}">${escapeHtml(w.name)}</option>`).join('');
  $('#webhooks tbody').innerHTML = webhooks.map((w) => `
    <tr data-id="${w.id}">
      <td>${escapeHtml(w.url)}</td><td>${escapeHtml(w.workstream?.name ?? 'Every agent')}</td><td>${state(w)}</td>
      <td>${w.deliveredThrough ?? '–'}</td><td>${lag(w.lagSeconds)}</td><td>${w.failures}</td>
      <td class="error">${escapeHtml(w.lastError ?? '')}</td><td>${w.lastAttemptAt ? new Date(w.lastAttemptAt).toLocaleString() : ''}</td>
      <td><button class="secondary" data-edit="${w.id}">Edit</button>
        <button class="secondary" data-toggle="${w.id}">${w.enabled ? 'Disable' : 'Enable'}</button>
        <button class="secondary" data-replay="${w.id}">Replay…</button>
        <button class="secondary" data-delete="${w.id}">Delete</button></td>
    </tr>`).join('') || '<tr><td colspan="9" class="muted">No webhooks</td></tr>';
}

function resetForm() {
  const form = $('#webhook-form');
  form.reset();
  form.id.value = '';
  $('#webhook-form-title').textContent = 'New webhook';
  $('#webhook-error').textContent = '';
  $('#webhook-secret-shown').textContent = '';
}

/** A Standard Webhooks secret from the browser's secure random source, shown once so it can be given to the receiver. */
function newSecret() {
  const key = crypto.getRandomValues(new Uint8Array(32));
  const secret = `whsec_${btoa(String.fromCharCode(...key))}`;
  $('#webhook-secret').value = secret;
  $('#webhook-secret-shown').textContent = `Give the receiver this secret now; the service never shows it again: ${secret}`;
}

async function save(event) {
  event.preventDefault();
  const form = event.target;
  const input = { url: form.url.value.trim(), workstreamId: form.workstreamId.value || null, enabled: form.enabled.checked };
  if (form.secret.value) input.secret = form.secret.value.trim();
  try {
    if (form.id.value) {
      await gql('mutation($id: ID!, $in: WebhookInput!, $v: Int) { updateWebhook(id: $id, input: $in, expectedVersion: $v) { id } }',
        { id: form.id.value, in: input, v: Number(form.version.value) });
    } else {
      if (!input.secret) {
        $('#webhook-error').textContent = 'A new webhook needs a signing secret: type one (whsec_…) or press “New secret”.';
        return;
      }
      await gql('mutation($in: WebhookInput!) { createWebhook(input: $in) { id } }', { in: input });
    }
    resetForm();
    await loadWebhooks(workstreamChoices);
  } catch (e) {
    $('#webhook-error').textContent = e.code === 'CONFLICT' && /version/.test(e.message)
      ? 'Someone else saved this webhook first; the table shows it now. Your changes are still in the form: save again to replace theirs.'
      : describe(e);
    if (e.code === 'CONFLICT') {
      await loadWebhooks(workstreamChoices);
      form.version.value = webhooks.find((w) => w.id === form.id.value)?.version ?? form.version.value;
    }
  }
}

async function onTable(event) {
  const { edit, toggle, replay, delete: remove } = event.target.dataset;
  const w = webhooks.find((x) => x.id === (edit ?? toggle ?? replay ?? remove));
  if (!w) return;
  try {
    if (edit) {
      const form = $('#webhook-form');
      form.id.value = w.id;
      form.version.value = w.version;
      form.url.value = w.url;
      form.secret.value = '';
      form.workstreamId.value = w.workstream?.id ?? '';
      form.enabled.checked = w.enabled;
      $('#webhook-form-title').textContent = `Edit webhook ${w.id}`;
      form.url.focus();
      return;
    }
    if (toggle) {
      await gql('mutation($id: ID!, $in: WebhookInput!, $v: Int) { updateWebhook(id: $id, input: $in, expectedVersion: $v) { id } }',
        { id: w.id, in: { url: w.url, enabled: !w.enabled }, v: w.version });
    } else if (replay) {
      const after = prompt('Deliver again every change after which sequence? (the receiver gets them again, in order)', w.deliveredThrough ?? '0');
      if (after === null) return;
      await gql('mutation($id: ID!, $s: ID!) { replayWebhook(id: $id, afterSequence: $s) { id } }', { id: w.id, s: after.trim() });
    } else if (remove) {
      if (!confirm(`Delete the webhook to ${w.url}? Its receiver gets nothing more.`)) return;
      await gql('mutation($id: ID!) { deleteWebhook(id: $id) }', { id: w.id });
    }
    $('#webhook-error').textContent = '';
  } catch (e) {
    $('#webhook-error').textContent = describe(e);
  }
  await loadWebhooks(workstreamChoices);
}

export function mountWebhooks() {
  $('#webhook-form').addEventListener('submit', save);
  $('#webhook-cancel').addEventListener('click', resetForm);
  $('#webhook-new-secret').addEventListener('click', newSecret);
  $('#webhooks').addEventListener('click', onTable);
  setInterval(() => !$('#webhooks-section').hidden && loadWebhooks(workstreamChoices).catch(() => {}), 5000);
}
