import { PassThrough } from 'node:stream';
import { main, type Io } from '../../src/cli/main.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function capture(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream & PassThrough;
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  Object.assign(stream, { isTTY });
  return { stream, text: () => text };
}

/** Runs the CLI in-process with captured streams (no TTY unless asked). */
export async function runCli(argv: string[], options: { cwd: string; tty?: boolean; env?: NodeJS.ProcessEnv }): Promise<CliResult> {
  const out = capture(options.tty ?? false);
  const err = capture(options.tty ?? false);
  const io: Io = { stdout: out.stream, stderr: err.stream, env: options.env ?? { PATH: process.env.PATH }, cwd: options.cwd };
  const code = await main(argv, io);
  await new Promise((r) => setImmediate(r));
  return { code, stdout: out.text(), stderr: err.text() };
}
