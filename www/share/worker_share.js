// The engine thread's part of sharing: redaction (with its verdict check) and the example-folder
// export, answered from the worker's Session. Called by worker.js for the messages it does not
// handle itself; the Session's own state is never changed here.

/** @typedef {import('../../pkg/ruleplay.js').Session} Session */

/**
 * @param {Session} session
 * @param {{ type: string, id: number, fields?: string[], title?: string, events?: string | null, exceptions?: string }} msg
 * @returns {boolean} whether the message was one of these
 */
export function handleShare(session, msg) {
  const t0 = performance.now();
  if (msg.type === 'redactChoices') {
    self.postMessage({ type: 'redactChoices', id: msg.id, choices: session.redaction_choices() });
  } else if (msg.type === 'redact') {
    const report = session.redact(msg.fields || []);
    self.postMessage({ type: 'redact', id: msg.id, report, ms: performance.now() - t0 });
  } else if (msg.type === 'exampleFolder') {
    const folder = session.example_folder(msg.title || 'ruleplay case', msg.events ?? undefined, msg.exceptions || '');
    self.postMessage({ type: 'exampleFolder', id: msg.id, folder, ms: performance.now() - t0 });
  } else {
    return false;
  }
  return true;
}
