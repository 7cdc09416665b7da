/**
 * The Order Chat client library: the HTTP API typed from openapi.yaml with the session handled,
 * and the chat protocol (tickets, reconnects, resume, dedupe, ordering, acknowledged sends).
 * Runs in browsers, React Native and Node (global fetch and WebSocket, or injected ones).
 */
export {
  createOrderChatApi,
  type ApiOptions,
  type ChatTicket,
  type DataExport,
  type NotificationPreferences,
  type OrderChatApi,
  type User,
} from './http.ts';
export { ApiError, EmailNotConfirmedError, NetworkError, TwoFactorRequired, type Problem } from './errors.ts';
export {
  memoryTokenStore,
  webStorageTokenStore,
  type KeyValueStorage,
  type TokenStore,
  type Tokens,
} from './session.ts';
export {
  ChatClient,
  ChatError,
  type ChatEvent,
  type ChatOptions,
  type ChatState,
  type ConversationChangedFrame,
  type OrderListChangedFrame,
  type ErrorFrame,
  type OrderStatusChangedFrame,
  type Participant,
  TYPING_EVERY_MS,
  TYPING_SHOWN_MS,
  type PendingMessage,
  type ReadState,
  type RoomClosedFrame,
  type RoomState,
  type WebSocketLike,
} from './chat.ts';
export { mergeMessages, type ChatMessage } from './messages.ts';
export {
  ATTACHMENT_TYPES,
  AttachmentRefused,
  uploadAttachment,
  type Attachment,
  type AttachmentType,
  type OpenedAttachment,
  type UploadOptions,
} from './attachments.ts';
export type { components, paths } from './generated/openapi.ts';
