import * as z from 'zod';

/**
 * Parse the environment once, at cold start, so a missing variable fails the
 * deployment's first invocation loudly instead of a request much later.
 *
 * @example const env = readEnv({ MAIN_TABLE_NAME: z.string().min(1) });
 */
export function readEnv<S extends z.ZodRawShape>(shape: S): z.infer<z.ZodObject<S>> {
  const parsed = z.object(shape).safeParse(process.env);
  if (!parsed.success) {
    const names = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new Error(`Invalid or missing environment variables: ${names}`);
  }
  return parsed.data;
}
