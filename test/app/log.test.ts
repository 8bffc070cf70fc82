import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/app/log.js';

const KEY = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAtestkeymaterial0123456789\n-----END RSA PRIVATE KEY-----\n';
const SECRET = 'whsec-0123456789abcdef';
const TOKEN = 'ghs_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { lines, log: createLogger({ destination, secrets: [KEY, SECRET], level: 'info' }) };
}

describe('the App logger', () => {
  it('removes secrets by key: token, privateKey, authorization and signature headers', () => {
    const { lines, log } = capture();
    log.info({ token: 'plain-token-value-1', privateKey: KEY, req: { headers: { authorization: 'token abcdefgh12345', 'x-hub-signature-256': 'sha256=feedface' } }, installation: { token: 'nested-token-value' } }, 'request');
    const text = lines.join('');
    expect(text).toContain('"msg":"request"');
    for (const secret of ['plain-token-value-1', 'BEGIN RSA', 'abcdefgh12345', 'feedface', 'nested-token-value']) expect(text).not.toContain(secret);
    expect(text).toContain('***');
  });

  it('removes secrets by value: known secrets and anything shaped like a GitHub token, in messages and errors', () => {
    const { lines, log } = capture();
    log.warn(`pushed with ${TOKEN} and ${SECRET}`);
    log.error({ err: new Error(`git failed: Authorization: token ${TOKEN}; key ${KEY}`) }, 'job failed');
    const text = lines.join('');
    expect(text).toContain('job failed');
    expect(text).toContain('git failed');
    for (const secret of [TOKEN, SECRET, 'testkeymaterial']) expect(text).not.toContain(secret);
  });
});
