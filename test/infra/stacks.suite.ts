// Infrastructure: assertions on the synthesized CloudFormation templates (cdk-nag runs in synthesize()).
import { EDGE_LIMITS } from '#lib/edge-limits.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import { functions, httpRoutes, splitRouteKey, wsRoutes, type FunctionName } from '#lambdas/routes.ts';
import { functionGrants } from '#lib/grants.ts';
import { functionId } from '#lib/constructs/http-api.ts';
import { tables } from '#lambdas/tables.ts';
import { challengeSessionMinutes, passwordPolicy, verificationEmail } from '#lambdas/identity.ts';
import { ORIGIN_VERIFY_HEADER } from '#lambdas/shared/origin-verify.ts';
import { stageConfig } from '#lib/config.ts';
import { exampleDomain, synthesize } from './synth.ts';

type Synth = ReturnType<typeof synthesize>;
let dev: Synth;
let prod: Synth;

let withSender: Synth;
beforeAll(() => {
  dev = synthesize('dev');
  prod = synthesize('prod');
  withSender = synthesize('dev', { emailFrom: 'no-reply@example.com' });
});

// Every function of the route table: the routes' own, both authorizers and the scheduled dispatcher.
const handlerCount = Object.keys(functions).length;
const resourcesOf = (template: Synth['api'], type: string) => template.findResources(type);
/** Our handlers, not CDK's own helper functions (e.g. the S3 auto-delete custom resource). */
const ourFunctions = (synth: Synth) =>
  Object.values(resourcesOf(synth.api, 'AWS::Lambda::Function')).filter(
    (f) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME,
  );

describe('HTTP API routes', () => {
  it('has exactly the routes of the route table: JWT authorizer on every non-public one, the origin gate on the rest', () => {
    const routes = Object.values(resourcesOf(dev.api, 'AWS::ApiGatewayV2::Route'))
      .map((r) => r.Properties)
      .filter((p) => !String(p.RouteKey).startsWith('$') && !Object.keys(wsRoutes).includes(p.RouteKey));
    const byKey = new Map(routes.map((p) => [p.RouteKey as string, p]));
    expect([...byKey.keys()].sort()).toEqual(Object.keys(httpRoutes).sort());
    const [gateId, gate] = Object.entries(
      resourcesOf(dev.api, 'AWS::ApiGatewayV2::Authorizer') as Record<string, { Properties: any }>,
    ).find(
      ([, a]) => a.Properties.AuthorizerType === 'REQUEST' && a.Properties.AuthorizerPayloadFormatVersion === '2.0',
    )!;
    // No header, no invocation: API Gateway answers 401 itself; the answer is cached per header value.
    expect(gate.Properties).toMatchObject({
      IdentitySource: [`$request.header.${ORIGIN_VERIFY_HEADER}`],
      EnableSimpleResponses: true,
      AuthorizerResultTtlInSeconds: 300,
    });
    for (const [key, route] of Object.entries(httpRoutes)) {
      const deployed = byKey.get(key)!;
      if (route.access === 'public') {
        expect(deployed.AuthorizationType, key).toBe('CUSTOM');
        expect(deployed.AuthorizerId, key).toEqual({ Ref: gateId });
      } else {
        expect(deployed.AuthorizationType, key).toBe('JWT');
        expect(deployed.AuthorizerId, key).toBeDefined();
      }
    }
  });

  it('only the sign-up, sign-in and code routes, /health, /docs (and its files) and /openapi.json may be public', () => {
    const allowed = [
      '/auth/register',
      '/auth/login',
      '/auth/login/totp',
      '/auth/refresh',
      '/auth/confirm-email',
      '/auth/confirm-email/resend',
      '/auth/forgot-password',
      '/auth/reset-password',
      '/health',
      '/docs',
      '/docs/{asset}',
      '/openapi.json',
      // An e-mail's one-click unsubscribe (RFC 8058): its signed token is the credential.
      '/notifications/unsubscribe',
    ];
    for (const [key, route] of Object.entries(httpRoutes)) {
      if (route.access === 'public') expect(allowed).toContain(splitRouteKey(key).path);
    }
  });

  it('uses a Cognito JWT authorizer with the app client as audience', () => {
    dev.api.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [Match.anyValue()],
        Issuer: Match.objectLike({
          'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp('cognito-idp')])]),
        }),
      },
    });
  });

  it('throttles the stage, logs access as JSON and allows only configured CORS origins', () => {
    dev.api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"requestId"') },
    });
    prod.api.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: Match.objectLike({ AllowOrigins: ['https://app.order-chat.example'] }),
    });
  });
});

