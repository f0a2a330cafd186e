// The Mappings panel: an Elasticsearch mapping (GET index/_mapping JSON, or an index template's
// `mappings`) whose field types override ECS in the core (Session.set_mappings). The text goes to
// the engine as typed (0.3 s after the last key) or as read from a chosen file.

/** @typedef {import('../pkg/ruleplay.js').MappingsReport} MappingsReport */

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * @param {(text: string) => void} send called with the mapping text whenever it changes
 * @returns {{text: () => string, setText: (text: string) => void}}
 */
export function initMappings(send) {
  const area = /** @type {HTMLTextAreaElement} */ ($('mappings-text'));
  const file = /** @type {HTMLInputElement} */ ($('mappings-file'));
  let last = '';
  let timer = 0;
  const push = () => {
    if (area.value === last) return;
    last = area.value;
    send(last);
  };
  area.addEventListener('input', () => {
    clearTimeout(timer);
    timer = window.setTimeout(push, 300);
  });
  file.addEventListener('change', async () => {
    const f = file.files && file.files[0];
    if (!f) return;
    area.value = await f.text();
    file.value = '';
    push();
  });
  return {
    text: () => area.value,
    /** A restored state's mapping (a link, a state file, autosave). */
    setText: (text) => {
      area.value = text;
      /** @type {HTMLDetailsElement} */ ($('mappings')).open = Boolean(text);
      push();
    },
  };
}

/** @param {MappingsReport} report what the core read */
export function showMappings(report) {
  const status = $('mappings-problems');
  $('mappings-count').textContent = report.fields ? `(${report.fields} fields)` : '';
  status.classList.toggle('error', Boolean(report.error));
  status.textContent = report.error
    ? report.error
    : report.fields
      ? `✔ ${report.fields} mapped fields override ECS`
      : '';
}
