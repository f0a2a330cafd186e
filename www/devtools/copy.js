// "Copy for Dev Tools": Kibana console text that checks the current rule on a real cluster (a
// scratch index mapped with ECS types, the events, the rule's request with the exceptions, the
// cleanup), or the rule's request alone in console format. The core writes both
// (crate/src/es/); this module only asks and copies. Loaded on first use, off the first load.
import { copy } from '../export.js';

/** @typedef {import('../../pkg/ruleplay.js').EsBuilt} EsBuilt */

/** @typedef {{ask: (q: any) => Promise<any>, settle: () => Promise<void>, say: (text: string) => void}} Hooks */

/**
 * @param {'kit' | 'request' | 'timed'} what the kit, the request, or the request with the rule's time window
 * @param {Hooks} hooks
 * @returns {Promise<string>} what to tell the user
 */
export async function copyForDevTools(what, { ask, settle }) {
  await settle();
  /** @type {{kit?: string, error?: string, request?: EsBuilt['request'], notes?: string[]} | null} */
  const r = await ask({ what: 'es', kit: what === 'kit', timeRange: what === 'timed' });
  if (!r) return 'The engine did not answer.';
  if (r.error !== undefined) return `No Elasticsearch request: ${r.error}`;
  const text = r.kit ?? (r.request ? consoleRequest({ request: r.request, notes: r.notes ?? [] }) : '');
  if (!(await copy(text))) return 'The browser refused the clipboard.';
  return what === 'kit'
    ? 'Copied: paste into Kibana → Dev Tools → Console and run the four requests.'
    : 'Request copied (Dev Tools console format).';
}

/**
 * A request as the console reads it: its notes as comments, `METHOD path`, the body.
 * @param {EsBuilt} b
 */
export function consoleRequest(b) {
  const notes = b.notes.map((n) => `# ${n}\n`).join('');
  return `${notes}${b.request.method} ${b.request.path}\n${JSON.stringify(b.request.body, null, 2)}\n`;
}

/** Closes the open menu, if any. */
let closeOpen = /** @type {(() => void) | null} */ (null);

/**
 * The ▾ menu under `anchor`: the request alone, with or without the rule's time window. Escape,
 * a click elsewhere or a choice closes it.
 * @param {HTMLElement} anchor
 * @param {Hooks} hooks
 */
export function openMenu(anchor, hooks) {
  if (closeOpen) return closeOpen();
  const menu = document.createElement('div');
  menu.className = 'devtools-menu';
  menu.setAttribute('role', 'menu');
  const r = anchor.getBoundingClientRect();
  Object.assign(menu.style, {
    position: 'absolute',
    top: `${r.bottom + window.scrollY + 2}px`,
    right: `${document.documentElement.clientWidth - r.right}px`,
    zIndex: '50',
    display: 'flex',
    flexDirection: 'column',
    gap: '2px',
    padding: '4px',
    background: 'var(--panel, #fff)',
    border: '1px solid var(--border, #ccc)',
    borderRadius: '6px',
    boxShadow: '0 4px 12px rgba(0, 0, 0, 0.15)',
  });
  /** @type {[string, 'kit' | 'request' | 'timed'][]} */
  const items = [
    ['Copy the kit (index, events, request, cleanup)', 'kit'],
    ['Copy the request', 'request'],
    ["Copy the request with the rule's time window", 'timed'],
  ];
  for (const [label, what] of items) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'small';
    b.setAttribute('role', 'menuitem');
    b.textContent = label;
    b.style.textAlign = 'left';
    b.addEventListener('click', async () => {
      close();
      hooks.say(await copyForDevTools(what, hooks));
    });
    menu.append(b);
  }
  document.body.append(menu);
  closeOpen = close;
  anchor.setAttribute('aria-expanded', 'true');
  /** @param {Event} e */
  const away = (e) => {
    const t = /** @type {Node} */ (e.target);
    if (e instanceof KeyboardEvent ? e.key === 'Escape' : !menu.contains(t) && !anchor.contains(t)) close();
  };
  function close() {
    menu.remove();
    closeOpen = null;
    anchor.setAttribute('aria-expanded', 'false');
    document.removeEventListener('keydown', away, true);
    document.removeEventListener('pointerdown', away, true);
    anchor.focus();
  }
  document.addEventListener('keydown', away, true);
  document.addEventListener('pointerdown', away, true);
  /** @type {HTMLElement | null} */ (menu.firstElementChild)?.focus();
}
