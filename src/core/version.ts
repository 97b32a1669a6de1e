// The version every surface reports (the CLI's --version, the language server's serverInfo, bench results):
// package.json's, read at build time (esbuild inlines the one field).
import { version } from '../../package.json';

export const VERSION: string = version;
