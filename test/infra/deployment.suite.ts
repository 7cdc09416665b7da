// Infrastructure: what a first `cdk deploy` in a fresh account needs, per stage, and AWS's
// CloudFormation linter on every stage's templates. Zero lint findings; the only rules ignored
// are ignored with the reason next to them (.cfnlintrc.yaml, lib/constructs/observability.ts).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploymentTarget, stages, type StageName } from '#lib/config.ts';
import { WS_STAGE_NAME } from '#lib/constructs/websocket-api.ts';
import { exampleDomain, synthesize } from './synth.ts';

type Synth = ReturnType<typeof synthesize>;
let dev: Synth;
beforeAll(() => {
  dev = synthesize('dev');
});
const only = (template: Synth['api'], type: string): Record<string, any> => {
  const found = Object.entries(template.findResources(type));
  expect(found, type).toHaveLength(1);
  return { id: found[0]![0], ...found[0]![1] };
};
// CloudFront's managed policies (AWS documents their ids).
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';

describe('API Gateway account logging role', () => {
  it('exists, is retained, and the WebSocket stage waits for it', () => {
    const account = only(dev.api, 'AWS::ApiGateway::Account');
    expect(account.DeletionPolicy).toBe('Retain');
    const roleId = account.Properties.CloudWatchRoleArn['Fn::GetAtt'][0];
    const role = dev.api.findResources('AWS::IAM::Role')[roleId]!;
    expect(role.DeletionPolicy).toBe('Retain');
    // AWS's documented trust policy, exactly: a condition API Gateway might not send would fail the account setting.
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' } },
    ]);
    const wsStage = Object.values(dev.api.findResources('AWS::ApiGatewayV2::Stage')).find(
      (stage) => stage.Properties.StageName === WS_STAGE_NAME,
    )!;
    expect(wsStage.DependsOn).toContain(account.id);
  });

  it('is left alone where the account already has one', () => {
    const existing = synthesize('dev', { apiGatewayLogsRole: 'existing' });
    expect(existing.api.findResources('AWS::ApiGateway::Account')).toEqual({});
  });
});

