/** Where a signed-in session's tokens live between requests (and, in a browser, reloads). */

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  /** When the access token expires (epoch ms, by this device's clock at sign-in). */
  expiresAt: number;
}

export interface TokenStore {
  get(): Tokens | undefined;
  set(tokens: Tokens | undefined): void;
}

/**
 * Keeps the tokens in memory. Where storage is asynchronous (React Native's AsyncStorage), start
 * from what was saved and save every change:
 * `memoryTokenStore(saved, (tokens) => void AsyncStorage.setItem(key, JSON.stringify(tokens ?? null)))`.
 */
export function memoryTokenStore(initial?: Tokens, onChange?: (tokens: Tokens | undefined) => void): TokenStore {
  let tokens = initial;
  return {
    get: () => tokens,
    set(next) {
      tokens = next;
      onChange?.(next);
    },
  };
}

/** The part of the Web Storage API a store needs (sessionStorage, localStorage, or an adapter over AsyncStorage). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * Keeps the tokens in Web Storage. sessionStorage (one tab, gone with it) is the safer choice for a
 * refresh token in a browser; whatever can run script on the page can read either.
 */
export function webStorageTokenStore(storage: KeyValueStorage, key = 'order-chat.tokens'): TokenStore {
  return {
    get() {
      try {
        const value = JSON.parse(storage.getItem(key) ?? 'null') as Tokens | null;
        return value && typeof value.accessToken === 'string' ? value : undefined;
      } catch {
        return undefined;
      }
    },
    set(tokens) {
      if (tokens) storage.setItem(key, JSON.stringify(tokens));
      else storage.removeItem(key);
    },
  };
}
