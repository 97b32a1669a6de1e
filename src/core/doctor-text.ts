// The doctor's report as text: what `specsearch doctor` prints and the extension writes to its log.
import type { DoctorModelReport, DoctorReport } from './doctor';
import type { ServerCapabilities } from './models/capabilities';

/**
 * The report as text, one block per model; `title` names what printed it (the CLI's "specsearch doctor", the
 * extension's log), `color` paints the marks for a terminal.
 */
export function formatDoctorReport(report: DoctorReport, file: string | null, { color = false, title = 'specsearch doctor' } = {}): string {
  const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const lines: string[] = [];
  lines.push(`${title} — ${file ?? `profile "${report.profile}"`}, method "${report.method}", checked in ${report.ms} ms`, '');
  for (const m of report.models) {
    const mark = m.ok ? paint('32', '✓') : paint('31', '✗');
    lines.push(
      // An embedded model's target is its file, which the model line names: the heading says where it runs instead.
      m.provider === 'embedded'
        ? `${mark} ${m.role.padEnd(5)} embedded (in this process)`
        : `${mark} ${m.role.padEnd(5)} ${m.target}${m.server ? `  (${m.server}${m.version ? ` ${m.version}` : ''})` : ''}`,
    );
    lines.push(...details(m).map((l) => `    ${l}`));
    lines.push('');
  }
  lines.push(report.ok ? paint('32', 'All models are ready.') : paint('31', 'Some models are not ready: see the errors above.'));
  return lines.join('\n') + '\n';
}

function details(m: DoctorModelReport): string[] {
  const out: string[] = [];
  const served = m.servedModels.length > 0 ? m.servedModels.join(', ') : '(the server lists none)';
  out.push(`model      ${m.model}${m.provider === 'embedded' || !m.reachable ? '' : `; served: ${served}`}`);
  out.push(
    // A file is loaded, not reached: the embedded line says that.
    (m.provider === 'embedded' ? `loaded     ${m.loadMs !== null ? `yes, in ${m.loadMs} ms` : 'no'}` : `reachable  ${m.reachable ? 'yes' : 'no'}`) +
      `${m.roundTripMs !== null ? `; one-token round trip ${m.roundTripMs} ms${m.provider === 'embedded' ? ' (includes creating its context)' : ''}` : ''}`,
  );
  if (m.device) out.push(`runs on    ${m.device}`);
  if (m.capabilities) out.push(`can        ${describe(m.capabilities)}`);
  for (const note of m.notes) out.push(`degraded   ${note}`);
  for (const f of m.findings) out.push(`${f.level === 'error' ? 'MISSING' : 'missing'}    ${f.missing}`, `  fix      ${f.fix}`);
  if (m.error) {
    out.push(`error      [${m.error.code}] ${m.error.message}`);
    if (m.error.hint) out.push(`hint       ${m.error.hint}`);
  }
  return out;
}

function describe(c: ServerCapabilities): string {
  const yes = (v: boolean | null, what: string) => (v === null ? `${what}: untested` : `${what}: ${v ? 'yes' : 'no'}`);
  return [
    c.n === false ? 'n: no (parallel requests)' : `n: ${c.n === null ? 'untested' : 'yes'}${c.maxN !== null ? ` (≤ ${c.maxN})` : ''}`,
    yes(c.logprobs, 'logprobs'),
    `tokenize: ${c.tokenize ? 'yes' : 'no'}`,
    ...(c.pooling !== null ? [`pooling: ${c.pooling ? 'yes' : 'no'}`] : []),
    `speculative decoding: ${c.speculative.enabled === null ? 'unknown' : c.speculative.enabled ? 'yes' : 'no'}`,
    ...(c.contextTokens !== null ? [`context: ${c.contextTokens} tokens`] : []),
  ].join(', ');
}
