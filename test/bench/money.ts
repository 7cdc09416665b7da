/**
 * The monthly AWS bill of a stated workload, from what the bench measured: each operation's
 * DynamoDB units and its time through the runtime (route-costs.ts), times how often the workload
 * does it, at list prices. Every price and every assumption is here, in words, and in BENCHMARKS.md.
 */
import { functions, wsRoutes } from '#lambdas/routes.ts';
import { tables } from '#lambdas/tables.ts';
import type { OperationName } from './minimums.ts';
import type { RouteCost } from './route-costs.ts';

/**
 * List prices, us-east-1, on-demand, without free tiers that expire (AWS's own pricing pages are the
 * authority; these were taken from summaries of them in 2026 and should be checked there).
 */
export const PRICES = {
  region: 'us-east-1',
  lambdaPerMillionRequests: 0.2,
  /** arm64. */
  lambdaPerGbSecond: 0.0000133334,
  /** On-demand since the November 2024 price cut. */
  dynamoPerMillionWriteUnits: 0.625,
  dynamoPerMillionReadUnits: 0.125,
  dynamoPerGbMonth: 0.25,
  httpApiPerMillion: 1.0,
  webSocketPerMillionMessages: 1.0,
  webSocketPerMillionConnectionMinutes: 0.25,
  cloudFrontPerMillionHttpsRequests: 1.0,
  cloudFrontPerGb: 0.085,
  wafPerWebAclMonth: 5,
  wafPerRuleMonth: 1,
  wafPerMillionRequests: 0.6,
  /** Cognito Essentials: the first 10,000 monthly active users cost nothing. */
  cognitoFreeMonthlyActiveUsers: 10_000,
  cognitoPerMonthlyActiveUser: 0.015,
  cloudWatchLogsPerGb: 0.5,
  cloudWatchAlarmMonth: 0.1,
  xrayPerMillionTraces: 5,
  secretPerMonth: 0.4,
  kmsKeyPerMonth: 1,
  sesPerThousandEmails: 0.1,
  s3PerGbMonth: 0.023,
  /** PUT, POST, COPY (a presigned POST is a PUT-class request). */
  s3PerThousandWrites: 0.005,
  s3PerThousandReads: 0.0004,
  /** Data out of S3 to the internet (presigned GETs go straight to the bucket), the first 10 TB. */
  s3PerGbOut: 0.09,
} as const;

/** The month the bill is for. */
export const WORKLOAD = {
  users: 10_000,
  orders: 100_000,
  messages: 2_000_000,
  /** Each user signs in this often, and each sign-in lasts this long with the chat open. */
  sessionsPerUser: 8,
  minutesPerSession: 30,
  /** Rooms a session joins (and resumes once after a drop). */
  roomsPerSession: 3,
  /** Each order is viewed this often, its history read, and listed by admins. */
  viewsPerOrder: 6,
  historyReadsPerOrder: 2,
  adminListsPerOrder: 1,
  /** Connections a message reaches besides its sender's (the customer's and an admin's). */
  otherListenersPerMessage: 1,
  /**
   * Notification e-mails per order: its new-order e-mail to the admins, and two answers that waited
   * for a customer who was away. Typing notices per message (one every 3 s while typing).
   */
  emailsPerOrder: 3,
  typingNoticesPerMessage: 2,
  /** The dispatcher's schedule: every minute, all month (each run one Query, nothing due or not). */
  dispatcherRunsPerMonth: 60 * 24 * 30,
  /** Bytes out per HTTP answer and per WebSocket frame, on average. */
  bytesPerAnswer: 2_000,
  bytesPerFrame: 600,
  /** Structured log bytes per invocation (Powertools JSON and Lambda's own lines), and per API access log line. */
  logBytesPerInvocation: 1_200,
  logBytesPerAccessLine: 400,
  /** X-Ray samples the first request each second and 5% of the rest. */
  tracedShare: 0.3,
  /** Stored data: an order with its history and index entries, and a message with its dedupe item. */
  bytesPerOrder: 3_000,
  bytesPerMessage: 700,
  /** Files sent per order (a photo and a document), their average size, and how often each is opened. */
  filesPerOrder: 2,
  bytesPerFile: 1_500_000,
  opensPerFile: 3,
};