describe('WebSocket API', () => {
  it('has every route of the route table and the REQUEST authorizer on $connect only', () => {
    const routes = Object.values(resourcesOf(dev.api, 'AWS::ApiGatewayV2::Route'))
      .map((r) => r.Properties)
      .filter((p) => Object.keys(wsRoutes).includes(p.RouteKey));
    expect(routes.map((p) => p.RouteKey).sort()).toEqual(Object.keys(wsRoutes).sort());
    for (const route of routes) {
      expect(route.AuthorizationType ?? 'NONE', route.RouteKey).toBe(route.RouteKey === '$connect' ? 'CUSTOM' : 'NONE');
    }
    dev.api.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      IdentitySource: ['route.request.querystring.ticket', `route.request.header.${ORIGIN_VERIFY_HEADER}`],
    });
  });

  it('answers on the route response for two-way routes, and only for those', () => {
    const routes = resourcesOf(dev.api, 'AWS::ApiGatewayV2::Route');
    const twoWay = Object.entries(wsRoutes)
      .filter(([, route]) => 'twoWay' in route && route.twoWay)
      .map(([key]) => key);
    const deployedTwoWay = Object.values(routes)
      .filter((r) => r.Properties.RouteResponseSelectionExpression === '$default')
      .map((r) => r.Properties.RouteKey);
    expect(deployedTwoWay.sort()).toEqual(twoWay.sort());
    const responses = Object.values(resourcesOf(dev.api, 'AWS::ApiGatewayV2::RouteResponse'));
    expect(responses).toHaveLength(twoWay.length);
    for (const response of responses) expect(response.Properties.RouteResponseKey).toBe('$default');
  });

  it('keeps query strings (they carry credentials) out of the access logs', () => {
    const stage = Object.values(resourcesOf(dev.api, 'AWS::ApiGatewayV2::Stage')).find(
      (s) => s.Properties.StageName === 'ws',
    )!;
    expect(stage.Properties.AccessLogSettings.Format).not.toMatch(/querystring|requestOverride|path/i);
    expect(stage.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
  });
});

describe('Lambda functions', () => {
  const functions_ = () => ourFunctions(dev);

  it('run on nodejs24.x, arm64, with tracing and Powertools settings', () => {
    expect(functions_().length).toBe(handlerCount);
    for (const fn of functions_()) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
      });
      expect(fn.Properties.Environment.Variables).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'order-chat',
        POWERTOOLS_LOG_LEVEL: 'DEBUG',
      });
    }
  });

  it('hold no secret in their configuration: the functions the route table names read it at run time', () => {
    const text = JSON.stringify(dev.api.toJSON());
    expect(text).not.toMatch(/"SecretString"/);
    const secretIds = Object.keys(resourcesOf(dev.api, 'AWS::SecretsManager::Secret'));
    const policies = Object.values(resourcesOf(dev.api, 'AWS::IAM::Policy'));
    const readersOf = (secretId: string) =>
      policies
        .filter((policy) =>
          policy.Properties.PolicyDocument.Statement.some(
            (statement: { Action: unknown; Resource: unknown }) =>
              [statement.Action].flat().includes('secretsmanager:GetSecretValue') &&
              JSON.stringify(statement.Resource).includes(secretId),
          ),
        )
        .flatMap((policy) => policy.Properties.Roles.map((role: { Ref: string }) => role.Ref));
    const secretOf = { ORIGIN_VERIFY_SECRET: 'OriginVerifySecret', CURSOR_SECRET: 'CursorSecret' } as const;
    for (const [name, prefix] of Object.entries(secretOf)) {
      const secretId = secretIds.find((id) => id.startsWith(prefix))!;
      const declared = (Object.keys(functions) as FunctionName[]).filter((fn) =>
        (functionGrants(fn).secrets ?? []).includes(name as keyof typeof secretOf),
      );
      expect(declared.length).toBeGreaterThan(0);
      const withArn = Object.entries(resourcesOf(dev.api, 'AWS::Lambda::Function')).filter(
        ([, fn]) => fn.Properties.Environment?.Variables?.[`${name}_ARN`],
      );
      const owner = (id: string) => declared.find((fn) => new RegExp(`${functionId(fn)}[0-9A-F]{8}$`).test(id));
      expect(withArn.map(([id]) => owner(id))).toEqual(expect.arrayContaining(declared));
      expect(withArn).toHaveLength(declared.length);
      for (const [, fn] of withArn) {
        expect(fn.Properties.Environment.Variables[`${name}_ARN`]).toEqual({ Ref: secretId });
      }
      expect(readersOf(secretId).sort()).toEqual(withArn.map(([, fn]) => fn.Properties.Role['Fn::GetAtt'][0]).sort());
    }
    for (const fn of functions_()) {
      const env = JSON.stringify(fn.Properties.Environment.Variables);
      expect(env).not.toMatch(/resolve:secretsmanager|"ORIGIN_VERIFY_SECRET"|"CURSOR_SECRET"/);
    }
  });
});

