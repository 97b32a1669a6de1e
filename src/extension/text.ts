// The extension's words that need no editor: where a docs page a message names lives, and titles cut to fit.

/**
 * A page of the docs a message names ("docs/servers.md") as an address that opens: the docs do not ship in
 * the .vsix, so it is the page in the repository package.json declares; null where it declares none on GitHub.
 */
export function docsUrl(repository: unknown, page: string): string | null {
  const url = typeof repository === 'string' ? repository : (repository as { url?: unknown } | null)?.url;
  if (typeof url !== 'string' || !/^(git\+)?https:\/\/github\.com\/[\w.-]+\/[\w.-]+/.test(url)) return null;
  return `${url.replace(/^git\+/, '').replace(/\.git$/, '')}/blob/main/${page}`;
}

/** The docs pages a message names, each once, in order. */
export function docsPages(message: string): string[] {
  return [...new Set(Array.from(message.matchAll(/\bdocs\/[\w-]+\.md\b/g), (m) => m[0]))];
}

/** A text cut at a word boundary near `max` characters, with an ellipsis when cut (quick-pick titles do not wrap). */
export function clipWords(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s.,;:]+$/, '')}…`;
}
