// Static check of the real-time rule in workers/mixer.worklet.ts: the code that runs per
// quantum (process() and the helpers after the "hot path" marker, which only process calls)
// must not allocate or await. A crude text check, but it does fail on the usual slips: `new`,
// array/object literals, closures, template or concatenated strings, spreads, and the
// allocating array/typed-array methods.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const SOURCE = resolve(import.meta.dirname, '../../workers/mixer.worklet.ts');
const MARKER = '// ---- hot path:';

/** The hot-path region: from the marker to the closing brace of the processor class. */
function hotPath(src: string): string {
  const start = src.indexOf(MARKER);
  const end = src.indexOf('\n}\n', start);
  if (start < 0 || end < 0) throw new Error('hot path marker or end of class not found');
  return src.slice(start + MARKER.length, end);
}

function stripComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
}

/** Allocation-looking constructs found in per-quantum code; empty means clean. */
function allocations(region: string): string[] {
  const code = stripComments(region);
  const found: string[] = [];
  const rules: [RegExp, string][] = [
    [/\bnew\s+[A-Za-z_$]/, '`new`'],
    [/=>/, 'arrow function (closure)'],
    [/\bfunction\b/, 'function expression (closure)'],
    [/`/, 'template string'],
    [/['"]\s*\+|\+\s*['"]/, 'string concatenation'],
    [/\.\.\./, 'spread / rest'],
    [/\b(await|async|Promise|postMessage)\b/, 'async / message per quantum'],
    [/\.(slice|subarray|map|filter|concat|from|of|split|join|toFixed|bind|flat|flatMap)\s*\(/, 'allocating method'],
    // `[` that starts an array literal: after an operator, `(`, `,`, `return` or line start.
    // Indexing (`a[i]`) follows an identifier, `)` or `]` and is allowed.
    [/(^|[=(,:?!&|+\-*/<>{};]|\breturn)\s*\[/m, 'array literal'],
    // `{` that starts an object literal (after `=`, `(`, `,`, `:` or `return`); blocks follow `)` / `else` / `=>`.
    [/(=(?![=>])|[(,:]|\breturn)\s*\{/, 'object literal'],
  ];
  for (const [re, what] of rules) {
    const m = re.exec(code);
    if (m) found.push(`${what}: …${code.slice(Math.max(0, m.index - 30), m.index + 30).replace(/\s+/g, ' ')}…`);
  }
  return found;
}

describe('mixer worklet process() is allocation-free (code review as a test)', () => {
  const src = readFileSync(SOURCE, 'utf8');
  const region = hotPath(src);

  it('the hot path holds process() and nothing before the marker is called per quantum by name', () => {
    expect(region).toMatch(/\n\s*process\(inputs: Float32Array\[\]\[\], outputs: Float32Array\[\]\[\]\): boolean \{/);
    // process may only call methods defined in the region (so none escape the check).
    const defined = new Set([...region.matchAll(/\n\s{2}(?:private\s+)?([a-zA-Z]\w*)\(/g)].map((m) => m[1]));
    const called = [...stripComments(region).matchAll(/this\.([a-zA-Z]\w*)\(/g)].map((m) => m[1]);
    for (const name of called) expect(defined, `this.${name}() is called per quantum but defined outside the hot path`).toContain(name);
  });

  it('no allocation-looking construct in process() or its helpers', () => {
    expect(allocations(region)).toEqual([]);
  });

  it('the checker itself catches the usual slips', () => {
    const bad = [
      'const t = new Float32Array(128);',
      'inputs.forEach((i) => i);',
      'const a = [1, 2];',
      'x.set(y.subarray(0, 128));',
      'const s = `level ${p}`;',
      "const s = 'level ' + p;",
      'f(...args);',
      'const o = { peak };',
      'this.port.postMessage(x);',
    ];
    for (const b of bad) expect(allocations(b), b).not.toEqual([]);
    const good = ['const v = x[i]!;', 'this.levels[idx + 1] = Math.sqrt(a / b);', 'if (a) { b(); } else { c(); }', 'output[0]!.set(l);'];
    for (const g of good) expect(allocations(g), g).toEqual([]);
  });
});