describe('alarms reach a person', () => {
  it('lets CloudWatch use the topic key, or it could not publish an alarm', () => {
    const key = only(dev.api, 'AWS::KMS::Key');
    const statements = key.Properties.KeyPolicy.Statement as { Principal: unknown; Action: string[] }[];
    const cloudWatch = statements.find((s) => JSON.stringify(s.Principal).includes('cloudwatch.amazonaws.com'));
    expect(cloudWatch?.Action).toEqual(expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey*']));
    const topic = only(dev.api, 'AWS::SNS::Topic');
    expect(topic.Properties.KmsMasterKeyId['Fn::GetAtt'][0]).toBe(key.id);
  });

  it("lets CloudWatch publish to the topic: enforceSSL's policy replaces SNS's default one", () => {
    const policy = only(dev.api, 'AWS::SNS::TopicPolicy');
    const statements = policy.Properties.PolicyDocument.Statement as Record<string, any>[];
    const publish = statements.find((s) => s.Sid === 'CloudWatchAlarmsPublish')!;
    expect(publish).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: 'sns:Publish',
    });
    expect(Object.keys(publish.Condition).sort()).toEqual(['ArnLike', 'StringEquals']);
    expect(publish.Condition.StringEquals).toHaveProperty('aws:SourceAccount');
    expect(JSON.stringify(publish.Condition.ArnLike['aws:SourceArn'])).toContain(':alarm:*');
    // The deny of plain HTTP stays.
    expect(statements.some((s) => s.Effect === 'Deny' && JSON.stringify(s.Condition).includes('SecureTransport'))).toBe(
      true,
    );
  });

  it('e-mails the address the deploy names, and nobody when none is named', () => {
    expect(dev.api.findResources('AWS::SNS::Subscription')).toEqual({});
    const withEmail = synthesize('dev', { alarmEmail: 'oncall@example.com' });
    expect(only(withEmail.api, 'AWS::SNS::Subscription').Properties).toMatchObject({
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
  });
});

describe('what a deploy review found', () => {
  it("gives every integration the route table's timeout, shorter than its function's (CDK's WebSocket default is 29 s)", () => {
    const integrations = Object.values(dev.api.findResources('AWS::ApiGatewayV2::Integration'));
    expect(integrations.length).toBeGreaterThanOrEqual(30);
    const timeouts = new Set(integrations.map((i) => i.Properties.TimeoutInMillis));
    expect([...timeouts]).toEqual([10_000]);
    const functionTimeouts = Object.values(dev.api.findResources('AWS::Lambda::Function')).map(
      (f) => f.Properties.Timeout as number,
    );
    expect(Math.min(...functionTimeouts.filter((t) => t > 4))).toBe(11);
  });

  it('gives the app client no OAuth flows and no callback: there is no hosted UI', () => {
    const client = only(dev.stateful, 'AWS::Cognito::UserPoolClient').Properties;
    expect(client.AllowedOAuthFlowsUserPoolClient).toBe(false);
    expect(client.CallbackURLs).toBeUndefined();
    expect(client.AllowedOAuthFlows).toBeUndefined();
  });

  it('logs what the edge WebACL does, with credentials redacted, for as long as the stage keeps logs', () => {
    const logging = only(dev.waf, 'AWS::WAFv2::LoggingConfiguration').Properties;
    expect(logging.RedactedFields).toEqual(
      expect.arrayContaining([{ SingleHeader: { Name: 'authorization' } }, { SingleHeader: { Name: 'cookie' } }]),
    );
    const group = only(dev.waf, 'AWS::Logs::LogGroup').Properties;
    expect(group.LogGroupName).toMatch(/^aws-waf-logs-/);
    expect(group.RetentionInDays).toBe(stages.dev.logRetentionDays);
  });

  it("sends the web app upload function's logs to a group that expires with the stage's retention", () => {
    const groups = dev.api.toJSON().Resources as Record<string, { Type: string; Properties: any }>;
    const uploader = Object.values(groups).find(
      (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Handler === 'index.handler' && r.Properties.Layers,
    )!;
    const groupId = uploader.Properties.LoggingConfig.LogGroup.Ref as string;
    expect(groups[groupId]!.Properties.RetentionInDays).toBe(stages.dev.logRetentionDays);
  });

  it('lets text that mentions HTML or a path through the edge: its body rules count, they do not block', () => {
    const acl = only(dev.waf, 'AWS::WAFv2::WebACL').Properties;
    const common = acl.Rules.find((r: { Name: string }) => r.Name === 'AWSManagedRulesCommonRuleSet');
    const counted = common.Statement.ManagedRuleGroupStatement.RuleActionOverrides.map((o: { Name: string }) => o.Name);
    expect(counted).toEqual(
      expect.arrayContaining(['CrossSiteScripting_BODY', 'GenericLFI_BODY', 'SizeRestrictions_BODY']),
    );
  });

  it("deletes the alarm key with a dev stage, and keeps prod's", () => {
    expect(only(dev.api, 'AWS::KMS::Key')).toMatchObject({ DeletionPolicy: 'Delete' });
    expect(only(dev.api, 'AWS::KMS::Key').Properties.PendingWindowInDays).toBe(7);
    expect(only(synthesize('prod').api, 'AWS::KMS::Key')).toMatchObject({ DeletionPolicy: 'Retain' });
  });
});

describe('the /ws path through CloudFront', () => {
  it('forwards the WebSocket handshake headers and the query string, caches nothing, allows every method', () => {
    const config = only(dev.api, 'AWS::CloudFront::Distribution').Properties.DistributionConfig;
    const ws = config.CacheBehaviors.find((b: { PathPattern: string }) => b.PathPattern === `/${WS_STAGE_NAME}`);
    // All viewer headers (Sec-WebSocket-Key/Version/Extensions/Protocol, Origin, User-Agent) and query strings.
    expect(ws.OriginRequestPolicyId).toBe(ALL_VIEWER_EXCEPT_HOST_HEADER);
    expect(ws.CachePolicyId).toBe(CACHING_DISABLED);
    expect([...ws.AllowedMethods].sort()).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']);
  });

  it('gives the functions the stage’s own @connections URL', () => {
    const fns = Object.values(dev.api.findResources('AWS::Lambda::Function')).filter(
      (f) => f.Properties.Environment?.Variables?.WS_CALLBACK_URL,
    );
    expect(fns.length).toBeGreaterThan(0);
    const wsApiId = Object.keys(
      dev.api.findResources('AWS::ApiGatewayV2::Api', { Properties: { ProtocolType: 'WEBSOCKET' } }),
    )[0];
    for (const fn of fns) {
      const url = JSON.stringify(fn.Properties.Environment.Variables.WS_CALLBACK_URL);
      expect(url).toContain(`{"Ref":"${wsApiId}"}`);
      expect(url).toMatch(new RegExp(`\\.execute-api\\.eu-west-1\\..*/${WS_STAGE_NAME}"`));
    }
  });
});

describe('every stage synthesizes with its own config', () => {
  it.each(Object.keys(stages) as StageName[])('%s', (stage) => {
    const config = stages[stage];
    const synth = synthesize(stage);
    for (const apiStage of Object.values(synth.api.findResources('AWS::ApiGatewayV2::Stage'))) {
      expect(apiStage.Properties.DefaultRouteSettings).toMatchObject({
        ThrottlingRateLimit: config.throttle.rateLimit,
        ThrottlingBurstLimit: config.throttle.burstLimit,
      });
    }
    const http = Object.values(
      synth.api.findResources('AWS::ApiGatewayV2::Api', { Properties: { ProtocolType: 'HTTP' } }),
    )[0]!;
    expect(http.Properties.CorsConfiguration.AllowOrigins).toEqual(config.corsOrigins);
    expect(only(synth.api, 'AWS::CloudWatch::Dashboard').Properties.DashboardName).toBe(
      `order-chat-${stage}-eu-west-1`,
    );
    const tables = Object.values(synth.stateful.findResources('AWS::DynamoDB::GlobalTable'));
    for (const table of tables) {
      expect(table.Properties.Replicas[0].DeletionProtectionEnabled ?? false).toBe(config.retainData);
    }
  });
});

describe('the deploy target', () => {
  const home = mkdtempSync(join(tmpdir(), 'order-chat-aws-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  const context = (values: Record<string, string>) => (key: string) => values[key];

  it('takes the region from -c region, then AWS_REGION, then the profile, and says which', () => {
    const configFile = join(home, 'config');
    writeFileSync(configFile, '[default]\nregion = ap-south-1\n[profile work]\nregion = eu-north-1\n');
    const env = { AWS_CONFIG_FILE: configFile };
    expect(deploymentTarget(context({ region: 'sa-east-1' }), { ...env, AWS_REGION: 'eu-west-3' })).toMatchObject({
      region: 'sa-east-1',
      regionSource: 'from -c region',
    });
    expect(deploymentTarget(context({}), { ...env, AWS_REGION: 'eu-west-3' }).region).toBe('eu-west-3');
    expect(deploymentTarget(context({}), env).region).toBe('ap-south-1');
    expect(deploymentTarget(context({}), { ...env, AWS_PROFILE: 'work' })).toMatchObject({
      region: 'eu-north-1',
      regionSource: 'from profile work in your AWS config',
    });
  });

  it('says so loudly when no region is configured, rather than silently deploying to us-east-1', () => {
    const target = deploymentTarget(context({}), {
      AWS_CONFIG_FILE: join(home, 'none'),
      CDK_DEFAULT_REGION: 'us-east-1',
    });
    expect(target.region).toBe('us-east-1');
    expect(target.regionSource).toMatch(/NO REGION IS CONFIGURED/);
  });

  it('takes the alarm e-mail from -c alarmEmail or ALARM_EMAIL, and refuses one that is not an address', () => {
    expect(deploymentTarget(context({ stage: 'prod', alarmEmail: 'a@example.com' }), {}).config.alarmEmail).toBe(
      'a@example.com',
    );
    expect(deploymentTarget(context({}), { ALARM_EMAIL: 'b@example.com' }).config.alarmEmail).toBe('b@example.com');
    expect(() => deploymentTarget(context({ alarmEmail: 'nobody' }), {})).toThrow(/not an e-mail/);
    expect(() => deploymentTarget(context({ apiGatewayLogsRole: 'maybe' }), {})).toThrow(/create.*existing/);
  });
});

const domain = exampleDomain;

describe('with a custom domain', () => {
  let custom: Synth;
  beforeAll(() => {
    custom = synthesize('prod', { customDomain: domain });
  });

  it('closes both execute-api endpoints: CloudFront reaches the APIs through their own custom domains', () => {
    const apis = Object.values(custom.api.findResources('AWS::ApiGatewayV2::Api'));
    expect(apis).toHaveLength(2);
    for (const api of apis) expect(api.Properties.DisableExecuteApiEndpoint).toBe(true);
    const names = Object.values(custom.api.findResources('AWS::ApiGatewayV2::DomainName')).map(
      (d) => d.Properties.DomainName,
    );
    expect(names.sort()).toEqual(['origin-http.api.example.com', 'origin-ws.api.example.com']);
    const mappings = Object.values(custom.api.findResources('AWS::ApiGatewayV2::ApiMapping'));
    expect(mappings.map((m) => m.Properties.ApiMappingKey ?? '').sort()).toEqual(['', WS_STAGE_NAME]);
    const config = only(custom.api, 'AWS::CloudFront::Distribution').Properties.DistributionConfig;
    const apiOrigins = config.Origins.filter((o: { CustomOriginConfig?: unknown }) => o.CustomOriginConfig);
    expect(apiOrigins.map((o: { DomainName: string }) => o.DomainName).sort()).toEqual([
      'origin-http.api.example.com',
      'origin-ws.api.example.com',
    ]);
    expect(config.Aliases).toEqual(['api.example.com']);
    expect(config.ViewerCertificate).toMatchObject({
      AcmCertificateArn: domain.cloudFrontCertificateArn,
      MinimumProtocolVersion: 'TLSv1.2_2021',
    });
  });

  it('posts to @connections through the origin domain, and names every host in DNS', () => {
    const urls = Object.values(custom.api.findResources('AWS::Lambda::Function'))
      .map((f) => f.Properties.Environment?.Variables?.WS_CALLBACK_URL)
      .filter(Boolean);
    expect(new Set(urls)).toEqual(new Set([`https://origin-ws.api.example.com/${WS_STAGE_NAME}`]));
    const records = Object.values(custom.api.findResources('AWS::Route53::RecordSet')).map(
      (r) => `${r.Properties.Name} ${r.Properties.Type}`,
    );
    // The public name by IPv4 and IPv6: the distribution has both.
    expect(records.sort()).toEqual([
      'api.example.com. A',
      'api.example.com. AAAA',
      'origin-http.api.example.com. A',
      'origin-ws.api.example.com. A',
    ]);
    expect(custom.api.findOutputs('ApiUrl').ApiUrl!.Value).toBe('https://api.example.com');
  });
});

describe('cfn-lint', () => {
  const HOW_TO_GET_IT =
    'cfn-lint (AWS CloudFormation Linter) is not on the PATH: `pipx install cfn-lint==1.51.0` (or `pip install cfn-lint==1.51.0`).';

  it('finds nothing in any template of any stage, custom domain included', () => {
    // An API template takes cfn-lint 3–4 s of CPU. local's declares exactly the resources dev's does,
    // with other throttle numbers and log level; prod's are all in the custom-domain variant (prod plus
    // a domain), with the same values. So dev's and that one's API templates stand for all three.
    const resourceTypes = (synth: ReturnType<typeof synthesize>, stage: string) =>
      Object.fromEntries(
        Object.entries(synth.api.toJSON().Resources as Record<string, { Type: string }>).map(
          // Logical ids carry the stack's name (OrderChat<stage>…) and hashes of their paths.
          ([id, resource]) => [
            // A Lambda version's id ends in the hash of its function's configuration (the backfill's trigger runs one).
            // (Its hash first: a run of eight digits in it would otherwise be taken for a path's hash.)
            id
              .replace(/CurrentVersion[0-9A-F]{8}[0-9a-f]{32}$/, 'CurrentVersion')
              .replaceAll(`OrderChat${stage}`, 'OrderChat')
              .replace(/[0-9A-F]{8}/g, ''),
            resource.Type,
          ],
        ),
      );
    expect(resourceTypes(synthesize('local'), 'local')).toEqual(resourceTypes(synthesize('dev'), 'dev'));
    expect(resourceTypes(synthesize('prod', { customDomain: domain }), 'prod')).toMatchObject(
      resourceTypes(synthesize('prod'), 'prod'),
    );
    const skipped = (['local', 'prod'] as const).flatMap((stage) => synthesize(stage).apiTemplatePaths);
    const everyTemplate = [
      ...(Object.keys(stages) as StageName[]).flatMap((stage) => synthesize(stage).templatePaths),
      ...synthesize('prod', { customDomain: domain }).templatePaths,
    ];
    const templates = everyTemplate.filter((path) => !skipped.includes(path));
    expect(templates.length).toBe(everyTemplate.length - skipped.length);
    // One run for all of them: cfn-lint takes seconds to start.
    const lint = spawnSync('cfn-lint', ['--format', 'parseable', '--', ...templates], {
      encoding: 'utf8',
      cwd: resolve(import.meta.dirname, '..', '..'), // where .cfnlintrc.yaml is
    });
    if ((lint.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw new Error(HOW_TO_GET_IT);
    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.status).toBe(0);
  });
});
