// `specsearch grade`: JSON lines in, one verdict per line out, in order.
import * as readline from 'node:readline';
import { gradeRecord } from '../core/answer/grade';

export async function runGrade(): Promise<number> {
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    let out: object;
    try {
      out = gradeRecord(JSON.parse(line));
    } catch (err) {
      out = { extracted: null, equivalent: false, error: (err as Error).message };
    }
    process.stdout.write(JSON.stringify(out) + '\n');
  }
  return 0;
}
