#!/usr/bin/env node
import { AppConfigError, startServer } from './server.js';

/** `npm start`: the webhook server until SIGTERM or SIGINT; a missing setting is one line and exit code 2. */
async function main(): Promise<void> {
  try {
    const app = await startServer(process.env);
    const stop = () => {
      app.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  } catch (error) {
    if (error instanceof AppConfigError) {
      process.stderr.write(`shipshape app: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

await main();
