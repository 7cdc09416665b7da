/** What a variable must hold: at least `minLength` characters (default 1), a URL, or nothing at all when `optional`. */
export interface EnvRule {
  minLength?: number;
  url?: true;
  optional?: true;
}

type EnvOf<R extends Record<string, EnvRule>> = {
  [K in keyof R]: R[K] extends { optional: true } ? string | undefined : string;
};

const satisfies = (value: string, rule: EnvRule): boolean =>
  value.length >= (rule.minLength ?? 1) && (!rule.url || URL.canParse(value));

/**
 * Read the environment once, at cold start, so a missing variable fails the
 * deployment's first invocation loudly instead of a request much later. Callers mark the call
 * pure (an annotation comment before it), so a module a function's code never uses is dropped
 * from its bundle together with its check.
 *
 * @example const env = readEnv({ MAIN_TABLE_NAME: {} });
 */
export function readEnv<R extends Record<string, EnvRule>>(rules: R): EnvOf<R> {
  const wrong = Object.entries(rules).filter(([name, rule]) => {
    const value = process.env[name];
    return value === undefined ? !rule.optional : !satisfies(value, rule);
  });
  if (wrong.length) {
    throw new Error(`Invalid or missing environment variables: ${wrong.map(([name]) => name).join(', ')}`);
  }
  return Object.fromEntries(Object.keys(rules).map((name) => [name, process.env[name]])) as EnvOf<R>;
}
