// What npm test checks before anything runs: everything missing, in one message, with how to get it.
import { mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chromiumPath, describeMissing, missingCfnLint, missingChromium } from '#local/prerequisites.ts';

describe('prerequisites', () => {
  it('finds cfn-lint on the PATH without running it, and says how to install it when it is not there', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prerequisites-'));
    expect(missingCfnLint({ PATH: dir })).toMatchObject({
      install: [expect.stringContaining('pipx install cfn-lint==')],
    });
    writeFileSync(join(dir, 'cfn-lint'), '#!/bin/sh\n');
    chmodSync(join(dir, 'cfn-lint'), 0o755);
    expect(missingCfnLint({ PATH: `/nowhere:${dir}` })).toBeUndefined();
  });

  it('takes CHROMIUM_PATH as given, and names it when it does not exist', () => {
    expect(chromiumPath({ CHROMIUM_PATH: '/opt/chrome' })).toBe('/opt/chrome');
    expect(missingChromium({ CHROMIUM_PATH: '/opt/no-such-chrome' })?.what).toContain('/opt/no-such-chrome');
    const dir = mkdtempSync(join(tmpdir(), 'prerequisites-'));
    writeFileSync(join(dir, 'chrome'), '');
    expect(missingChromium({ CHROMIUM_PATH: join(dir, 'chrome') })).toBeUndefined();
  });

  it('lists everything missing in one message, each with its reason and its installs', () => {
    const message = describeMissing(
      [missingCfnLint({ PATH: '' })!, missingChromium({ CHROMIUM_PATH: '/opt/no-such-chrome' })!],
      'npm test',
    );
    expect(message.split('\n')[0]).toBe('npm test needs 2 things this machine lacks:');
    expect(message).toMatch(/✗ cfn-lint[\s\S]*pipx install[\s\S]*✗ Chromium[\s\S]*CHROMIUM_PATH=\/path\/to\/chrome/);
  });
});
