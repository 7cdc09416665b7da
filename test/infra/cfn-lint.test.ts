// Infrastructure: AWS's CloudFormation linter on every template of every stage. Zero findings; the
// only rules ignored are ignored on the resources they concern, with the reason next to them
// (.cfnlintrc.yaml, lib/constructs/observability.ts).
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stages, type StageName } from '#lib/config.ts';
import { synthesize } from './synth.ts';

const root = resolve(import.meta.dirname, '..', '..');

const HOW_TO_GET_IT =
  'cfn-lint (AWS CloudFormation Linter) is not on the PATH: `pipx install cfn-lint==1.51.0` (or `pip install cfn-lint==1.51.0`).';

describe('cfn-lint', () => {
  it.each(Object.keys(stages) as StageName[])('finds nothing in the %s stage’s templates', (stage) => {
    const { templatePaths } = synthesize(stage);
    expect(templatePaths).toHaveLength(3);
    const lint = spawnSync('cfn-lint', ['--format', 'parseable', '--', ...templatePaths], {
      encoding: 'utf8',
      cwd: root, // where .cfnlintrc.yaml is
    });
    if ((lint.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw new Error(HOW_TO_GET_IT);
    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.status).toBe(0);
  });
});
