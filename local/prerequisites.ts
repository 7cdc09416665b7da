/**
 * What `npm start` and `npm test` need beyond npm's own packages, checked in one go so a newcomer
 * hears about everything missing at once, before anything runs: `npm test` runs this file first,
 * `npm start` checks Java (the only one it needs) through `ensureJava`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

export interface Missing {
  what: string;
  why: string;
  install: string[];
}

/** A JDK, not only a JRE: DynamoDB Local's loopback launcher is compiled from its source (jdk.compiler). */
export function missingJava(): Missing | undefined {
  const probe = spawnSync('java', ['--list-modules'], { encoding: 'utf8' });
  if (!probe.error && probe.status === 0 && probe.stdout.includes('jdk.compiler')) return undefined;
  return {
    what:
      probe.error || probe.status !== 0
        ? 'Java 17+ JDK (`java` is not on the PATH)'
        : 'a Java 17+ JDK (this Java is a JRE)',
    why: 'DynamoDB Local, for npm start and the end-to-end tests',
    install: [
      'Debian/Ubuntu: sudo apt-get install openjdk-17-jdk-headless',
      'macOS: brew install openjdk@17 (then follow its note to put it on the PATH)',
    ],
  };
}

export const CFN_LINT_VERSION = '1.51.0';

/** Found on the PATH, not run: a Python tool's `--version` takes seconds to start. */
export function missingCfnLint(env: Record<string, string | undefined> = process.env): Missing | undefined {
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  if (dirs.some((dir) => existsSync(join(dir, 'cfn-lint')))) return undefined;
  return {
    what: 'cfn-lint (AWS CloudFormation Linter)',
    why: 'the infrastructure tests, which lint every synthesized template',
    install: [`any platform with Python 3: pipx install cfn-lint==${CFN_LINT_VERSION} (or pip install --user …)`],
  };
}

/** Where Chromium or Chrome usually is, in the order looked at when CHROMIUM_PATH isn't set. */
const BROWSER_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/snap/bin/chromium',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

/** The browser the browser tests drive: CHROMIUM_PATH, else the first usual place that has one. */
export function chromiumPath(env: Record<string, string | undefined> = process.env): string | undefined {
  if (env.CHROMIUM_PATH) return env.CHROMIUM_PATH;
  return BROWSER_PATHS.find((path) => existsSync(path));
}

export function missingChromium(env: Record<string, string | undefined> = process.env): Missing | undefined {
  const path = chromiumPath(env);
  if (path && existsSync(path)) return undefined;
  return {
    what: env.CHROMIUM_PATH ? `Chromium: CHROMIUM_PATH=${env.CHROMIUM_PATH} does not exist` : 'Chromium or Chrome',
    why: 'the browser tests, which drive the web app in it (playwright-core downloads no browser)',
    install: [
      'Debian: sudo apt-get install chromium   Ubuntu: sudo snap install chromium',
      'macOS: brew install --cask chromium',
      'or point at a Chrome you have: CHROMIUM_PATH=/path/to/chrome npm test',
    ],
  };
}

export function describeMissing(missing: Missing[], command: string): string {
  const lines = [
    `${command} needs ${missing.length === 1 ? 'one thing' : `${missing.length} things`} this machine lacks:`,
  ];
  for (const item of missing) {
    lines.push('', `  ✗ ${item.what}`, `    for ${item.why}`, ...item.install.map((line) => `    ${line}`));
  }
  return lines.join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const missing = [missingJava(), missingCfnLint(), missingChromium()].filter((m) => m !== undefined);
  if (missing.length > 0) {
    console.error(describeMissing(missing, 'npm test'));
    process.exit(1);
  }
}