describe('IAM: each function gets only what its route needs', () => {
  const policies = () => Object.values(resourcesOf(dev.api, 'AWS::IAM::Policy'));
  const statementsOf = (roleFragment: string) =>
    policies()
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleFragment))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
  const actionsOf = (roleFragment: string) => statementsOf(roleFragment).flatMap((s) => [s.Action].flat());

  it('uses no AWS managed policies for our functions', () => {
    const roles = resourcesOf(dev.api, 'AWS::IAM::Role');
    for (const fn of ourFunctions(dev)) {
      const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
      expect(roles[roleId]!.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  /** CDK's BucketDeployment handler, which uploads the web app (tested on its own below). */
  const isDeploymentPolicy = (policy: Record<string, any>) =>
    JSON.stringify(policy.Properties.Roles).includes('CDKBucketDeployment');

  it("has wildcards only for X-Ray, @connections of this WebSocket stage and the attachments' key prefixes", () => {
    const ours = policies().filter((p) => !isDeploymentPolicy(p));
    for (const statement of ours.flatMap((p) => p.Properties.PolicyDocument.Statement)) {
      const resources = [statement.Resource].flat().map((r: unknown) => JSON.stringify(r));
      for (const resource of resources.filter((r) => r.includes('*'))) {
        if (resource === '"*"')
          expect([statement.Action].flat().every((a: string) => a.startsWith('xray:'))).toBe(true);
        else expect(resource).toMatch(/\/ws\/(POST|GET|DELETE)\/@connections\/\*|"\/(uploads|files)\/\*"/);
      }
    }
  });

  it("lets the web app's deployment touch only the CDK asset bucket, the app's bucket and invalidations", () => {
    const statements = policies()
      .filter(isDeploymentPolicy)
      .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      const resources = JSON.stringify(statement.Resource);
      const actions = [statement.Action].flat();
      if (resources === '"*"') expect(actions.every((a) => a.startsWith('cloudfront:'))).toBe(true);
      else expect(resources).toMatch(/cdk-[a-z0-9]+-assets-|WebAppBucket/);
      expect(actions.every((a) => /^(s3|cloudfront):/.test(a))).toBe(true);
    }
  });

  it('grants read-only table actions to read-only routes', () => {
    const actions = actionsOf('HttpUsersMeGetRole');
    expect(actions).toContain('dynamodb:GetItem');
    expect(actions).not.toContain('dynamodb:PutItem');
    expect(actions.filter((a) => a.startsWith('cognito-idp:'))).toEqual([]);
  });

  it('grants Cognito admin actions only where the route table lists them', () => {
    expect(actionsOf('HttpUsersChangeRoleRole')).toEqual(
      expect.arrayContaining(['cognito-idp:AdminAddUserToGroup', 'cognito-idp:AdminRemoveUserFromGroup']),
    );
    expect(actionsOf('HttpUsersChangeRoleRole')).not.toContain('cognito-idp:AdminDeleteUser');
    // Health reads only CloudFront's origin value, as every HTTP function does (its chain checks the header).
    expect(actionsOf('HttpHealthRole').filter((a) => !a.startsWith('xray:') && !a.startsWith('logs:'))).toEqual([
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
    ]);
    expect(
      actionsOf('WsAuthorizerRole').filter((a) => a.startsWith('cognito-idp:') || a.startsWith('execute-api:')),
    ).toEqual([]);
  });

  it('lets admin routes read the main table (the chain re-checks the caller profile)', () => {
    expect(actionsOf('HttpUsersListRole')).toContain('dynamodb:GetItem');
  });

  it('grants ManageConnections only to functions that declare it', () => {
    const withManage = policies()
      .filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes('execute-api:ManageConnections'))
      .flatMap((p) => p.Properties.Roles.map((r: { Ref: string }) => r.Ref));
    const expected = Object.keys(functions).filter((name) => functionGrants(name as FunctionName).manageConnections);
    expect(withManage).toHaveLength(expected.length);
    for (const name of expected)
      expect(
        withManage.some((ref) => ref.includes(`${functionId(name)}Role`)),
        name,
      ).toBe(true);
  });
});

