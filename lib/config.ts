import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
/**
 * One typed configuration per stage. The CDK app picks one with
 * `-c stage=dev|prod`; the local runtime uses `local` so throttling and CORS
 * behave offline as they do when deployed.
 */
export type StageName = 'local' | 'dev' | 'prod';

export interface CustomDomain {
  name: string;
  hostedZoneId: string;
  zoneName: string;
  cloudFrontCertificateArn: string;
  originCertificateArn: string;
}

/** The origin host names behind a custom domain (see StageConfig.customDomain). */
export const originHosts = (domain: CustomDomain) => ({
  http: `origin-http.${domain.name}`,
  ws: `origin-ws.${domain.name}`,
});

export interface StageConfig {
  stage: StageName;
  /** prod keeps data when the stack is deleted and turns on deletion protection. */
  retainData: boolean;
  logRetentionDays: 7 | 30 | 90 | 365;
  /** Who gets the alarms (e-mail; confirm the subscription AWS sends). Set with `-c alarmEmail=` or ALARM_EMAIL. */
  alarmEmail?: string;
  /**
   * Who the e-mails come from (Cognito's codes): an address or a domain you verified in SES in the
   * deployment region (docs/deploying.md). Set with `-c emailFrom=` or EMAIL_FROM. Without it
   * Cognito sends from its own address, at most 50 e-mails a day for the whole pool: enough to try
   * a stage, not to run one.
   */
  emailFrom?: string;
  /**
   * The account-wide API Gateway CloudWatch Logs role WebSocket access logs need: `create` (the
   * default: created and retained) or `existing` (the account already has one; set with
   * `-c apiGatewayLogsRole=existing`).
   */
  apiGatewayLogsRole: 'create' | 'existing';
  /**
   * Optional: serve the stage at your own domain and close the execute-api endpoints. CloudFront
   * answers at `name`; it reaches the APIs through API Gateway custom domains `origin-http.<name>`
   * and `origin-ws.<name>`, so neither API needs (or has) its execute-api URL. The stack writes the
   * DNS records in the hosted zone. Certificates (ACM) are yours: one in us-east-1 for `name`
   * (CloudFront's), one in the deployment region for `*.<name>` (the origins').
   */
  customDomain?: CustomDomain;
  corsOrigins: string[];
  /** API Gateway stage throttling, per second and burst, for both APIs. */
  throttle: { rateLimit: number; burstLimit: number };
  /** WAF: requests per 5 minutes from one IP before it is blocked. */
  wafRateLimitPer5Min: number;
  /**
   * Cognito user pool WAF: calls per 5 minutes from one address. Only our functions call the pool,
   * from Lambda's shared outbound addresses, so this is not a per-client limit (the edge's are:
   * lib/edge-limits.ts) but a ceiling against calls made straight to Cognito, set far above what the
   * functions' own traffic from one address reaches.
   */
  cognitoWafRateLimitPer5Min: number;
  serviceName: string;
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /**
   * E-mail for whoever is away: what waited unread `delaySeconds` is e-mailed (if its reader isn't
   * in the room), at most one e-mail per room per member each `minGapSeconds`; a failed send is
   * tried again after `retrySeconds`, then twice, four and eight times that, then parked.
   */
  notifications: { delaySeconds: number; minGapSeconds: number; retrySeconds: number };
  /**
   * Files in chat: the largest upload (at most 10 MB: the API's own ceiling), and how many days a
   * sent file is kept (the bucket's lifecycle deletes it then; its message stays, naming it).
   */
  attachments: { maxBytes: number; retentionDays: number };
}

/** How often the notification dispatcher runs: EventBridge's finest schedule, rate(1 minute). */
export const NOTIFY_SCHEDULE_SECONDS = 60;

const shared = {
  serviceName: 'order-chat',
  apiGatewayLogsRole: 'create',
  wafRateLimitPer5Min: 2000,
  cognitoWafRateLimitPer5Min: 20_000,
  notifications: { delaySeconds: 300, minGapSeconds: 1800, retrySeconds: 30 },
} as const;

