/**
 * The HTTP side of the client: openapi-fetch typed by openapi.yaml, with the session handled —
 * tokens kept in a store, refreshed before they expire, one retry after a refresh when a request
 * still meets a 401, and refusals thrown as `ApiError` (problem+json).
 */
import createClient, { type Client } from 'openapi-fetch';
import { ApiError, apiErrorOf, EmailNotConfirmedError, NetworkError, TwoFactorRequired } from './errors.ts';
import type { components, paths } from './generated/openapi.ts';
import { memoryTokenStore, type TokenStore, type Tokens } from './session.ts';
import { uploadAttachment, type Attachment, type OpenedAttachment, type UploadOptions } from './attachments.ts';

export type User = components['schemas']['User'];
export type NotificationPreferences = components['schemas']['NotificationPreferences'];
type Schemas = components['schemas'];

/** Everything the service holds about a user, as one document (`exportMyData`). */
export interface DataExport {
  exportedAt: string;
  profile: User;
  /** The orders they placed, each with its whole history (oldest first) and its room's messages (oldest first). */
  orders: (Schemas['Order'] & { history: Schemas['OrderEvent'][]; messages: Schemas['ChatMessage'][] })[];
}

export interface ApiOptions {
  /** The API's base URL, e.g. `http://localhost:8000` or the stack's `ApiUrl` (a browser on the same origin: `location.origin`). */
  baseUrl: string;
  /** Defaults to memory; a browser app passes `webStorageTokenStore(sessionStorage)` to survive reloads. */
  tokens?: TokenStore;
  /** Refresh the access token this long before it expires (default 60 s). */
  refreshAheadMs?: number;
  /** Headers for every request, e.g. a `user-agent` outside browsers (the deployed WAF refuses requests without one). */
  headers?: Record<string, string>;
  /** Called when the session ends on its own: the refresh token was refused (logged out elsewhere, deleted, expired). */
  onSessionEnd?: () => void;
  fetch?: (request: Request) => Promise<Response>;
  now?: () => number;
}

/** A ticket to open the WebSocket with, and when the connection it opens stops being served. */
export interface ChatTicket {
  ticket: string;
  /** The access token's expiry: the server stops serving the connection then (epoch ms). */
  expiresAt: number;
}

