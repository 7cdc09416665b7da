/** Synthesizes one stage in-process, with cdk-nag, without bundling (the CLI test bundles for real). */
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stageConfig, type StageConfig, type StageName } from '#lib/config.ts';
import { buildOrderChat } from '#lib/order-chat.ts';
import cdkJson from '../../cdk.json' with { type: 'json' };

const synthesized = new Map<string, ReturnType<typeof synthesizeOnce>>();

/** Each stage (and variant) is synthesized once per worker (test/infra/templates.test.ts): a synth takes seconds. */
export function synthesize(stage: StageName, overrides: Partial<StageConfig> = {}) {
  const key = JSON.stringify([stage, overrides]);
  if (!synthesized.has(key)) synthesized.set(key, synthesizeOnce(stage, overrides));
  return synthesized.get(key)!;
}

function synthesizeOnce(stage: StageName, overrides: Partial<StageConfig>) {
  const app = new App({ context: { ...cdkJson.context, stage, 'aws:cdk:bundling-stacks': [] } });
  const stacks = buildOrderChat(app, { ...stageConfig(stage), ...overrides }, { region: 'eu-west-1' });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const assembly = app.synth(); // throws ValidationFailed on any unacknowledged cdk-nag error
  return {
    stacks,
    /** The written templates, for tools that read files (cfn-lint). */
    templatePaths: assembly.stacks.map((stack) => stack.templateFullPath),
    api: Template.fromStack(stacks.api),
    stateful: Template.fromStack(stacks.stateful),
    waf: Template.fromStack(stacks.waf),
  };
}