export const stages: Record<StageName, StageConfig> = {
  local: {
    ...shared,
    stage: 'local',
    attachments: { maxBytes: 10 * 1024 * 1024, retentionDays: 30 },
    retainData: false,
    logRetentionDays: 7,
    corsOrigins: ['http://localhost:3000', 'http://localhost:5173'],
    throttle: { rateLimit: 200, burstLimit: 400 },
    logLevel: 'INFO',
  },
  dev: {
    ...shared,
    stage: 'dev',
    attachments: { maxBytes: 10 * 1024 * 1024, retentionDays: 30 },
    retainData: false,
    logRetentionDays: 7,
    corsOrigins: ['http://localhost:3000', 'http://localhost:5173'],
    throttle: { rateLimit: 50, burstLimit: 100 },
    logLevel: 'DEBUG',
  },
  prod: {
    ...shared,
    stage: 'prod',
    // Two years: an order's photos and documents outlive its warranty questions.
    attachments: { maxBytes: 10 * 1024 * 1024, retentionDays: 730 },
    retainData: true,
    logRetentionDays: 365,
    corsOrigins: ['https://app.order-chat.example'],
    throttle: { rateLimit: 500, burstLimit: 1000 },
    logLevel: 'INFO',
  },
};

export function stageConfig(name: string | undefined): StageConfig {
  const stage = (name ?? 'dev') as StageName;
  const config = stages[stage];
  if (!config) throw new Error(`Unknown stage "${name}". Use one of: ${Object.keys(stages).join(', ')}`);
  return config;
}

/** Stack ids, declared once (scripts, the smoke test and docs refer to these). */
export const stackIds = (stage: string) => ({
  stateful: `OrderChat-${stage}-Stateful`,
  waf: `OrderChat-${stage}-Waf`,
  api: `OrderChat-${stage}-Api`,
});

/** The region your AWS config file gives the active profile (what the AWS CLI would use). */
export function profileRegion(env: Record<string, string | undefined> = process.env): string | undefined {
  const file = env.AWS_CONFIG_FILE ?? join(homedir(), '.aws', 'config');
  if (!existsSync(file)) return undefined;
  const profile = env.AWS_PROFILE ?? 'default';
  let inProfile = false;
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const section = /^\s*\[\s*(?:profile\s+)?([^\]]+?)\s*\]/.exec(line);
    if (section) inProfile = section[1] === profile;
    else if (inProfile) {
      const region = /^\s*region\s*=\s*(\S+)/.exec(line)?.[1];
      if (region) return region;
    }
  }
  return undefined;
}

/**
 * The stage to deploy, with what the command line and environment add: `-c stage=`, `-c region=`
 * (else AWS_REGION, AWS_DEFAULT_REGION, your profile's region), `-c alarmEmail=` / ALARM_EMAIL,
 * `-c emailFrom=` / EMAIL_FROM,
 * `-c apiGatewayLogsRole=existing`. Says where the region came from: with none configured the CDK
 * CLI would target us-east-1 without a word, so this says so instead.
 */
export function deploymentTarget(
  context: (key: string) => unknown,
  env: Record<string, string | undefined> = process.env,
): { config: StageConfig; region: string; regionSource: string } {
  const base = stageConfig(context('stage') as string | undefined);
  const alarmEmail = (context('alarmEmail') as string | undefined) ?? env.ALARM_EMAIL ?? base.alarmEmail;
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) {
    throw new Error(`alarmEmail "${alarmEmail}" is not an e-mail address`);
  }
  const emailFrom = (context('emailFrom') as string | undefined) ?? env.EMAIL_FROM ?? base.emailFrom;
  if (emailFrom !== undefined && !/^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/.test(emailFrom)) {
    throw new Error(
      `emailFrom "${emailFrom}" is not an e-mail address (the name shown is the stage's: lib/constructs/identity.ts)`,
    );
  }
  const logsRole = (context('apiGatewayLogsRole') as string | undefined) ?? base.apiGatewayLogsRole;
  if (logsRole !== 'create' && logsRole !== 'existing') {
    throw new Error(`apiGatewayLogsRole must be "create" or "existing", not "${logsRole}"`);
  }
  const sources: [string, string | undefined][] = [
    ['from -c region', context('region') as string | undefined],
    ['from AWS_REGION', env.AWS_REGION],
    ['from AWS_DEFAULT_REGION', env.AWS_DEFAULT_REGION],
    [`from profile ${env.AWS_PROFILE ?? 'default'} in your AWS config`, profileRegion(env)],
    [
      'NO REGION IS CONFIGURED: this is the AWS default; set -c region=… or AWS_REGION',
      env.CDK_DEFAULT_REGION ?? 'us-east-1',
    ],
  ];
  const [regionSource, region] = sources.find(([, value]) => value) as [string, string];
  return {
    config: {
      ...base,
      apiGatewayLogsRole: logsRole,
      ...(alarmEmail ? { alarmEmail } : {}),
      ...(emailFrom ? { emailFrom } : {}),
    },
    region,
    regionSource,
  };
}
