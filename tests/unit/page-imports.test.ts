/**
 * The page (src/main.tsx and everything it imports, except the worker it starts) must not load TF.js: tfjs
 * lives in the engine worker, and pulling it into the page's bundle triples the bundle and the start-up time.
 * Walks the import graph, static imports and the dynamic `import('./x')` of lazily loaded chunks alike (both end
 * up in the page; type-only imports are erased by the compiler and do not count).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../src');

function resolveModule(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(from), spec);
  for (const ext of ['.ts', '.tsx', '/index.ts']) if (existsSync(base + ext)) return base + ext;
  return existsSync(base) ? base : null;
}

/** Value imports of a module: `import x from`, `import { a } from`, `export ... from`, `import 'side-effect'`. */
function valueImports(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?([^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
  for (const m of src.matchAll(re)) {
    if (m[2]) continue; // import type / export type
    // import { type A, type B } from: only types.
    const names = m[3] ?? '';
    if (/^\{[^}]*\}\s+from\s+$/.test(names.trim() + ' ') && names.replace(/[{}\s]|from/g, '').split(',').filter(Boolean).every((n) => n.startsWith('type'))) continue;
    out.push(m[4]);
  }
  // Lazily loaded chunks (React.lazy, the page's root): import('./x') with a literal path.
  for (const m of src.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]);
  return out;
}

function tfjsPaths(entry: string): string[][] {
  const seen = new Set<string>();
  const found: string[][] = [];
  const walk = (file: string, path: string[]) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of valueImports(file)) {
      if (spec.startsWith('@tensorflow/')) found.push([...path, file.replace(ROOT, 'src'), spec]);
      const next = resolveModule(file, spec);
      if (next) walk(next, [...path, file.replace(ROOT, 'src')]);
    }
  };
  walk(entry, []);
  return found;
}

describe('the page bundle', () => {
  it('imports no TF.js: every engine computation happens in the worker', () => {
    expect(tfjsPaths(resolve(ROOT, 'main.tsx'))).toEqual([]);
  });

  it('follows lazily loaded chunks: the page root and the panels split from the first bundle are walked', () => {
    expect(valueImports(resolve(ROOT, 'main.tsx'))).toContain('./app/root');
    const seen = new Set<string>();
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of valueImports(file)) {
        const next = resolveModule(file, spec);
        if (next) walk(next);
      }
    };
    walk(resolve(ROOT, 'main.tsx'));
    for (const lazyOnly of ['app/App.tsx', 'panels/ReproductionPanel.tsx', 'panels/GlyphPanel.tsx', 'app/ShortcutsOverlay.tsx', 'panels/exportFigure.ts'])
      expect([...seen].map((f) => f.replace(ROOT + '/', '')), lazyOnly).toContain(lazyOnly);
  });

  it('the check sees a value import of tfjs (the worker does import it)', () => {
    expect(tfjsPaths(resolve(ROOT, 'worker/engine.worker.ts')).length).toBeGreaterThan(0);
  });
});
