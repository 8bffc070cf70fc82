import { spawn, spawnSync } from 'node:child_process';
import { isAbsolute } from 'node:path';

/** Compiles (never runs) each source; prints one JSON error message or null per source. */
const CHECKER = `
import json, sys, warnings
warnings.simplefilter("ignore")
out = []
for item in json.load(sys.stdin):
    try:
        compile(item["text"], item["path"], "exec", dont_inherit=True)
        out.append(None)
    except SyntaxError as e:
        out.append("%s (line %s)" % (e.msg, e.lineno))
    except Exception as e:
        out.append(type(e).__name__ + ": " + str(e))
json.dump(out, sys.stdout)
`;

export interface PythonCheck {
  /** `null` when no interpreter could be started; otherwise one entry per input, `null` meaning it compiles. */
  errors: (string | null)[] | null;
  interpreter: string;
}

export function pythonInterpreter(): string | false {
  const configured = process.env.SHIPSHAPE_PYTHON;
  if (configured === '0' || configured === 'false') return false;
  return realInterpreter(configured || 'python3');
}

const resolved = new Map<string, string>();

/**
 * The interpreter behind `name`, asked once per process: `python3` is often a
 * version manager's shim (pyenv, asdf) that takes several times longer to
 * start than the interpreter it runs, and a run may start it many times.
 * Falls back to `name` itself when the answer is not an absolute path (or
 * nothing answers: the check then reports the interpreter unavailable).
 */
function realInterpreter(name: string): string {
  let found = resolved.get(name);
  if (found === undefined) {
    const probe = spawnSync(name, ['-I', '-S', '-c', 'import sys; sys.stdout.write(sys.executable or "")'], { encoding: 'utf8', timeout: 10_000 });
    const path = probe.status === 0 ? probe.stdout.trim() : '';
    found = path && isAbsolute(path) ? path : name;
    resolved.set(name, found);
  }
  return found;
}

/** Compiles many sources in one python3 process (the gate's "still valid Python" check). */
export function compilePython(sources: { path: string; text: string }[], interpreter = pythonInterpreter()): Promise<PythonCheck> {
  if (interpreter === false || sources.length === 0) {
    return Promise.resolve({ errors: interpreter === false ? null : [], interpreter: interpreter || 'none' });
  }
  return new Promise((resolvePromise) => {
    const child = spawn(interpreter, ['-I', '-S', '-c', CHECKER], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.resume();
    child.on('error', () => resolvePromise({ errors: null, interpreter }));
    child.on('close', (code) => {
      if (code !== 0) return resolvePromise({ errors: null, interpreter });
      try {
        resolvePromise({ errors: JSON.parse(stdout) as (string | null)[], interpreter });
      } catch {
        resolvePromise({ errors: null, interpreter });
      }
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(JSON.stringify(sources));
  });
}
