/**
 * The problem catalog (src/meta/contracts/problems.ts) is where the problems differ: each entry's facts agree
 * with the engine (networks, episodes, checkpoint folders on disk), and code elsewhere asks the catalog instead
 * of comparing problem names.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { architectureOf } from '../../src/meta/contracts/architecture';
import { checkpointFolder, modelKey } from '../../src/meta/contracts/checkpoint';
import { PROBLEM_IDS } from '../../src/meta/contracts/config';
import { classesOf, drawEpisodes, isClassification, isProblemKind, PROBLEM_INFO } from '../../src/meta/contracts/problems';
import { Rng } from '../../src/meta/contracts/random';

const SRC = resolve(__dirname, '../../src');
const CHECKPOINTS = resolve(__dirname, '../../public/checkpoints');

describe('the problem catalog', () => {
  it('has one entry per problem id, and knows its ids', () => {
    expect(Object.keys(PROBLEM_INFO).sort()).toEqual([...PROBLEM_IDS].sort());
    for (const id of PROBLEM_IDS) expect(isProblemKind(id)).toBe(true);
    for (const bad of ['omniglot', 'toString', '__proto__', 'constructor', 3, null]) expect(isProblemKind(bad)).toBe(false);
  });

  it("gives every problem a network whose output is its classes (regression: one output)", () => {
    for (const id of PROBLEM_IDS) {
      const info = PROBLEM_INFO[id];
      const n = info.classes ? info.classes.max : 1;
      const sizes = architectureOf('maml', { problem: id, classes: n }).sizes;
      expect(sizes[sizes.length - 1]).toBe(n);
      expect(classesOf({ problem: id })).toBe(info.classes ? info.classes.default : 1);
      expect(isClassification(id)).toBe(info.loss === 'crossEntropy');
    }
  });

  it('draws N-way episodes with K examples of every class for the classification problems, and refuses the others', () => {
    for (const id of PROBLEM_IDS) {
      if (!isClassification(id)) {
        expect(() => drawEpisodes(id, new Rng(1), 2, 2, 1, 1)).toThrow(/no classification episodes/);
        continue;
      }
      const e = drawEpisodes(id, new Rng(1), 2, 3, 2, 1);
      const dim = PROBLEM_INFO[id].mlp(3).sizes[0];
      expect(e.classes).toBe(3);
      expect(e.support).toHaveLength(2);
      expect(e.support[0].labels).toHaveLength(6);
      expect(e.support[0].x).toHaveLength(6 * dim);
      expect([...e.support[0].labels].sort()).toEqual([0, 0, 1, 1, 2, 2]);
    }
  });

  it("names checkpoint folders that exist for what ships, and model keys that keep the sinusoid's plain names", () => {
    expect(checkpointFolder({})).toBe('');
    expect(modelKey('maml')).toBe('maml');
    expect(modelKey('maml', { problem: 'plane', classes: 3 })).toBe('plane-3way/maml');
    for (const id of PROBLEM_IDS) {
      const info = PROBLEM_INFO[id];
      if (!info.classes) continue;
      const shipped = readdirSync(CHECKPOINTS).filter((d) => statSync(resolve(CHECKPOINTS, d)).isDirectory() && d.startsWith(id));
      expect(shipped.length).toBeGreaterThan(0);
      for (const d of shipped) {
        const classes = Number(/(\d)way/.exec(d)![1]);
        expect(checkpointFolder({ problem: id, classes })).toBe(`${d}/`);
        expect(existsSync(resolve(CHECKPOINTS, d, 'index.json'))).toBe(true);
      }
    }
  });

  it('has no oracle where the problem has none', () => {
    expect(() => architectureOf('oracle', { problem: 'plane', classes: 2 })).toThrow(/no plane version/);
    expect(architectureOf('oracle').sizes[0]).toBe(4);
  });
});

/** `=== 'plane'`-style comparisons of problem names in src outside the catalog. */
function problemNameComparisons(): string[] {
  const ids = PROBLEM_IDS.join('|');
  const re = new RegExp(`([!=]==\\s*'(${ids})'|'(${ids})'\\s*[!=]==|case\\s+'(${ids})'\\s*:)`, 'g');
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const p = resolve(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.tsx?$/.test(f) && !p.endsWith('contracts/problems.ts'))
        readFileSync(p, 'utf8')
          .split('\n')
          .forEach((line, i) => {
            if (re.test(line)) out.push(`${relative(SRC, p)}:${i + 1}: ${line.trim()}`);
            re.lastIndex = 0;
          });
    }
  };
  walk(SRC);
  return out;
}

describe('problem-specific code', () => {
  it('asks the catalog: at most 5 comparisons of problem names remain outside it', () => {
    const found = problemNameComparisons();
    expect(found.length, found.join('\n')).toBeLessThanOrEqual(5);
  });
});