describe('DynamoDB tables', () => {
  it('match the shared definitions: keys, GSIs, TTL, PITR, encryption, on-demand', () => {
    const deployed = Object.entries(resourcesOf(dev.stateful, 'AWS::DynamoDB::GlobalTable'));
    expect(deployed).toHaveLength(Object.keys(tables).length);
    for (const [key, definition] of Object.entries(tables)) {
      const logicalIdPrefix = `Data${key[0]!.toUpperCase()}${key.slice(1)}Table`;
      const match = deployed.find(([logicalId]) => logicalId.startsWith(logicalIdPrefix));
      expect(match, key).toBeDefined();
      const props = match![1].Properties;
      expect(props.KeySchema).toEqual([
        { AttributeName: definition.partitionKey, KeyType: 'HASH' },
        ...('sortKey' in definition ? [{ AttributeName: definition.sortKey, KeyType: 'RANGE' }] : []),
      ]);
      expect(props.BillingMode).toBe('PAY_PER_REQUEST');
      expect(props.SSESpecification).toMatchObject({ SSEEnabled: true });
      // Only tables with data worth restoring pay for point-in-time recovery.
      expect(props.Replicas[0].PointInTimeRecoverySpecification, key).toEqual({
        PointInTimeRecoveryEnabled: !('shortLived' in definition),
      });
      if (definition.ttlAttribute)
        expect(props.TimeToLiveSpecification).toEqual({ AttributeName: definition.ttlAttribute, Enabled: true });
      expect((props.GlobalSecondaryIndexes ?? []).map((i: { IndexName: string }) => i.IndexName).sort()).toEqual(
        Object.keys(definition.indexes).sort(),
      );
    }
  });

  it('are destroyed with a dev stack but retained and deletion-protected in prod', () => {
    for (const table of Object.values(resourcesOf(dev.stateful, 'AWS::DynamoDB::GlobalTable'))) {
      expect(table.DeletionPolicy).toBe('Delete');
    }
    for (const table of Object.values(resourcesOf(prod.stateful, 'AWS::DynamoDB::GlobalTable'))) {
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.Properties.Replicas[0].DeletionProtectionEnabled).toBe(true);
    }
  });
});

