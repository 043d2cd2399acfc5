/**
 * @module A vitest reporter that lists every skipped test by its full name at the end of a run.
 * Tests that need data outside the repository (NSMC, MNIST t10k) put the reason in their name, so
 * a clone without that data shows why each of them did not run.
 */
import type { Reporter, TestCase, TestModule } from 'vitest/node';

export default class SkippedTestsReporter implements Reporter {
  private readonly skipped: string[] = [];

  onTestCaseResult(testCase: TestCase): void {
    if (testCase.result().state === 'skipped') {
      this.skipped.push(`${testCase.module.moduleId.split('/test/').pop()} > ${testCase.fullName}`);
    }
  }

  onTestRunEnd(_testModules: ReadonlyArray<TestModule>): void {
    if (this.skipped.length === 0) return;
    const lines = this.skipped.map((name) => `  - ${name}`).join('\n');
    process.stdout.write(`\nSkipped tests (${this.skipped.length}):\n${lines}\n`);
  }
}
