// `specsearch doctor`: prints what runDoctor found about each configured model; exit 0 when all is well, 1 otherwise.
import { loadConfig } from '../core/config-file';
import { runDoctor } from '../core/doctor';
import { formatDoctorReport } from '../core/doctor-text';
import { redact } from '../core/redact';
import { abortOnSignals } from './signals';
import { forTerminalDeep } from './terminal';

export async function runDoctorCommand(flags: { config?: string; profile?: string; json?: boolean }): Promise<number> {
  const { settings, file } = loadConfig({ configPath: flags.config, profile: flags.profile });
  const controller = new AbortController();
  const release = abortOnSignals(controller);
  try {
    const report = await runDoctor(settings, controller.signal);
    if (flags.json) process.stdout.write(redact(JSON.stringify(report, null, 2)) + '\n');
    else process.stdout.write(formatDoctorReport(forTerminalDeep(report), file, { color: process.stdout.isTTY === true }));
    return report.ok ? 0 : 1;
  } finally {
    release();
  }
}
