/**
 * The command-line options of a local script (`npm start`, `npm run create-admin`): `--help`
 * prints the usage and exits 0; an unknown or malformed option prints what was wrong, then the
 * usage, and exits 2.
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

export function parseOptions<const O extends ParseArgsOptionsConfig>(usage: string, options: O) {
  const config = { options: { ...options, help: { type: 'boolean' } } } as const;
  let parsed: ReturnType<typeof parseArgs<typeof config>>;
  try {
    parsed = parseArgs(config);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    process.exit(2);
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(usage);
    process.exit(0);
  }
  return parsed.values;
}
