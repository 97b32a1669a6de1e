// Entry of dist/server.js (`node dist/server.js --stdio`): starts the language server and nothing else.
import { startServer } from './server';

startServer();
