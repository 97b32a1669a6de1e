// Files that travel with the package (models/tiny, bench/data), found from wherever the code was bundled to.
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * `relative` in the nearest folder above the running bundle that has it: dist/ (CLI, server, extension) sits
 * next to models/ and bench/, the compiled tests a few levels further down. Null where none has it.
 */
export function besideInstall(relative: string): string | null {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, relative);
    if (fs.existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  return null;
}
