import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Renders the README's reliability section (issue 5) from the figures the suites wrote to
 * `reports/reliability/<suite>.json` (see `tests/support/reliability.ts`). Prints the section;
 * with `--write` it replaces the text between the README's `<!-- reliability:start -->` and
 * `<!-- reliability:end -->` markers (appending the section when the markers are missing).
 * Exits 1 when no figures exist (run `npm test` first) or a file is malformed.
 */
const ROOT = path.resolve(import.meta.dirname, '..');
const DIR = path.join(ROOT, 'reports/reliability');
const README = path.join(ROOT, 'README.md');
const START = '<!-- reliability:start -->';
const END = '<!-- reliability:end -->';

interface Figures {
  suite: string;
  tried: Record<string, number>;
  fiveXX: number;
  leaks: number;
  lost: number;
  halfWritten: number;
  notes?: string;
}

function isFigures(v: unknown): v is Figures {
  if (typeof v !== 'object' || v === null) return false;
  const f = v as Record<string, unknown>;
  const counts = f.tried;
  return (
    typeof f.suite === 'string' &&
    typeof counts === 'object' &&
    counts !== null &&
    Object.values(counts).every((n) => Number.isInteger(n)) &&
    ['fiveXX', 'leaks', 'lost', 'halfWritten'].every((k) => Number.isInteger(f[k]))
  );
}

export function readFigures(dir = DIR): Figures[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const parsed: unknown = JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
      if (!isFigures(parsed)) throw new Error(`${path.join(dir, f)}: not a reliability figures file`);
      return parsed;
    });
}

const sum = (t: Record<string, number>): number => Object.values(t).reduce((a, b) => a + b, 0);

export function renderSection(all: readonly Figures[]): string {
  const rows = all.map((f) => {
    const kinds = Object.entries(f.tried)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    const notes = (f.notes ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
    return `| ${f.suite} | ${sum(f.tried)} | ${kinds} | ${f.fiveXX} | ${f.leaks} | ${f.lost} | ${f.halfWritten} | ${notes} |`;
  });
  const total = all.reduce((a, f) => a + sum(f.tried), 0);
  const bad = (k: 'fiveXX' | 'leaks' | 'lost' | 'halfWritten') => all.reduce((a, f) => a + f[k], 0);
  return [
    START,
    '',
    '### Figures of the latest run',
    '',
    'Produced by `npm run reliability:report` from the figures the suites of `npm test` write to',
    '`reports/reliability/`. The suites fail when they observe a 5xx, a leak or a lost or half-written record.',
    '',
    '| suite | tried | by kind | 5xx | leaks | lost | half-written | notes |',
    '|---|---:|---|---:|---:|---:|---:|---|',
    ...rows,
    '',
    `In all: ${total} requests or operations tried; ${bad('fiveXX')} unexpected 5xx, ${bad('leaks')} leaks, ` +
      `${bad('lost')} lost and ${bad('halfWritten')} half-written records observed.`,
    '',
    END,
  ].join('\n');
}

export function replaceSection(readme: string, section: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start >= 0 && end > start) return readme.slice(0, start) + section + readme.slice(end + END.length);
  return `${readme.replace(/\n*$/, '')}\n\n${section}\n`;
}

function main(): void {
  const all = readFigures();
  if (all.length === 0) {
    console.error(
      `no figures in ${path.relative(ROOT, DIR)}/: run \`npm test\` (or the reliability suites) first`,
    );
    process.exit(1);
  }
  const section = renderSection(all);
  if (process.argv.includes('--write')) {
    writeFileSync(README, replaceSection(readFileSync(README, 'utf8'), section));
    console.log(`README.md: reliability section updated from ${all.length} suite(s)`);
  } else {
    console.log(section);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
