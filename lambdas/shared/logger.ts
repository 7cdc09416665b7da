import { Logger } from '@aws-lambda-powertools/logger';

/** One logger per container; service name and level come from POWERTOOLS_* env vars. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'order-chat' });
