// "Download for Kibana (NDJSON)": the edited rule with its exceptions as Kibana's rule export,
// which Rules → Import reads (written by the core, rule::to_kibana). Loaded on the first click.

/**
 * @param {object} x
 * @param {(q: any) => Promise<any>} x.ask
 * @param {() => Promise<void>} x.settle
 * @param {() => string} x.name
 * @param {(message: string) => void} x.say
 */
export async function downloadKibana({ ask, settle, name, say }) {
  await settle();
  /** @type {string | null} */
  const ndjson = await ask({ what: 'kibanaExport' });
  if (!ndjson) return say('There is no rule file: open or paste a rule first (a bare query has no name or severity for Kibana).');
  const url = URL.createObjectURL(new Blob([ndjson], { type: 'application/x-ndjson' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `${name()}.ndjson`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
  const items = ndjson.split('\n').filter((l) => l.includes('"entries"')).length;
  say(`Kibana rule export downloaded${items ? ` with ${items} exception item${items === 1 ? '' : 's'}` : ''}: import it with Security → Rules → Import.`);
}
