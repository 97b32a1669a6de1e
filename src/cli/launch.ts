// The `specsearch` executable (dist/cli.js): listens for Ctrl-C from its first line (early-signals.ts), then
// loads the CLI (dist/cli-main.js, src/cli/main.ts).
import { listenEarly } from './early-signals';

listenEarly();
require('./cli-main.js');
