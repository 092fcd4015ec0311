import { statSync } from 'node:fs';
import path from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import { readFigures } from '../../scripts/reliability-report.ts';
import { RELIABILITY_DIR } from './reliability.ts';

/**
 * Prints one plain closing line, `tests: N passed, N failed, N skipped`, after vitest's own summary,
 * so that CI logs state the count in a form any reader (or tool) can take at a glance. Before it, the
 * figures the reliability suites wrote in this run (issue 5), one line per suite and a total — the same
 * numbers `npm run reliability:report` puts in the README.
 */
export default class SummaryReporter implements Reporter {
  private startedAt = Date.now();

  onInit(): void {
    this.startedAt = Date.now();
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const module of testModules) {
      if (module.state() === 'failed' && [...module.children.allTests()].length === 0) failed += 1;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failed += 1;
        else skipped += 1;
      }
    }
    process.stdout.write(this.reliabilityLines());
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }

  /** The figures files written since this run started (older ones belong to another run). */
  private reliabilityLines(): string {
    let figures: ReturnType<typeof readFigures>;
    try {
      figures = readFigures().filter(
        (f) => statSync(path.join(RELIABILITY_DIR, `${f.suite}.json`)).mtimeMs >= this.startedAt - 1000,
      );
    } catch (error) {
      return `\nreliability: figures unreadable (${(error as Error).message})\n`;
    }
    if (!figures.length) return '';
    const sum = (t: Record<string, number>) => Object.values(t).reduce((a, b) => a + b, 0);
    const lines = figures.map(
      (f) =>
        `  ${f.suite.padEnd(22)} tried ${String(sum(f.tried)).padStart(6)}  5xx ${f.fiveXX}  leaks ${f.leaks}  ` +
        `lost ${f.lost}  half-written ${f.halfWritten}`,
    );
    const total = (k: 'fiveXX' | 'leaks' | 'lost' | 'halfWritten') => figures.reduce((a, f) => a + f[k], 0);
    const tried = figures.reduce((a, f) => a + sum(f.tried), 0);
    return (
      `\nreliability (${figures.length} suites; README: npm run reliability:report -- --write)\n${lines.join('\n')}\n` +
      `  ${'all'.padEnd(22)} tried ${String(tried).padStart(6)}  5xx ${total('fiveXX')}  leaks ${total('leaks')}  ` +
      `lost ${total('lost')}  half-written ${total('halfWritten')}\n`
    );
  }
}
