// Keeps API keys out of everything SpecSearch shows or writes: the keys it read, and tokens in URLs and headers.

export const REDACTED = '[redacted]';

/** Shorter values are not keys, and replacing them would garble ordinary text. */
const MIN_SECRET_LENGTH = 8;

const secrets = new Set<string>();

/** A key SpecSearch read (the value of an apiKeyEnv variable): from now on it is replaced wherever it appears. */
export function addSecret(value: string): void {
  if (value.length >= MIN_SECRET_LENGTH) secrets.add(value);
}

/** An http(s) URL's ?query or #fragment (at least one character of it): where servers and proxies take tokens. */
const URL_TOKENS = /\b(https?:\/\/[^\s"'<>`?#]*)([?#])[^\s"'<>`]+/gi;
/** `Authorization: Bearer …`, `x-api-key: …`, `"api_key": "…"`, `access_token=…` as servers echo them. */
const NAMED_TOKENS =
  /\b(authorization|proxy-authorization|x-api-key|api[-_]?key|access[-_]?token|auth[-_]?token)(["']?\s*[:=]\s*["']?)(?:(?:Bearer|Basic|Token)\s+)?[^\s"'&,;}]+/gi;
const BEARER = /\bBearer\s+[\w.~+/=-]+/g;

/** The text with every known key, URL query or fragment, and header-borne token replaced by [redacted]. */
export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) {
    out = out.split(secret).join(REDACTED);
    // As JSON writes it, for text that is serialised already (results.json, --json lines).
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret) out = out.split(escaped).join(REDACTED);
  }
  return out
    .replace(URL_TOKENS, (_m, url: string, sep: string) => `${url}${sep}${REDACTED}`)
    .replace(NAMED_TOKENS, (_m, name: string, sep: string) => `${name}${sep}${REDACTED}`)
    .replace(BEARER, `Bearer ${REDACTED}`);
}