describe('Cognito', () => {
  it('has the API password policy, e-mail sign-in and no self sign-up', () => {
    dev.stateful.hasResourceProperties('AWS::Cognito::UserPool', {
      UsernameAttributes: ['email'],
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Policies: {
        PasswordPolicy: Match.objectLike({
          MinimumLength: passwordPolicy.minLength,
          RequireUppercase: true,
          RequireLowercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        }),
      },
    });
  });

  it('e-mails a code to confirm an address and to reset a password, keeping the old address until a new one is confirmed', () => {
    dev.stateful.hasResourceProperties('AWS::Cognito::UserPool', {
      AutoVerifiedAttributes: ['email'],
      UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
      VerificationMessageTemplate: {
        DefaultEmailOption: 'CONFIRM_WITH_CODE',
        EmailSubject: verificationEmail.subject,
        EmailMessage: verificationEmail.message,
      },
      // Without a stage sender, Cognito's own (50 e-mails a day: docs/deploying.md).
      EmailConfiguration: { EmailSendingAccount: 'COGNITO_DEFAULT' },
    });
  });

  it('offers two-factor sign-in with an authenticator app only (no SMS), answered within 3 minutes', () => {
    dev.stateful.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
    });
    dev.stateful.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AuthSessionValidity: challengeSessionMinutes,
    });
  });

  it('sends through SES from the stage’s verified sender when one is given', () => {
    withSender.stateful.hasResourceProperties('AWS::Cognito::UserPool', {
      EmailConfiguration: {
        EmailSendingAccount: 'DEVELOPER',
        From: 'Order Chat <no-reply@example.com>',
        SourceArn: {
          'Fn::Join': ['', ['arn:aws:ses:eu-west-1:', { Ref: 'AWS::AccountId' }, ':identity/no-reply@example.com']],
        },
      },
    });
  });

  it('lets only the functions that e-mail people send, from the stage’s sender and nowhere else', () => {
    const statements = Object.values(withSender.api.findResources('AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown[] }[],
    );
    const sending = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('ses:')));
    // The dispatcher sends through the stage's configuration set too (SES authorizes the set as well).
    expect(sending.filter((s) => JSON.stringify(s.Resource).includes(':configuration-set/'))).toHaveLength(1);
    const senderFunctions = (Object.keys(functions) as FunctionName[]).filter(
      (name) => functionGrants(name).sendsEmail,
    );
    expect(senderFunctions).toEqual(['http/users-me-email-confirm', 'jobs/notify']);
    expect(sending).toHaveLength(senderFunctions.length);
    for (const statement of sending) {
      expect(statement.Action).toBe('ses:SendEmail');
      const resources = JSON.stringify(statement.Resource);
      expect(resources).toContain(':identity/no-reply@example.com"');
      expect(resources).toContain(':identity/example.com"');
    }
    const senders = Object.values(withSender.api.findResources('AWS::Lambda::Function'))
      .map((f) => f.Properties.Environment?.Variables?.EMAIL_FROM)
      .filter(Boolean);
    expect(senders).toEqual(sending.map(() => 'Order Chat <no-reply@example.com>'));
    // Without a stage sender (Cognito's own address) no function may send, and none is told a sender.
    for (const f of ourFunctions(dev)) expect(f.Properties.Environment.Variables.EMAIL_FROM).toBeUndefined();
  });

  it('has an app client with password auth, refresh, 15-minute access tokens, 30-day refresh and revocation', () => {
    dev.stateful.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ExplicitAuthFlows: Match.arrayWith(['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']),
      AccessTokenValidity: 15,
      RefreshTokenValidity: 43200,
      EnableTokenRevocation: true,
      TokenValidityUnits: Match.objectLike({ AccessToken: 'minutes' }),
    });
    dev.stateful.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'admin' });
  });

  it('puts a ceiling on direct calls with a REGIONAL WebACL on the user pool, above what the functions send', () => {
    // Only the functions call the pool, from Lambda's shared addresses: per-client limits live at the edge.
    dev.stateful.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      Rules: [Match.objectLike({ Statement: { RateBasedStatement: { AggregateKeyType: 'IP', Limit: 20_000 } } })],
    });
    dev.stateful.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('UserPool'), 'Arn'] },
    });
  });
});

