/**
 * The documentation a user finds: docs/diagnoses.md is what the catalog generates (run
 * `npm run docs:diagnoses` after changing a code), README stays short, and every relative link in
 * README.md, docs/*.md and bench/README.md reaches a file (and, for links into Markdown, a heading).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DIAGNOSES_DOC, renderDiagnosesDoc } from '../../../local/docs/diagnoses.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DOCS = [
  join(ROOT, 'README.md'),
  join(ROOT, 'bench/README.md'),
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(ROOT, 'docs', f)),
];

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const m = !fenced && /^#{1,6}\s+(.*)$/.exec(line);
    if (!m) continue;
    const base = m[1]!
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n ? `${base}-${n}` : base);
  }
  return out;
}

/** Relative link targets outside code: [text](target). */
function relativeLinks(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((t) => !/^[a-z]+:/i.test(t));
}

describe('docs/diagnoses.md', () => {
  it('is what the catalog generates (stale? run `npm run docs:diagnoses`)', () => {
    expect(readFileSync(DIAGNOSES_DOC, 'utf8')).toBe(renderDiagnosesDoc());
  });
});

describe('README.md', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  it('stays short and keeps the two commands near the top', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(150);
    const top = readme.split('\n').slice(0, 30).join('\n');
    expect(top).toContain('npm install && npm start');
    expect(top).toContain('npm test');
  });
  it('links every file in docs/', () => {
    for (const f of readdirSync(join(ROOT, 'docs')).filter((x) => x.endsWith('.md')))
      expect(readme, f).toContain(`](docs/${f})`);
  });
});

describe('relative links', () => {
  it('finds links and anchors the way the checker reads them', () => {
    expect(relativeLinks('see [a](docs/a.md#x-y) and `[no](code.md)` and [web](https://x)')).toEqual(['docs/a.md#x-y']);
    expect([
      ...anchorsOf('# Deploy to AWS\n## The `eks-provisioner` command\n## Deploy to AWS\n```\n# not a heading\n```'),
    ]).toEqual(['deploy-to-aws', 'the-eks-provisioner-command', 'deploy-to-aws-1']);
  });

  for (const file of DOCS) {
    it(`all resolve in ${file.slice(ROOT.length)}`, () => {
      const text = readFileSync(file, 'utf8');
      const broken: string[] = [];
      for (const link of relativeLinks(text)) {
        const [path, hash] = link.split('#') as [string, string | undefined];
        const target = path ? resolve(dirname(file), decodeURIComponent(path)) : file;
        if (!existsSync(target)) {
          broken.push(`${link}: no such file`);
          continue;
        }
        if (
          hash &&
          target.endsWith('.md') &&
          statSync(target).isFile() &&
          !anchorsOf(readFileSync(target, 'utf8')).has(hash.toLowerCase())
        )
          broken.push(`${link}: no heading #${hash}`);
      }
      expect(broken).toEqual([]);
    });
  }
});
