/**
 * The shape of src's import graph (every import, type-only ones included, since they tie modules together for
 * a reader just as much): no circles anywhere, and the layers point one way. contracts/ is the tfjs-free
 * vocabulary everybody shares; it imports from no other layer. Panels never reach up into app/.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../src');

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const f of readdirSync(dir)) {
    const p = resolve(dir, f);
    if (statSync(p).isDirectory()) sourceFiles(p, out);
    else if (/\.tsx?$/.test(f)) out.push(p);
  }
  return out;
}

function resolveModule(from: string, spec: string): string | null {
  const base = resolve(dirname(from), spec);
  for (const ext of ['.ts', '.tsx', '/index.ts']) if (existsSync(base + ext)) return base + ext;
  return null;
}

/** Every import specifier of a file: static imports and re-exports, type-only or not. */
export function importsOf(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  const re = /^\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
  return [...src.matchAll(re)].map((m) => m[1]);
}

const files = sourceFiles(ROOT);
const name = (f: string) => relative(ROOT, f);
const edges = new Map(files.map((f) => [f, importsOf(f).filter((s) => s.startsWith('.')).map((s) => resolveModule(f, s)).filter((t): t is string => t !== null)]));

/** Strongly connected components of more than one module (or a module importing itself): the circles. */
function circles(): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(name(w));
      } while (w !== v);
      if (comp.length > 1 || (edges.get(v) ?? []).includes(v)) out.push(comp.sort());
    }
  };
  for (const f of files) if (!idx.has(f)) visit(f);
  return out;
}

/** Imports from `layer` (a folder under src) into any of `forbidden`, as "from -> to". */
function crossings(layer: string, forbidden: string[]): string[] {
  const out: string[] = [];
  for (const [f, targets] of edges) {
    if (!name(f).startsWith(layer + '/')) continue;
    for (const t of targets) if (forbidden.some((l) => name(t).startsWith(l + '/'))) out.push(`${name(f)} -> ${name(t)}`);
  }
  return out;
}

describe('the import graph of src', () => {
  it('has no circles', () => {
    expect(circles()).toEqual([]);
  });

  it('finds a circle when there is one (the check can fail)', () => {
    const [a, b] = files;
    const saved = [edges.get(a), edges.get(b)];
    edges.set(a, [...saved[0]!, b]);
    edges.set(b, [...saved[1]!, a]);
    try {
      expect(circles().length).toBeGreaterThan(0);
    } finally {
      edges.set(a, saved[0]!);
      edges.set(b, saved[1]!);
    }
  });

  it('keeps meta/contracts free of the other layers and of tfjs', () => {
    expect(crossings('meta/contracts', ['meta/engine', 'meta/fast', 'meta/gpu', 'worker', 'state', 'panels', 'app', 'session'])).toEqual([]);
    const tfjs = files.filter((f) => name(f).startsWith('meta/contracts/') && importsOf(f).some((s) => s.startsWith('@tensorflow/')));
    expect(tfjs.map(name)).toEqual([]);
  });

  it('keeps the kernels (fast/, gpu/) off the TF.js engine and the page', () => {
    expect(crossings('meta/fast', ['meta/engine', 'worker', 'state', 'panels', 'app', 'session'])).toEqual([]);
    expect(crossings('meta/gpu', ['meta/engine', 'worker', 'state', 'panels', 'app', 'session'])).toEqual([]);
  });

  it('lets no panel import from app/ (commands come from the session)', () => {
    expect(crossings('panels', ['app'])).toEqual([]);
  });
});