describe('edge protection', () => {
  it('puts a CLOUDFRONT WebACL in us-east-1 with a rate rule and the managed rule groups', () => {
    expect(dev.stacks.waf.region).toBe('us-east-1');
    const acl = Object.values(resourcesOf(dev.waf, 'AWS::WAFv2::WebACL'))[0]!.Properties;
    expect(acl.Scope).toBe('CLOUDFRONT');
    const names = acl.Rules.map((r: { Name: string }) => r.Name);
    expect(names).toEqual(
      expect.arrayContaining([
        'RateLimitPerIp',
        'AWSManagedRulesCommonRuleSet',
        'AWSManagedRulesKnownBadInputsRuleSet',
        'AWSManagedRulesAmazonIpReputationList',
      ]),
    );
  });

  it('limits sign-ups, sign-ins and refreshes per client address, answering 429 with Retry-After', () => {
    const acl = Object.values(resourcesOf(dev.waf, 'AWS::WAFv2::WebACL'))[0]!.Properties;
    for (const limit of EDGE_LIMITS) {
      const rule = acl.Rules.find((r: { Name: string }) => r.Name === limit.name);
      expect(rule, limit.name).toBeDefined();
      const rate = rule.Statement.RateBasedStatement;
      expect(rate).toMatchObject({
        AggregateKeyType: 'IP',
        Limit: limit.limit,
        EvaluationWindowSec: limit.windowSeconds,
      });
      const scope = JSON.stringify(rate.ScopeDownStatement);
      expect(scope).toContain(`"SearchString":"${limit.path}"`);
      expect(scope).toContain(`"SearchString":"${limit.method}"`);
      expect(rule.Action.Block.CustomResponse).toMatchObject({
        ResponseCode: 429,
        ResponseHeaders: [{ Name: 'retry-after', Value: String(limit.windowSeconds) }],
      });
      expect(acl.CustomResponseBodies[rule.Action.Block.CustomResponse.CustomResponseBodyKey]).toMatchObject({
        ContentType: 'APPLICATION_JSON',
      });
    }
    // Every public POST comes before there is a user (sign-in, codes, an e-mail's unsubscribe): each has a rule per address.
    const publicAuthPosts = Object.entries(httpRoutes)
      .filter(([key, route]) => route.access === 'public' && key.startsWith('POST /'))
      .map(([key]) => splitRouteKey(key).path);
    expect(EDGE_LIMITS.map((limit) => limit.path).sort()).toEqual(publicAuthPosts.sort());
  });

  it('fronts both APIs with CloudFront carrying the WebACL and the secret origin header', () => {
    const distribution = Object.values(resourcesOf(dev.api, 'AWS::CloudFront::Distribution'))[0]!.Properties
      .DistributionConfig;
    expect(distribution.WebACLId).toBeDefined();
    const apiOrigins = distribution.Origins.filter(
      (origin: { CustomOriginConfig?: unknown }) => origin.CustomOriginConfig,
    );
    expect(apiOrigins).toHaveLength(2);
    for (const origin of apiOrigins) {
      expect(origin.OriginCustomHeaders).toEqual(
        [{ HeaderName: ORIGIN_VERIFY_HEADER, HeaderValue: Match.anyValue() as never }].map((h) => ({
          ...h,
          HeaderValue: expect.anything(),
        })),
      );
      expect(JSON.stringify(origin.OriginCustomHeaders[0].HeaderValue)).toMatch(/resolve:secretsmanager/);
    }
    expect(distribution.CacheBehaviors.map((b: { PathPattern: string }) => b.PathPattern)).toEqual([
      '/ws',
      '/app',
      '/app/*',
    ]);
    expect(distribution.DefaultCacheBehavior.ResponseHeadersPolicyId).toBeDefined();
  });

  it('refuses WebSocket upgrades from foreign browser origins at the edge, as the local gateway does', () => {
    const distribution = Object.values(resourcesOf(prod.api, 'AWS::CloudFront::Distribution'))[0]!.Properties
      .DistributionConfig;
    const ws = distribution.CacheBehaviors.find((b: { PathPattern: string }) => b.PathPattern === '/ws');
    expect(ws.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: expect.anything() }]);
    const [fn] = Object.values(resourcesOf(prod.api, 'AWS::CloudFront::Function')).filter((f) =>
      String(f.Properties.FunctionConfig.Comment).includes('WebSocket'),
    );
    // Run the function's own code on the events CloudFront would give it.
    const handler = new Function(`${fn!.Properties.FunctionCode}; return handler;`)() as (event: unknown) => {
      statusCode?: number;
    };
    const upgrade = (origin?: string) =>
      handler({
        request: {
          headers: { host: { value: 'd111.cloudfront.net' }, ...(origin ? { origin: { value: origin } } : {}) },
        },
      });
    expect(upgrade('https://evil.example').statusCode).toBe(403);
    expect(upgrade('https://d111.cloudfront.net').statusCode).toBeUndefined();
    expect(upgrade(stageConfig('prod').corsOrigins[0]).statusCode).toBeUndefined();
    expect(upgrade().statusCode).toBeUndefined();
  });

  it('serves the web app at /app from a private bucket only CloudFront reads, under a strict CSP', () => {
    const distribution = Object.values(resourcesOf(dev.api, 'AWS::CloudFront::Distribution'))[0]!.Properties
      .DistributionConfig;
    const bucketOrigin = distribution.Origins.find((origin: { S3OriginConfig?: unknown }) => origin.S3OriginConfig);
    expect(bucketOrigin.OriginAccessControlId).toBeDefined();
    expect(bucketOrigin.OriginCustomHeaders).toBeUndefined();
    for (const behavior of distribution.CacheBehaviors.filter((b: { PathPattern: string }) =>
      b.PathPattern.startsWith('/app'),
    )) {
      expect(behavior).toMatchObject({
        TargetOriginId: bucketOrigin.Id,
        ViewerProtocolPolicy: 'redirect-to-https',
        AllowedMethods: ['GET', 'HEAD'],
        FunctionAssociations: [{ EventType: 'viewer-request' }],
      });
    }
    const policies = Object.values(resourcesOf(dev.api, 'AWS::CloudFront::ResponseHeadersPolicy'));
    // The CSP names the attachments bucket's host, imported from the stateful stack: a join.
    const csp = policies
      .map(
        (p) =>
          p.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy?.ContentSecurityPolicy,
      )
      .filter(Boolean)
      .map((value: unknown) => JSON.stringify(value));
    expect(csp).toEqual([expect.stringContaining("script-src 'self'")]);
    expect(csp.join()).not.toMatch(/unsafe-inline|unsafe-eval/);
    // Images and uploads: the app's own origin and the attachments bucket's, nothing more.
    expect(csp[0]).toMatch(
      /img-src 'self' data: blob: https:\/\/",\{"Fn::ImportValue":"[^"]*AttachmentsBucket[^"]*RegionalDomainName/,
    );
    expect(csp[0]).toMatch(
      /connect-src 'self' https:\/\/",\{"Fn::ImportValue":"[^"]*AttachmentsBucket[^"]*RegionalDomainName/,
    );

    const [bucket] = Object.entries(resourcesOf(dev.api, 'AWS::S3::Bucket')).filter(([id]) =>
      id.startsWith('WebAppBucket'),
    );
    expect(bucket![1].Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const bucketPolicy = Object.values(resourcesOf(dev.api, 'AWS::S3::BucketPolicy')).find((p) =>
      JSON.stringify(p.Properties.Bucket).includes(bucket![0]),
    )!;
    const reads = bucketPolicy.Properties.PolicyDocument.Statement.filter(
      (s: { Effect: string; Action: string }) => s.Effect === 'Allow' && s.Action === 's3:GetObject',
    );
    expect(reads).toEqual([
      expect.objectContaining({
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Condition: { StringEquals: { 'AWS:SourceArn': expect.anything() } },
      }),
    ]);
    dev.api.resourceCountIs('Custom::CDKBucketDeployment', 1);
  });

  it("maps /app to /app/ and /app/ to the app's index.html at the edge, and leaves its files alone", () => {
    const [fn] = Object.values(resourcesOf(dev.api, 'AWS::CloudFront::Function'));
    expect(fn!.Properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
    const handler = new Function(`${fn!.Properties.FunctionCode}; return handler;`)() as (event: unknown) => any;
    const run = (uri: string) => handler({ request: { uri, headers: {} } });
    expect(run('/app')).toMatchObject({ statusCode: 301, headers: { location: { value: '/app/' } } });
    expect(run('/app/')).toMatchObject({ uri: '/app/index.html' });
    expect(run('/app/app-ABC123.js')).toMatchObject({ uri: '/app/app-ABC123.js' });
  });
});