/** How often the workload does each measured operation in a month. */
function monthlyCounts(w: typeof WORKLOAD): Partial<Record<OperationName, number>> {
  const sessions = w.users * w.sessionsPerUser;
  return {
    'POST /auth/login': sessions,
    // 15-minute access tokens, a 30-minute session: one refresh.
    'POST /auth/refresh': sessions * Math.max(0, Math.ceil(w.minutesPerSession / 15) - 1),
    'POST /auth/logout': sessions / 2,
    'GET /users/me': sessions,
    'GET /orders': sessions * 2,
    'POST /orders': w.orders,
    'PATCH /orders/{id}': w.orders,
    'PATCH /orders/{id}/status': w.orders,
    // One order in twenty is cancelled.
    'POST /orders/{id}/cancel': w.orders / 20,
    'GET /orders/{id}': w.orders * w.viewsPerOrder,
    'GET /orders/{id}/history': w.orders * w.historyReadsPerOrder,
    'GET /orders?status': w.orders * w.adminListsPerOrder,
    // Each order is assigned once and gets a note; admins find orders by assignee as often as by status.
    'PUT /orders/{id}/assignee': w.orders,
    'POST /orders/{id}/notes': w.orders,
    'GET /orders/{id}/notes': w.orders * w.viewsPerOrder,
    'GET /orders?assignee': w.orders * w.adminListsPerOrder,
    // Every list open watches orders on its connection.
    watchOrders: sessions,
    'POST /chat/tickets': sessions,
    '$connect (authorizer and $connect)': sessions,
    '$disconnect (a connection in one room)': sessions,
    joinRoom: sessions * w.roomsPerSession,
    'joinRoom after (resume)': sessions * w.roomsPerSession,
    'sendMessage (a room of two connections)': w.messages,
    // The reader of each message marks it read (a client marks once for what arrived together).
    markRead: w.messages,
    // Admins look at their inbox about as often as they list orders.
    'GET /chat/inbox': w.orders * w.adminListsPerOrder,
    closeRoom: w.orders,
    typing: w.messages * w.typingNoticesPerMessage,
    leaveRoom: sessions * w.roomsPerSession,
    'a notification e-mail (the dispatcher, one customer away)': w.orders * w.emailsPerOrder,
    'POST /chat/rooms/{roomId}/attachments': w.orders * w.filesPerOrder,
    'the check of an upload (S3 event)': w.orders * w.filesPerOrder,
    'sendMessage (one file)': w.orders * w.filesPerOrder,
    'GET /chat/rooms/{roomId}/attachments/{attachmentId}': w.orders * w.filesPerOrder * w.opensPerFile,
  };
}

/** Lambda invocations an operation makes ($connect: the authorizer and the route). */
const invocationsOf = (operation: OperationName) => (operation.startsWith('$connect') ? 2 : 1);
const isWebSocket = (operation: OperationName) =>
  operation.startsWith('$') ||
  Object.keys(wsRoutes).some((route) => operation === route || operation.startsWith(`${route} `));

export interface BillLine {
  service: string;
  item: string;
  cost: number;
}

const perMillion = (service: string, what: string, count: number, price: number): BillLine => ({
  service,
  item: `${(count / 1e6).toFixed(2)} M ${what}`,
  cost: (count / 1e6) * price,
});

