import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import { PARTS, type PartName, type PartResult } from './run-part.ts';
import type { Figure } from './support/figures.ts';

/**
 * `npm run bench` (issue 8): runs every part in its own Node process, one after another (2 cores: parts
 * in parallel would measure each other), prints one table with the goals beside the figures and writes
 * `reports/bench/latest.json`. Options: `--quick` (smoke sizes; figures not meaningful), `--only a,b`,
 * `--readme` (replace the README's performance section with this run's table).
 * Exit code 0 even when a goal is missed (the table names it and its cause); 1 when a part failed to run.
 */
const ROOT = path.resolve(import.meta.dirname, '..');
const OUT_DIR = path.join(ROOT, 'reports/bench');
const README = path.join(ROOT, 'README.md');
const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

export interface BenchReport {
  readonly ranAt: string;
  readonly quick: boolean;
  readonly machine: {
    readonly node: string;
    readonly cpus: number;
    readonly cpuModel: string;
    readonly memoryGiB: number;
  };
  readonly parts: readonly PartResult[];
}

function runChild(part: PartName, quick: boolean): Promise<PartResult> {
  const out = path.join(OUT_DIR, `part-${part}.json`);
  const args = [
    '--import',
    'tsx',
    path.join(ROOT, 'bench/run-part.ts'),
    part,
    out,
    ...(quick ? ['--quick'] : []),
  ];
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (code, signal) => {
      const seconds = (performance.now() - started) / 1000;
      if (existsSync(out)) {
        const result = JSON.parse(readFileSync(out, 'utf8')) as PartResult;
        resolve(result);
      } else {
        resolve({
          part,
          seconds,
          figures: [],
          error: `exited with ${signal ?? code} before writing figures`,
        });
      }
    });
  });
}

const fmt = (n: number | undefined): string => {
  if (n === undefined) return '';
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2);
};
const verdict = (f: Figure): string => (f.met === undefined ? '' : f.met ? 'met' : 'MISSED');

/** The table as Markdown (also readable in a terminal). */
export function renderTable(report: BenchReport): string {
  const lines = [
    `Run ${report.ranAt} on Node ${report.machine.node}, ${report.machine.cpus} × ${report.machine.cpuModel}, ` +
      `${report.machine.memoryGiB} GiB${report.quick ? ' — QUICK MODE: smoke sizes, figures not meaningful' : ''}.`,
    '',
    '| section | measured | value | baseline | ratio | goal | verdict | note |',
    '|---|---|---:|---:|---:|---|---|---|',
  ];
  for (const p of report.parts) {
    for (const f of p.figures) {
      const value = `${fmt(f.value)} ${f.unit}`;
      const baseline = f.baseline === undefined ? '' : `${fmt(f.baseline)} ${f.unit}`;
      const ratio = f.ratio === undefined ? '' : `${f.ratio.toFixed(2)}×`;
      const note = (f.note ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
      lines.push(
        `| ${f.section} | ${f.name.replace(/\|/g, '\\|')} | ${value} | ${baseline} | ${ratio} | ${f.goal ?? ''} | ${verdict(f)} | ${note} |`,
      );
    }
    if (p.error)
      lines.push(
        `| ${p.part} | FAILED TO RUN | | | | | | ${p.error.split('\n')[0]?.replace(/\|/g, '\\|')} |`,
      );
  }
  const all = report.parts.flatMap((p) => p.figures);
  const goals = all.filter((f) => f.met !== undefined);
  const missed = goals.filter((f) => f.met === false);
  const time = report.parts.map((p) => `${p.part} ${p.seconds.toFixed(0)} s`).join(', ');
  lines.push(
    '',
    `Goals: ${goals.length - missed.length} of ${goals.length} met${missed.length ? `; missed: ${missed.map((f) => `${f.section} / ${f.name}`).join('; ')}` : ''}. ` +
      `Time per part: ${time}.`,
  );
  return lines.join('\n');
}

export function replaceSection(readme: string, body: string): string {
  const section = `${START}\n${body}\n${END}`;
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start >= 0 && end > start) return readme.slice(0, start) + section + readme.slice(end + END.length);
  return `${readme.replace(/\n*$/, '')}\n\n${section}\n`;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const onlyIdx = argv.indexOf('--only');
  const only = onlyIdx >= 0 ? (argv[onlyIdx + 1] ?? '').split(',').filter(Boolean) : [];
  const unknown = only.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length) {
    console.error(`unknown part(s): ${unknown.join(', ')}; parts: ${PARTS.join(', ')}`);
    process.exit(2);
  }
  const parts = PARTS.filter((p) => !only.length || only.includes(p));
  mkdirSync(OUT_DIR, { recursive: true });
  const results: PartResult[] = [];
  for (const part of parts) {
    process.stderr.write(`bench: ${part}…\n`);
    results.push(await runChild(part, quick));
  }
  const report: BenchReport = {
    ranAt: new Date().toISOString(),
    quick,
    machine: {
      node: process.versions.node,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
    },
    parts: results,
  };
  const file = path.join(OUT_DIR, quick ? 'latest-quick.json' : 'latest.json');
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  const table = renderTable(report);
  console.log(`\n${table}\n\nfigures: ${path.relative(ROOT, file)}`);
  if (argv.includes('--readme')) {
    if (quick) console.error('--readme ignored in quick mode (its figures are not meaningful)');
    else {
      writeFileSync(README, replaceSection(readFileSync(README, 'utf8'), table));
      console.log('README.md: performance section updated');
    }
  }
  process.exit(results.some((r) => r.error) ? 1 : 0);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
