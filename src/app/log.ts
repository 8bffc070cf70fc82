import { pino, type Logger } from 'pino';
import { scrubTokenShapes } from '../forge/github/request.js';

/** Fields that may carry a secret wherever they appear in a log object (two levels deep). */
const SECRET_KEYS = ['privateKey', 'private_key', 'secret', 'webhookSecret', 'token', 'authorization', 'password', 'jwt'];

export const REDACT_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((key) => `*.${key}`),
  'req.headers.authorization',
  'req.headers["x-hub-signature"]',
  'req.headers["x-hub-signature-256"]',
  'headers.authorization',
  'request.headers.authorization',
  'env.GIT_CONFIG_VALUE_0',
];

/**
 * The App's logger: JSON lines (pino), with secrets removed twice over:
 * by path (`token`, `privateKey`, `authorization`, … anywhere near the top)
 * and by value (every secret the App knows of, and anything shaped like a
 * GitHub token, inside messages and error texts).
 */
export function createLogger(options: { level?: string; secrets?: readonly string[]; destination?: NodeJS.WritableStream } = {}): Logger {
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 8);
  const scrub = (text: string): string => {
    let out = text;
    for (const secret of secrets) out = out.split(secret).join('***');
    return scrubTokenShapes(out);
  };
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      base: { name: 'shipshape' },
      redact: { paths: REDACT_PATHS, censor: '***' },
      hooks: {
        logMethod(args, method) {
          const cleaned = args.map((arg: unknown) => (typeof arg === 'string' ? scrub(arg) : arg));
          method.apply(this, cleaned as Parameters<typeof method>);
        },
      },
      serializers: {
        err: (error: unknown) => {
          const serialized = pino.stdSerializers.err(error as Error);
          return { ...serialized, message: scrub(serialized.message), stack: serialized.stack ? scrub(serialized.stack) : undefined };
        },
      },
    },
    (options.destination ?? process.stdout) as pino.DestinationStream,
  );
}
