/** Synthesizes one stage in-process, with cdk-nag, without bundling (the CLI test bundles for real). */
import { join } from 'node:path';
import { App, type CfnElement, type NestedStack, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stageConfig, type StageConfig, type StageName } from '#lib/config.ts';
import { buildOrderChat } from '#lib/order-chat.ts';
import cdkJson from '../../cdk.json' with { type: 'json' };

/** A custom domain for the variant of prod that has one. */
export const exampleDomain = {
  name: 'api.example.com',
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  zoneName: 'example.com',
  cloudFrontCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
  originCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/66666666-7777-8888-9999-000000000000',
};

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
  const nested = Object.values(stacks.api.parts);
  /** Every template CloudFormation deploys: the three stacks and the API stack's nested ones. */
  const templates: Record<string, Template> = Object.fromEntries(
    [stacks.stateful, stacks.waf, stacks.api, ...nested].map((stack: Stack) => [
      stack.node.path,
      Template.fromStack(stack),
    ]),
  );
  const apiTemplatePaths = [
    join(assembly.directory, stacks.api.templateFile),
    ...nested.map((stack) => join(assembly.directory, stack.templateFile)),
  ];
  return {
    stacks,
    templates,
    /** The written templates, for tools that read files (cfn-lint). */
    templatePaths: [...assembly.stacks.map((stack) => stack.templateFullPath), ...apiTemplatePaths.slice(1)],
    /** Those of the API stack: its own and its nested stacks'. */
    apiTemplatePaths,
    /** The API stack with its nested stacks inlined: one template, as if nothing were nested. */
    api: inlined(stacks.api, nested, templates),
    stateful: templates[stacks.stateful.node.path]!,
    waf: templates[stacks.waf.node.path]!,
  };
}

type Json = Record<string, any>;

/**
 * Puts the nested stacks' resources into their parent's template and replaces what nests them —
 * a parameter the parent passes, an output the parent reads — with the value itself, so an
 * assertion reads `{ Ref: 'OriginVerifySecret…' }` wherever the referencing resource lives.
 */
function inlined(parent: Stack, nested: NestedStack[], templates: Record<string, Template>): Template {
  // A copy: the templates share the assembly's cached objects.
  const template = structuredClone(templates[parent.node.path]!.toJSON()) as Json;
  const parameters = new Map<string, Json>(); // a nested template's parameter values, by nested template
  const outputs = new Map<string, Json>(); // its outputs, by the nesting resource's logical id
  const resources: Json = {};
  for (const stack of nested) {
    const json = templates[stack.node.path]!.toJSON() as Json;
    const nestingId = parent.getLogicalId(stack.nestedStackResource as CfnElement);
    parameters.set(stack.node.path, template.Resources[nestingId].Properties.Parameters ?? {});
    outputs.set(nestingId, json.Outputs ?? {});
    delete template.Resources[nestingId];
    const values = parameters.get(stack.node.path)!;
    for (const [id, resource] of Object.entries(json.Resources as Json)) {
      if (id in template.Resources || id in resources) throw new Error(`Logical id ${id} is in two templates`);
      resources[id] = substitute(resource, (node) =>
        'Ref' in node && node.Ref in values ? values[node.Ref] : undefined,
      );
    }
  }
  Object.assign(template.Resources, resources);
  // A parameter's value may be another nested stack's output: resolve until none is left.
  const fromOutput = (node: Json) => {
    const getAtt = node['Fn::GetAtt'] as [string, string] | undefined;
    if (!getAtt || !outputs.has(getAtt[0]) || !getAtt[1].startsWith('Outputs.')) return undefined;
    return outputs.get(getAtt[0])![getAtt[1].slice('Outputs.'.length)].Value;
  };
  let resolved = template;
  for (let previous = ''; previous !== JSON.stringify(resolved);) {
    previous = JSON.stringify(resolved);
    resolved = substitute(resolved, fromOutput);
  }
  return Template.fromJSON(resolved);
}

function substitute(value: unknown, replacement: (node: Json) => unknown): any {
  if (Array.isArray(value)) return value.map((item) => substitute(item, replacement));
  if (value === null || typeof value !== 'object') return value;
  const replaced = replacement(value as Json);
  if (replaced !== undefined) return replaced;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitute(item, replacement)]));
}
