/**
 * Safe retries of POST /orders with Powertools idempotency: the same
 * Idempotency-Key from the same user within 24 h returns the first result;
 * the same key with another body is a 422; a repeat while the first is still
 * running is a 409.
 */
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { IdempotencyAlreadyInProgressError, IdempotencyValidationError } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context } from 'aws-lambda';
import type { Caller } from '../shared/caller.ts';
import { dynamoRaw } from '../shared/dynamo-client.ts';
import { readEnv } from '../shared/env.ts';
import { ConflictError, UnprocessableError } from '../shared/errors.ts';

const env = readEnv({ IDEMPOTENCY_TABLE_NAME: {} });

const persistenceStore = new DynamoDBPersistenceLayer({
  tableName: env.IDEMPOTENCY_TABLE_NAME,
  awsSdkV3Client: dynamoRaw(),
});
const config = new IdempotencyConfig({
  // The key is scoped to the user: two users may pick the same Idempotency-Key.
  eventKeyJmesPath: '[caller.id, key]',
  payloadValidationJmesPath: 'payload',
  expiresAfterSeconds: 24 * 3600,
  throwOnNoIdempotencyKey: true,
});

export interface IdempotentRequest<P> {
  caller: Caller;
  key: string;
  payload: P;
}

export function idempotent<P, R>(run: (request: IdempotentRequest<P>) => Promise<R>) {
  const once = makeIdempotent(run, { persistenceStore, config });
  return async (request: IdempotentRequest<P>, context: Context): Promise<R> => {
    // Lets a request that died mid-way release its key when the Lambda's time is up.
    config.registerLambdaContext(context);
    try {
      return await once(request);
    } catch (error) {
      if (error instanceof IdempotencyValidationError) {
        throw new UnprocessableError('This Idempotency-Key was already used with a different request body.');
      }
      if (error instanceof IdempotencyAlreadyInProgressError) {
        throw new ConflictError('A request with this Idempotency-Key is still being processed; retry shortly.');
      }
      throw error;
    }
  };
}
