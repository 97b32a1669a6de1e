// A real LSP client for the server tests: spawns `node dist/server.js --stdio` and speaks JSON-RPC to it.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import {
  createProtocolConnection,
  InitializeRequest,
  InitializedNotification,
  ShowMessageNotification,
  StreamMessageReader,
  StreamMessageWriter,
  type InitializeResult,
  type ProtocolConnection,
  type ShowMessageParams,
} from 'vscode-languageserver-protocol/node';
import { EventNotification, type EventParams, type InitializationOptions } from '../../src/protocol';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const SERVER = path.join(ROOT, 'dist', 'server.js');

export interface TestServer {
  connection: ProtocolConnection;
  process: ChildProcess;
  messages: ShowMessageParams[];
  events: EventParams[];
  /** $/progress notifications (workDoneProgress). */
  progress: { token: string | number; value: { kind: string; message?: string } }[];
  logs: string[];
  initialize(options?: InitializationOptions, capabilities?: object): Promise<InitializeResult>;
  /** Resolves with the first showMessage matching `test`, or rejects after `ms`. */
  waitForMessage(test: (m: ShowMessageParams) => boolean, ms?: number): Promise<ShowMessageParams>;
  /** shutdown + exit, resolving with the process's exit code. */
  stop(): Promise<number | null>;
}

export function startTestServer(): TestServer {
  const child = spawn(process.execPath, [SERVER, '--stdio'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const logs: string[] = [];
  child.stderr!.on('data', (d: Buffer) => logs.push(d.toString()));
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const messages: ShowMessageParams[] = [];
  const waiters: { test: (m: ShowMessageParams) => boolean; resolve: (m: ShowMessageParams) => void }[] = [];
  connection.onNotification(ShowMessageNotification.type, (m) => {
    messages.push(m);
    for (const w of [...waiters])
      if (w.test(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
  });
  connection.onNotification('window/logMessage', (m: { message: string }) => {
    logs.push(m.message);
  });
  const events: EventParams[] = [];
  connection.onNotification(EventNotification, (e) => {
    events.push(e);
  });
  // The server may ask for these; a real client answers them.
  connection.onRequest('workspace/codeLens/refresh', () => null);
  connection.onRequest('window/workDoneProgress/create', () => null);
  const progress: { token: string | number; value: { kind: string; message?: string } }[] = [];
  connection.onNotification('$/progress', (p: (typeof progress)[number]) => {
    progress.push(p);
  });
  connection.listen();

  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    connection,
    process: child,
    messages,
    events,
    progress,
    logs,
    async initialize(options = {}, capabilities = {}) {
      const result = await connection.sendRequest(InitializeRequest.type, {
        processId: process.pid,
        rootUri: null,
        capabilities,
        initializationOptions: options,
      });
      await connection.sendNotification(InitializedNotification.type, {});
      return result;
    },
    waitForMessage(test, ms = 5000) {
      const found = messages.find(test);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching window/showMessage within ${ms} ms; got ${JSON.stringify(messages)}`)), ms);
        waiters.push({
          test,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
      });
    },
    async stop() {
      await connection.sendRequest('shutdown');
      await connection.sendNotification('exit');
      const code = await exited;
      connection.dispose();
      return code;
    },
  };
}
