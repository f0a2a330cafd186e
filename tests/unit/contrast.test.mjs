// Text contrast of the page's colour pairs, read from the custom properties in www/style.css for the
// light and the dark theme: every pair where one is drawn on the other must reach WCAG AA (4.5:1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';

const css = fs.readFileSync(new URL('../../www/style.css', import.meta.url), 'utf8');

function props(block) {
  const out = {};
  for (const m of block.matchAll(/--([\w-]+):\s*(#[0-9a-fA-F]{3,8})\s*;/g)) out[m[1]] = m[2];
  return out;
}

const rootBlock = css.slice(css.indexOf(':root {'), css.indexOf('}', css.indexOf(':root {')));
const darkStart = css.indexOf('@media (prefers-color-scheme: dark)');
const darkBlock = css.slice(darkStart, css.indexOf('}', css.indexOf(':root {', darkStart)));
const THEMES = { light: props(rootBlock), dark: { ...props(rootBlock), ...props(darkBlock) } };

function luminance(hex) {
  let h = hex.slice(1);
  if (h.length === 3) h = [...h].map((c) => c + c).join('');
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a, b) {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

const TOKENS = ['fg', 'muted', 'tok-keyword', 'tok-string', 'tok-string2', 'tok-number', 'tok-atom', 'tok-property', 'tok-variable', 'tok-operator', 'alert'];
// [text, background] as drawn on the page.
const PAIRS = [
  // Editor text on every background an editor line can have: plain, active line, selection, the
  // hovered clause's span, the query region of a TOML rule, an error underline.
  ...TOKENS.flatMap((t) => ['editor-bg', 'editor-active', 'selection', 'hl', 'region', 'alert-bg'].map((b) => [t, b])),
  ['muted', 'editor-gutter'],
  // Pressed filter buttons, the selected language, the selected completion.
  ['on-accent', 'accent'],
  // Page text, links, status words.
  ...['fg', 'muted', 'accent', 'alert', 'match', 'suppressed', 'near', 'none', 'ok'].flatMap((t) => [[t, 'panel'], [t, 'bg']]),
  // Result rows: hovered and selected.
  ...['fg', 'muted', 'near'].flatMap((t) => [[t, 'editor-active'], [t, 'row-sel']]),
  // Badges and marked values.
  ['alert', 'alert-bg'], ['match', 'match-bg'], ['suppressed', 'suppressed-bg'], ['near', 'near-bg'], ['none', 'none-bg'], ['ok', 'ok-bg'],
  ['fg', 'suppressed-bg'], ['fg', 'near-bg'], ['fg', 'none-bg'], ['muted', 'none-bg'],
  // The event JSON: values that matched sit on ok-bg, values that did not on alert-bg.
  ...['fg', 'tok-string', 'tok-number', 'tok-atom'].flatMap((t) => [[t, 'ok-bg'], [t, 'alert-bg']]),
  // A control character's escape.
  ['ctl', 'ctl-bg'],
];

for (const [name, theme] of Object.entries(THEMES)) {
  test(`${name} theme: every text colour pair reaches 4.5:1`, () => {
    const low = [];
    for (const [fg, bg] of PAIRS) {
      if (!theme[fg] || !theme[bg]) {
        low.push(`--${fg} on --${bg}: not defined`);
        continue;
      }
      const r = contrast(theme[fg], theme[bg]);
      if (r < 4.5) low.push(`--${fg} on --${bg}: ${r.toFixed(2)}`);
    }
    assert.deepEqual(low, []);
  });
}

test('contrast() matches known ratios', () => {
  assert.equal(contrast('#000000', '#ffffff').toFixed(1), '21.0');
  assert.equal(contrast('#ffffff', '#6ea3ff').toFixed(2), '2.52');
  assert.equal(contrast('#777777', '#ffffff').toFixed(2), '4.48');
});
