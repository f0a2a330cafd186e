// The edited rule out of the page: "Download rule (TOML)", "Copy rule (TOML)" (the rule file with
// the current query written into it, by the core) and "Copy query". Beside them, whether the file
// still equals the one opened in every byte outside the query string (the core compares).
import { textEl as el } from './text.js';

/** @typedef {import('../pkg/ruleplay.js').RuleExport} RuleExport */

export class RuleExporter {
  /**
   * @param {HTMLElement} root where the buttons go
   * @param {object} hooks
   * @param {(q: any) => Promise<any>} hooks.ask the engine's question (client.ask)
   * @param {() => Promise<void>} hooks.settle sends pending editor text and waits for the engine
   * @param {() => string} hooks.name the file name's stem (the example's name, or `rule`)
   */
  constructor(root, hooks) {
    this.hooks = hooks;
    /** The rule file as opened, to compare against; null for typed rules. */
    this.original = /** @type {string | null} */ (null);
    const button = (/** @type {string} */ text, /** @type {() => void} */ f) => {
      const b = /** @type {HTMLButtonElement} */ (el('button', 'small', text));
      b.type = 'button';
      b.addEventListener('click', f);
      root.append(b);
      return b;
    };
    button('Download rule (TOML)', () => this.run('download'));
    button('Copy rule (TOML)', () => this.run('copy'));
    button('Copy query', () => this.run('query'));
    button('Download for Kibana (NDJSON)', () =>
      import('./bridge/kibana_export.js').then(({ downloadKibana }) => downloadKibana({ ...hooks, say: (m) => this.say(m) })),
    );
    this.status = el('span', 'export-status muted small');
    this.status.setAttribute('role', 'status');
    root.append(this.status);
  }

  /** @param {string | null} text the rule file just opened (null: a bare query or typed text) */
  setOriginal(text) {
    this.original = text;
  }

  /** @param {'download' | 'copy' | 'query'} what */
  async run(what) {
    await this.hooks.settle();
    /** @type {RuleExport | null} */
    const x = await this.hooks.ask({ what: 'export', original: this.original });
    if (!x) return this.say('The engine did not answer.');
    if (what === 'query') {
      if (x.query == null) return this.say('There is no query to copy.');
      return this.say((await copy(x.query)) ? 'Query copied.' : 'The browser refused the clipboard.');
    }
    if (x.toml == null) return this.say('There is no rule file: open or paste a rule TOML first.');
    const same = x.only_query_changed === true ? ' Only the query differs from the file as opened.' : x.only_query_changed === false ? ' Careful: bytes outside the query differ from the file as opened.' : '';
    document.body.dataset.exportOnlyQuery = String(x.only_query_changed ?? '');
    if (what === 'copy') return this.say(((await copy(x.toml)) ? 'Rule copied.' : 'The browser refused the clipboard.') + same);
    const url = URL.createObjectURL(new Blob([x.toml], { type: 'application/toml' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${this.hooks.name()}.toml`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    this.say(`Saved ${a.download}.${same}`);
  }

  /** @param {string} text */
  say(text) {
    this.status.textContent = text;
  }
}

/**
 * Put `text` on the clipboard (also for "Copy for Dev Tools", www/devtools/copy.js).
 * @param {string} text
 * @returns {Promise<boolean>}
 */
export async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard permission: a hidden text area and the old command.
    const t = document.createElement('textarea');
    t.value = text;
    t.setAttribute('aria-hidden', 'true');
    t.className = 'visually-hidden';
    document.body.append(t);
    t.select();
    const ok = document.execCommand('copy');
    t.remove();
    return ok;
  }
}
