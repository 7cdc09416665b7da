/**
 * One typed configuration per stage. The CDK app picks one with
 * `-c stage=dev|prod`; the local runtime uses `local` so throttling and CORS
 * behave offline as they do when deployed.
 */
export type StageName = 'local' | 'dev' | 'prod';

export interface StageConfig {
  stage: StageName;
  /** prod keeps data when the stack is deleted and turns on deletion protection. */
  retainData: boolean;
  logRetentionDays: 7 | 30 | 90 | 365;
  alarmEmail?: string;
  corsOrigins: string[];
  /** API Gateway stage throttling, per second and burst, for both APIs. */
  throttle: { rateLimit: number; burstLimit: number };
  /** WAF: requests per 5 minutes from one IP before it is blocked. */
  wafRateLimitPer5Min: number;
  /** Cognito user pool WAF: sign-in and sign-up calls per 5 minutes from one IP. */
  cognitoWafRateLimitPer5Min: number;
  serviceName: string;
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
}

const shared = {
  serviceName: 'order-chat',
  wafRateLimitPer5Min: 2000,
  cognitoWafRateLimitPer5Min: 300,
} as const;

export const stages: Record<StageName, StageConfig> = {
  local: {
    ...shared,
    stage: 'local',
    retainData: false,
    logRetentionDays: 7,
    corsOrigins: ['http://localhost:3000', 'http://localhost:5173'],
    throttle: { rateLimit: 200, burstLimit: 400 },
    logLevel: 'INFO',
  },
  dev: {
    ...shared,
    stage: 'dev',
    retainData: false,
    logRetentionDays: 7,
    corsOrigins: ['http://localhost:3000', 'http://localhost:5173'],
    throttle: { rateLimit: 50, burstLimit: 100 },
    logLevel: 'DEBUG',
  },
  prod: {
    ...shared,
    stage: 'prod',
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