export function monthlyBill(routes: readonly RouteCost[], w = WORKLOAD, p = PRICES) {
  const counts = monthlyCounts(w);
  const measured = new Map(routes.map((row) => [row.operation, row]));
  let invocations = 0;
  let gbSeconds = 0;
  let readUnits = 0;
  let writeUnits = 0;
  let httpRequests = 0;
  let wsFramesIn = 0;
  for (const [operation, count] of Object.entries(counts) as [OperationName, number][]) {
    const row = measured.get(operation);
    if (!row) continue;
    invocations += count * invocationsOf(operation);
    // 1,024 MB functions: a second of duration is a GB-second.
    gbSeconds += count * invocationsOf(operation) * (row.ms / 1000);
    readUnits += count * row.readUnits;
    writeUnits += count * row.billedWriteUnits;
    if (isWebSocket(operation)) {
      if (!operation.startsWith('$')) wsFramesIn += count;
    } else httpRequests += count;
  }
  // The dispatcher's runs that find nothing due: an invocation and one Query (0.5 read units) each.
  invocations += w.dispatcherRunsPerMonth;
  readUnits += w.dispatcherRunsPerMonth * 0.5;
  const emails = counts['a notification e-mail (the dispatcher, one customer away)'] ?? 0;
  const files = counts['POST /chat/rooms/{roomId}/attachments'] ?? 0;
  const opens = counts['GET /chat/rooms/{roomId}/attachments/{attachmentId}'] ?? 0;
  // Frames out: each frame's answer, each message's acknowledgement and copies, a close's two pushes
  // per member, each message's conversationChanged to the other side, presence to both members at
  // each join and leave, and each typing notice's copy.
  const joinsAndLeaves = w.users * w.sessionsPerUser * w.roomsPerSession * 2;
  const wsFramesOut =
    wsFramesIn +
    w.messages * w.otherListenersPerMessage +
    w.orders * 2 * 2 +
    w.messages +
    joinsAndLeaves * 2 +
    w.messages * w.typingNoticesPerMessage * w.otherListenersPerMessage;
  const wsMessages = wsFramesIn + wsFramesOut;
  const connectionMinutes = w.users * w.sessionsPerUser * w.minutesPerSession;
  const edgeRequests = httpRequests + w.users * w.sessionsPerUser;
  const gigabytes = (bytes: number) => bytes / 1e9;
  const wafRules = 4 + 1; // CloudFront WebACL: a rate rule and 3 managed groups; the user pool's: a rate rule.
  const alarms = 1 + 2 + Object.keys(functions).length * 2 + Object.keys(tables).length + 1;
  const million = (n: number) => n / 1e6;
  const lines: BillLine[] = [
    perMillion('Lambda', 'invocations', invocations, p.lambdaPerMillionRequests),
    {
      service: 'Lambda',
      item: `${Math.round(gbSeconds).toLocaleString('en')} GB-s (arm64, 1 GB)`,
      cost: gbSeconds * p.lambdaPerGbSecond,
    },
    perMillion('DynamoDB', 'write units', writeUnits, p.dynamoPerMillionWriteUnits),
    perMillion('DynamoDB', 'read units', readUnits, p.dynamoPerMillionReadUnits),
    {
      service: 'DynamoDB',
      item: 'storage added this month',
      cost: gigabytes(w.orders * w.bytesPerOrder + w.messages * w.bytesPerMessage) * p.dynamoPerGbMonth,
    },
    perMillion('API Gateway', 'HTTP API requests', httpRequests, p.httpApiPerMillion),
    perMillion('API Gateway', 'WebSocket messages', wsMessages, p.webSocketPerMillionMessages),
    perMillion('API Gateway', 'connection minutes', connectionMinutes, p.webSocketPerMillionConnectionMinutes),
    perMillion('CloudFront', 'HTTPS requests', edgeRequests, p.cloudFrontPerMillionHttpsRequests),
    {
      service: 'CloudFront',
      item: 'data out',
      cost: gigabytes(httpRequests * w.bytesPerAnswer + wsFramesOut * w.bytesPerFrame) * p.cloudFrontPerGb,
    },
    {
      service: 'WAF',
      item: `2 WebACLs, ${wafRules} rules`,
      cost: 2 * p.wafPerWebAclMonth + wafRules * p.wafPerRuleMonth,
    },
    perMillion('WAF', 'requests inspected', edgeRequests, p.wafPerMillionRequests),
    {
      service: 'Cognito',
      item: `${w.users.toLocaleString('en')} monthly active users`,
      cost: Math.max(0, w.users - p.cognitoFreeMonthlyActiveUsers) * p.cognitoPerMonthlyActiveUser,
    },
    {
      service: 'CloudWatch',
      item: 'logs ingested',
      cost:
        gigabytes(invocations * w.logBytesPerInvocation + (httpRequests + wsMessages) * w.logBytesPerAccessLine) *
        p.cloudWatchLogsPerGb,
    },
    { service: 'CloudWatch', item: `${alarms} alarms`, cost: alarms * p.cloudWatchAlarmMonth },
    { service: 'X-Ray', item: 'traces recorded', cost: million(invocations * w.tracedShare) * p.xrayPerMillionTraces },
    { service: 'Secrets Manager, KMS', item: '3 secrets, 1 key', cost: 3 * p.secretPerMonth + p.kmsKeyPerMonth },
    {
      service: 'SES',
      item: `${emails.toLocaleString('en')} e-mails (notifications; the codes are Cognito's)`,
      cost: (emails / 1000) * p.sesPerThousandEmails,
    },
    {
      service: 'S3',
      item: `${Math.round(gigabytes(files * w.bytesPerFile))} GB of files added this month`,
      cost: gigabytes(files * w.bytesPerFile) * p.s3PerGbMonth,
    },
    {
      service: 'S3',
      item: `${million(files * 2).toFixed(2)} M writes (each upload, and its copy when sent), ${million(files + opens).toFixed(2)} M reads`,
      cost: ((files * 2) / 1000) * p.s3PerThousandWrites + ((files + opens) / 1000) * p.s3PerThousandReads,
    },
    {
      service: 'S3',
      item: `${Math.round(gigabytes(opens * w.bytesPerFile))} GB out (files opened)`,
      cost: gigabytes(opens * w.bytesPerFile) * p.s3PerGbOut,
    },
  ];
  return { lines, total: lines.reduce((sum, line) => sum + line.cost, 0), counts };
}