describe('observability', () => {
  it('alarms on HTTP 5xx rate, WebSocket integration errors, every function and every table', () => {
    const alarms = Object.values(resourcesOf(dev.api, 'AWS::CloudWatch::Alarm'));
    // The 5xx rate, two WebSocket alarms, errors and throttles per function, throttles per table, parked e-mails.
    expect(alarms.length).toBe(1 + 2 + handlerCount * 2 + Object.keys(tables).length + 1);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toHaveLength(1);
    const text = JSON.stringify(alarms);
    for (const metric of [
      '5xx',
      'IntegrationError',
      'Errors',
      'Throttles',
      'ReadThrottleEvents',
      'NotificationsParked',
    ])
      expect(text).toContain(metric);
    dev.api.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('exports the URLs and ids clients and scripts need', () => {
    expect(Object.keys(dev.api.findOutputs('*')).sort()).toEqual(['ApiUrl', 'AppUrl', 'Region', 'WebSocketUrl']);
    const ours = (outputs: Record<string, unknown>) =>
      Object.keys(outputs).filter((k) => !k.startsWith('ExportsOutput'));
    expect(ours(dev.stateful.findOutputs('*')).sort()).toEqual([
      'AttachmentsBucketName',
      'MainTableName',
      'UserPoolClientId',
      'UserPoolId',
    ]);
  });
});

describe('CloudFormation limits', () => {
  // CloudFormation takes at most 500 resources a template (nested stacks each have their own); a
  // function behind a route costs about 9 with its alarms, so these grow with every route.
  const RESOURCE_CEILING = 400;
  const GROWS_WITH_ROUTES = new Set([
    'AWS::Lambda::Function',
    'AWS::Lambda::Permission',
    'AWS::IAM::Role',
    'AWS::IAM::Policy',
    'AWS::Logs::LogGroup',
    'AWS::ApiGatewayV2::Integration',
    'AWS::ApiGatewayV2::Route',
    'AWS::ApiGatewayV2::RouteResponse',
    'AWS::CloudWatch::Alarm',
  ]);
  it(`keeps every template of every stage at or under ${RESOURCE_CEILING} resources with twice today's routes`, () => {
    for (const synth of [dev, prod, synthesize('prod', { customDomain: exampleDomain })]) {
      // Stateful, Waf, Api, and the API's nested stacks: WebSocket, Http, Jobs, Alarms and one per tag of HTTP routes.
      const tags = new Set(Object.values(httpRoutes).map((route) => route.tag));
      expect(Object.keys(synth.templates)).toHaveLength(7 + tags.size);
      for (const [path, template] of Object.entries(synth.templates)) {
        const types = Object.values(template.toJSON().Resources as Record<string, { Type: string }>).map((r) => r.Type);
        const perRoute = types.filter((type) => GROWS_WITH_ROUTES.has(type)).length;
        expect(types.length, path).toBeLessThanOrEqual(RESOURCE_CEILING);
        expect(types.length + perRoute, `${path} with twice the routes`).toBeLessThanOrEqual(RESOURCE_CEILING);
      }
    }
  });
});

describe("chat attachments' bucket", () => {
  const bucketOf = (synth: Synth) =>
    Object.entries(resourcesOf(synth.stateful, 'AWS::S3::Bucket')).find(([id]) => id.startsWith('AttachmentsBucket'))!;

  it('is private, encrypted, TLS only, logged, and reached only through presigned requests of our functions', () => {
    const [id, bucket] = bucketOf(dev);
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.OwnershipControls.Rules).toEqual([{ ObjectOwnership: 'BucketOwnerEnforced' }]);
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
    ]);
    expect(bucket.Properties.LoggingConfiguration.LogFilePrefix).toBe('attachments/');
    const statements = (synth: Synth) =>
      Object.values(resourcesOf(synth.stateful, 'AWS::S3::BucketPolicy')).find((p) => p.Properties.Bucket.Ref === id)!
        .Properties.PolicyDocument.Statement;
    expect(statements(prod)).toEqual([
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    ]);
    // A dev stack's bucket is emptied when the stack goes: CDK's auto-delete role, and no one else.
    expect(statements(dev).filter((s: { Effect: string }) => s.Effect === 'Allow')).toEqual([
      expect.objectContaining({
        Principal: { AWS: { 'Fn::GetAtt': [expect.stringMatching(/^CustomS3AutoDeleteObjects/), 'Arn'] } },
      }),
    ]);
    // No Allow to anyone in the bucket's policy: access is the functions' IAM grants, by key prefix.
    const grants = Object.values(resourcesOf(dev.api, 'AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s: { Action: string | string[] }) =>
        [s.Action].flat().some((a) => a.startsWith('s3:') && !a.startsWith('s3:List')),
      )
      .filter((s: { Resource: unknown }) => JSON.stringify(s.Resource).includes('AttachmentsBucket'));
    const actions = grants.flatMap((s: { Action: string | string[]; Resource: unknown }) =>
      [s.Action].flat().map((a) => `${a} ${JSON.stringify(s.Resource).match(/\/(uploads|files)\/\*/)?.[1]}`),
    );
    expect(new Set(actions)).toEqual(
      new Set([
        's3:PutObject uploads',
        's3:GetObject files',
        's3:GetObject uploads',
        's3:PutObject files',
        's3:DeleteObject uploads',
      ]),
    );
  });

  it('expires unsent uploads after a day and sent files after the stage’s retention', () => {
    for (const [synth, days] of [
      [dev, stageConfig('dev').attachments.retentionDays],
      [prod, stageConfig('prod').attachments.retentionDays],
    ] as const) {
      const rules = bucketOf(synth)[1].Properties.LifecycleConfiguration.Rules;
      expect(rules).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ Prefix: 'uploads/', ExpirationInDays: 1, Status: 'Enabled' }),
          expect.objectContaining({ Prefix: 'files/', ExpirationInDays: days, Status: 'Enabled' }),
          expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
        ]),
      );
    }
    expect(bucketOf(prod)[1].DeletionPolicy).toBe('Retain');
  });

  it('admits uploads from the app’s origins only, and has each new upload checked through EventBridge', () => {
    const [, bucket] = bucketOf(prod);
    expect(bucket.Properties.CorsConfiguration.CorsRules).toEqual([
      expect.objectContaining({
        AllowedMethods: ['POST'],
        AllowedOrigins: ['https://*.cloudfront.net', ...stageConfig('prod').corsOrigins],
      }),
    ]);
    expect(bucket.Properties.NotificationConfiguration).toEqual({
      EventBridgeConfiguration: { EventBridgeEnabled: true },
    });
    const rule = Object.values(resourcesOf(dev.api, 'AWS::Events::Rule')).find((r) =>
      JSON.stringify(r.Properties.EventPattern ?? {}).includes('Object Created'),
    )!;
    expect(rule.Properties.EventPattern).toMatchObject({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { object: { key: [{ prefix: 'uploads/' }] } },
    });
    expect(rule.Properties.Targets[0].RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 });
  });
});
