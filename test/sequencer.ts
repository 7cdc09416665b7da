/**
 * Runs the longest files first, across projects: vitest's own order runs project after project
 * (e2e, infra, load, unit by name), so on a clean clone, with no timings cached, the minute of
 * CDK synthesis and cfn-lint started only after every end-to-end file, and `npm test` waited for
 * it alone at the end.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Files known to take longest (their beforeAll hooks included, which vitest's timings leave out). */
const LONGEST_FIRST = [
  'test/infra/cdk-cli.test.ts',
  'test/infra/templates.test.ts',
  'test/e2e/runtime-signals.test.ts',
  'test/e2e/runtime-process.test.ts',
  'test/e2e/fuzz.test.ts',
  'test/load/flood.test.ts',
  'test/e2e/faults.test.ts',
];

const rank = (spec: TestSpecification) => {
  const index = LONGEST_FIRST.findIndex((file) => spec.moduleId.endsWith(file));
  return index === -1 ? LONGEST_FIRST.length : index;
};

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const byDefault = await super.sort(files);
    const position = new Map(byDefault.map((spec, i) => [spec, i]));
    return [...byDefault].sort((a, b) => rank(a) - rank(b) || position.get(a)! - position.get(b)!);
  }
}
