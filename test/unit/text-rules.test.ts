// Unit: what names and free texts may hold (lambdas/schemas/checks.ts), through the schemas that use them.
import { describe, expect, it } from 'vitest';
import { RegisterBody } from '#lambdas/schemas/users.ts';
import { SendMessageFrame } from '#lambdas/schemas/chat.ts';

const register = (name: string) =>
  RegisterBody.safeParse({ name, email: 'a@example.com', password: 'Str0ng!Passw0rd' });
const message = (content: string) =>
  SendMessageFrame.safeParse({ action: 'sendMessage', roomId: '01ARZ3NDEKTSV4RRFFQ69G5FAV', content });

describe('text rules', () => {
  // Each is invisible, or changes how the text around it is laid out.
  const invisible = {
    'C1 control NEL': '\u0085',
    'C1 control CSI': '\u009B',
    'line separator': '\u2028',
    'paragraph separator': '\u2029',
    'zero-width space': '\u200B',
    'zero-width non-joiner': '\u200C',
    'zero-width joiner alone': '\u200D',
    'byte order mark': '\uFEFF',
    'soft hyphen': '\u00AD',
    'tag character': '\u{E0041}',
    'right-to-left override': '\u202E',
    'lone surrogate': '\uD800',
  };

  it.each(Object.entries(invisible))('refuses a %s in names and texts', (_, character) => {
    expect(register(`Al${character}ice`).success).toBe(false);
    const refused = message(`hello ${character} there`);
    expect(refused.success).toBe(false);
    expect(refused.error!.issues[0]!.message).toMatch(/invisible/);
  });

  it('keeps newline and tab in texts, emoji sequences joined by a zero-width joiner, and every script', () => {
    expect(message('line one\n\tline two').success).toBe(true);
    expect(message('👩‍💻 and 👨‍👩‍👧 and 🏳️‍🌈 and 👍🏽').success).toBe(true);
    expect(message('日本語、العربية، עברית, ελληνικά, हिन्दी').success).toBe(true);
    expect(register('Zoë Ångström').success).toBe(true);
    expect(register('Line\nbreak').success).toBe(false);
  });

  it('refuses names that pass for a role, however they are spelled', () => {
    for (const name of [
      'Root Admin (admin)',
      'ADMIN',
      'Adm1n Bob',
      'ａｄｍｉｎ',
      'Аdmin',
      'Ádmín',
      'Support Team',
      'sys-tem',
      'Staff',
    ]) {
      const result = register(name);
      expect(result.success, name).toBe(name === 'sys-tem');
      if (name !== 'sys-tem') expect(result.error!.issues[0]!.message).toMatch(/role word/);
    }
    for (const name of ['Adminah Okafor'.replace('Admin', 'Amin'), 'Badminton Club', 'Sam Stafford', 'Alice']) {
      expect(register(name).success, name).toBe(true);
    }
  });
});