export interface OrderChatApi {
  /** Every route of openapi.yaml, typed; signed-in requests carry a fresh access token. */
  readonly api: Client<paths>;
  /** Unwraps an `api` call: its data, or the refusal thrown as `ApiError`. */
  call<T>(request: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T>;
  /** Creates the account; a code is e-mailed to confirm the address with (`confirmEmail`) before it can sign in. */
  signUp(body: Schemas['RegisterRequest']): Promise<User>;
  /**
   * Signs in and keeps the tokens. An account whose address awaits its code is refused with an
   * `EmailNotConfirmedError`: ask for the code, then `confirmEmail`. With two-factor sign-in on, it
   * throws `TwoFactorRequired`: finish with `completeSignIn` and a code from the authenticator app.
   */
  signIn(body: Schemas['LoginRequest']): Promise<User>;
  /** The second step of a two-factor sign-in (keeps the tokens); a refused code means signing in again. */
  completeSignIn(challenge: TwoFactorRequired, code: string): Promise<User>;
  /**
   * Everything the service holds about the signed-in user, joined from the export's pages into one
   * document (a 429 between pages is waited out).
   */
  exportMyData(): Promise<DataExport>;
  /** Asks for a new address (the password required): a code goes to it, and it waits as `pendingEmail`. */
  changeEmail(body: Schemas['ChangeEmailRequest']): Promise<Schemas['EmailStatus']>;
  /** The address the user signs in with, and a new one waiting for its code. */
  emailStatus(): Promise<Schemas['EmailStatus']>;
  /** Confirms the new address with the code e-mailed to it: it becomes the sign-in address. */
  confirmEmailChange(body: Schemas['ConfirmEmailChangeRequest']): Promise<User>;
  /** What the user is e-mailed about while away (messages, status changes, new orders for admins). */
  notificationPreferences(): Promise<NotificationPreferences>;
  /** Turns the topics given on or off; the others stay as they are. */
  changeNotificationPreferences(change: Partial<NotificationPreferences>): Promise<NotificationPreferences>;
  /** The one-click unsubscribe of an e-mail's link (its `token`): no sign-in needed. */
  unsubscribe(token: string): Promise<void>;
  /** Starts setting up an authenticator app: its secret and the `otpauth://` URI to show as a QR code. */
  startTwoFactorSetup(): Promise<Schemas['TotpSetup']>;
  /** Turns two-factor sign-in on with the first code the app shows. */
  enableTwoFactor(body: Schemas['EnableTotpRequest']): Promise<User>;
  /** Turns two-factor sign-in off (the password and a current code). */
  disableTwoFactor(body: Schemas['DisableTotpRequest']): Promise<User>;
  /** Confirms the address with the e-mailed code, and signs in (keeps the tokens). */
  confirmEmail(body: Schemas['ConfirmEmailRequest']): Promise<User>;
  /** E-mails a new code to an account whose address awaits confirmation. */
  resendEmailCode(body: Schemas['ResendEmailCodeRequest']): Promise<void>;
  /** E-mails a password reset code, if the address has an account (the answer is the same if not). */
  forgotPassword(body: Schemas['ForgotPasswordRequest']): Promise<void>;
  /** Sets a new password with the e-mailed code; every session of the account ends. */
  resetPassword(body: Schemas['ResetPasswordRequest']): Promise<void>;
  /**
   * Changes the password (the current one required, and with two-factor on a current code): every
   * other session ends; this one keeps going on new tokens.
   */
  changePassword(body: Schemas['ChangePasswordRequest']): Promise<User>;
  /** Deletes the signed-in account (its password required) and forgets the tokens. */
  deleteAccount(body: Schemas['DeleteMeRequest']): Promise<void>;
  /** Ends this session on the server (its WebSockets close) and forgets the tokens, even if the server can't be reached. */
  signOut(): Promise<void>;
  /** Ends every session of the account, on every device. */
  signOutEverywhere(): Promise<void>;
  readonly signedIn: boolean;
  /** A single-use WebSocket ticket, asked for with a fresh access token (what `ChatClient` needs). */
  chatTicket(): Promise<ChatTicket>;
  /**
   * Uploads a file to a room's conversation (straight to the bucket) and resolves once the server
   * verified it: send it with `ChatClient.send(roomId, text, { attachmentIds: [attachment.id] })`.
   * See `uploadAttachment` for its refusals and options (cancellation, progress).
   */
  uploadAttachment(roomId: string, file: Blob & { name?: string }, options?: UploadOptions): Promise<Attachment>;
  /** A file of a room: once sent, with a link good for 5 minutes (show it, or open it, at once). */
  openAttachment(roomId: string, attachmentId: string): Promise<OpenedAttachment>;
}

const REFRESH_AHEAD_MS = 60_000;

export function createOrderChatApi(options: ApiOptions): OrderChatApi {
  const store = options.tokens ?? memoryTokenStore();
  const now = options.now ?? (() => Date.now());
  const refreshAheadMs = options.refreshAheadMs ?? REFRESH_AHEAD_MS;
  const baseFetch = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const baseUrl = options.baseUrl.replace(/\/$/, '');

  const send = async (request: Request) => {
    try {
      return await baseFetch(request);
    } catch (error) {
      throw new NetworkError((error as Error).message, { cause: error });
    }
  };

  const endSession = () => {
    store.set(undefined);
    options.onSessionEnd?.();
  };

  // One refresh at a time: concurrent requests that find the token stale all wait for the same one.
  let refreshing: Promise<Tokens> | undefined;
  /** A password change on its way: it ends this session's tokens and answers with new ones. */
  let renewing: Promise<unknown> | undefined;
  const refresh = (stale: Tokens): Promise<Tokens> => {
    refreshing ??= (async () => {
      const response = await send(
        new Request(`${baseUrl}/auth/refresh`, {
          method: 'POST',
          headers: { ...options.headers, 'content-type': 'application/json' },
          body: JSON.stringify({ refreshToken: stale.refreshToken }),
        }),
      );
      const body: unknown = await response.json().catch(() => undefined);
      if (!response.ok) {
        // A refused refresh token means the session is over; a 429 or 5xx means try later.
        if (response.status === 401 || response.status === 400) {
          // Unless new tokens replace it: a password change ends every session, this one's old
          // tokens too, and its answer brings the ones this session goes on with.
          await renewing?.catch(() => undefined);
          const current = store.get();
          if (current && current.refreshToken !== stale.refreshToken) return current;
          endSession();
        }
        throw apiErrorOf(response, body);
      }
      const renewed = body as Schemas['RefreshResponse'];
      const tokens = { ...stale, accessToken: renewed.accessToken, expiresAt: now() + renewed.expiresIn * 1000 };
      // Signed out (or in as someone else) while the refresh was on its way: keep what the store holds now.
      if (store.get()?.refreshToken === stale.refreshToken) store.set(tokens);
      return tokens;
    })().finally(() => (refreshing = undefined));
    return refreshing;
  };

  const freshTokens = async (): Promise<Tokens | undefined> => {
    const tokens = store.get();
    if (!tokens || tokens.expiresAt - now() > refreshAheadMs) return tokens;
    return refresh(tokens);
  };

  const authorized = (request: Request, tokens: Tokens | undefined) => {
    if (tokens) request.headers.set('authorization', `Bearer ${tokens.accessToken}`);
    return send(request);
  };

  const authorizedFetch = async (request: Request): Promise<Response> => {
    const replay = request.clone();
    const tokens = await freshTokens();
    const response = await authorized(request, tokens);
    if (response.status !== 401 || !tokens) return response;
    // The token was refused although it had time left (revoked, or this clock is off): once more with a new one.
    const current = store.get();
    if (!current) return response;
    const renewed = current.accessToken === tokens.accessToken ? await refresh(current) : current;
    return authorized(replay, renewed);
  };

  const api = createClient<paths>({ baseUrl, fetch: authorizedFetch, headers: options.headers });

  const call = async <T>(request: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> => {
    const { data, error, response } = await request;
    if (!response.ok) throw apiErrorOf(response, error);
    return data as T;
  };

  /** Keeps a sign-in's tokens; answers its user. */
  const keep = (signedIn: Schemas['LoginResponse']): User => {
    store.set({
      accessToken: signedIn.accessToken,
      refreshToken: signedIn.refreshToken,
      expiresAt: now() + signedIn.expiresIn * 1000,
    });
    return signedIn.user;
  };

  return {
    api,
    call,
    async signUp(body) {
      return (await call(api.POST('/auth/register', { body }))).user;
    },
    async signIn(body) {
      let answer: Schemas['LoginResponse'] | Schemas['TotpChallenge'];
      try {
        answer = await call(api.POST('/auth/login', { body }));
      } catch (error) {
        if (error instanceof ApiError && error.status === 403) throw new EmailNotConfirmedError(error);
        throw error;
      }
      if ('challenge' in answer) throw new TwoFactorRequired(body.email, answer.session);
      return keep(answer);
    },
    async completeSignIn(challenge, code) {
      const body = { email: challenge.email, session: challenge.session, code };
      return keep(await call(api.POST('/auth/login/totp', { body })));
    },
    async exportMyData() {
      const document: DataExport = { exportedAt: new Date(now()).toISOString(), profile: undefined!, orders: [] };
      const byId = new Map<string, DataExport['orders'][number]>();
      let cursor: string | undefined;
      let done = false;
      while (!done) {
        let page: Schemas['DataExportPage'];
        try {
          page = await call(api.GET('/users/me/data', { params: { query: cursor ? { cursor } : {} } }));
        } catch (error) {
          if (!(error instanceof ApiError) || error.status !== 429) throw error;
          await new Promise((resolve) => setTimeout(resolve, (error.retryAfterSeconds ?? 1) * 1000));
          continue; // the same page again
        }
        if (page.profile) document.profile = page.profile;
        for (const order of page.orders) {
          const entry = { ...order, history: [], messages: [] };
          byId.set(order.id, entry);
          document.orders.push(entry);
        }
        for (const part of page.history) byId.get(part.orderId)?.history.push(...part.events);
        for (const part of page.messages) byId.get(part.roomId)?.messages.push(...part.items);
        cursor = page.nextCursor ?? undefined;
        done = cursor === undefined;
      }
      for (const order of document.orders) {
        order.history.sort((a, b) => a.version - b.version);
        order.messages.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      }
      return document;
    },
    async changeEmail(body) {
      return call(api.POST('/users/me/email', { body }));
    },
    async emailStatus() {
      return call(api.GET('/users/me/email'));
    },
    async confirmEmailChange(body) {
      return call(api.POST('/users/me/email/confirm', { body }));
    },
    async notificationPreferences() {
      return call(api.GET('/users/me/notifications'));
    },
    async changeNotificationPreferences(change) {
      return call(api.PATCH('/users/me/notifications', { body: change }));
    },
    async unsubscribe(token) {
      await call(api.POST('/notifications/unsubscribe', { params: { query: { token } } }));
    },
    async startTwoFactorSetup() {
      return call(api.POST('/users/me/totp'));
    },
    async enableTwoFactor(body) {
      return call(api.PUT('/users/me/totp', { body }));
    },
    async disableTwoFactor(body) {
      return call(api.DELETE('/users/me/totp', { body }));
    },
    async confirmEmail(body) {
      return keep(await call(api.POST('/auth/confirm-email', { body })));
    },
    async resendEmailCode(body) {
      await call(api.POST('/auth/confirm-email/resend', { body }));
    },
    async forgotPassword(body) {
      await call(api.POST('/auth/forgot-password', { body }));
    },
    async resetPassword(body) {
      await call(api.POST('/auth/reset-password', { body }));
    },
    async changePassword(body) {
      const change = call(api.POST('/users/me/password', { body }));
      renewing = change;
      try {
        return keep(await change);
      } finally {
        if (renewing === change) renewing = undefined;
      }
    },
    async deleteAccount(body) {
      await call(api.DELETE('/users/me', { body }));
      store.set(undefined);
    },
    async signOut() {
      const tokens = store.get();
      if (!tokens) return;
      try {
        await call(api.POST('/auth/logout', { body: { refreshToken: tokens.refreshToken } }));
      } catch (error) {
        // Already over on the server: nothing left to end.
        if (!(error instanceof ApiError && error.status === 401)) throw error;
      } finally {
        store.set(undefined);
      }
    },
    async signOutEverywhere() {
      try {
        await call(api.POST('/auth/logout-everywhere'));
      } finally {
        store.set(undefined);
      }
    },
    get signedIn() {
      return store.get() !== undefined;
    },
    async uploadAttachment(roomId, file, uploadOptions) {
      return uploadAttachment(
        {
          requestUpload: (id, body) =>
            call(api.POST('/chat/rooms/{roomId}/attachments', { params: { path: { roomId: id } }, body })),
          open: (id, attachmentId) => this.openAttachment(id, attachmentId),
          // The bucket takes the presigned form alone: no token goes to it.
          fetch: send,
        },
        roomId,
        file,
        uploadOptions,
      );
    },
    async openAttachment(roomId, attachmentId) {
      return call(
        api.GET('/chat/rooms/{roomId}/attachments/{attachmentId}', { params: { path: { roomId, attachmentId } } }),
      );
    },
    async chatTicket() {
      const { ticket } = await call(api.POST('/chat/tickets'));
      // The request just made refreshed the token if it was close to expiring.
      return { ticket, expiresAt: store.get()?.expiresAt ?? now() };
    },
  };
}
