// The notice bar under the header: short messages about the page's state (a restored session, a link
// that could not be opened, storage that is off), each with its own actions and a dismiss button.
// One notice per key: showing a key again replaces its notice, so a message repeated by every
// change appears once. All text goes in as text nodes; nothing here parses markup.

/**
 * @typedef {object} NoticeAction
 * @property {string} label
 * @property {() => void} run
 * @property {string} [id]   for tests and for focusing
 */
/**
 * @typedef {object} Notice
 * @property {string} text
 * @property {'info' | 'error'} [kind]
 * @property {NoticeAction[]} [actions]
 */

export class Notices {
  /**
   * @param {HTMLElement} el the container, empty and never hidden: a live region must be in the
   *   accessibility tree before its content changes, or screen readers miss the first notice
   */
  constructor(el) {
    this.el = el;
    /** @type {Map<string, HTMLElement>} */
    this.items = new Map();
  }

  /**
   * @param {string} key
   * @param {Notice} notice
   */
  show(key, { text, kind = 'info', actions = [] }) {
    const item = document.createElement('div');
    item.className = `notice notice-${kind}`;
    item.dataset.notice = key;
    const msg = document.createElement('span');
    msg.className = 'notice-text';
    // An error is announced at once; the rest politely, through the container's aria-live.
    if (kind === 'error') msg.setAttribute('role', 'alert');
    msg.textContent = text;
    item.append(msg);
    for (const a of actions) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = a.label;
      if (a.id) b.id = a.id;
      b.addEventListener('click', () => {
        this.hide(key);
        a.run();
      });
      item.append(b);
    }
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'icon-btn notice-close';
    close.setAttribute('aria-label', 'Dismiss this message');
    close.textContent = '✕';
    close.addEventListener('click', () => this.hide(key));
    item.append(close);
    const old = this.items.get(key);
    if (old) old.replaceWith(item);
    else this.el.append(item);
    this.items.set(key, item);
  }

  /** @param {string} key */
  hide(key) {
    const item = this.items.get(key);
    if (!item) return;
    // Focus would fall to <body> when the focused button disappears.
    const hadFocus = item.contains(document.activeElement);
    item.remove();
    this.items.delete(key);
    if (hadFocus) /** @type {HTMLElement | null} */ (document.querySelector('#share-btn'))?.focus();
  }

  /** @param {string} key */
  has(key) {
    return this.items.has(key);
  }
}
