/**
 * The jobs list's search box: what the user typed, cut into `match` conditions (the API's
 * PATH:VALUE syntax, docs/jobs.md "Search by payload"). Spaces separate conditions, except
 * inside double quotes (`body.note:"two words"`).
 *
 * @example
 *   splitConditions('body.order.id:123 headers.x-shop:acme'); // ['body.order.id:123', 'headers.x-shop:acme']
 */
export function splitConditions(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '\\' && i + 1 < text.length) {
      current += c + text[++i]!;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (!quoted && /\s/.test(c)) {
      if (current !== '') out.push(current);
      current = '';
    } else current += c;
  }
  if (current !== '') out.push(current);
  return out;
}
