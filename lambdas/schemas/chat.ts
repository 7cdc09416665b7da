import * as z from 'zod';
import { Cursor, Limit, Text } from './common.ts';
import { ROLES } from '../shared/caller.ts';
import { OrderId } from './orders.ts';
import { ATTACHMENT_TYPES, MAX_ATTACHMENTS_PER_MESSAGE } from '../chat/attachment.ts';
import { AssigneeFilter, Order, OrderStatus } from './orders.ts';

export const MessageId = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'Must be a message id');
export const RoomId = OrderId;

/** A message's text: it may be empty when the message sends files. */
const MessageContent = Text(0, 4000);

export const AttachmentId = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'Must be an attachment id');
export const AttachmentType = z
  .enum(ATTACHMENT_TYPES)
  .meta({ id: 'AttachmentType', description: 'Photos (JPEG, PNG, WebP, HEIC) and PDF documents' });
export const AttachmentRef = z
  .object({
    id: AttachmentId,
    name: z.string().meta({ description: 'The safe name it is shown and downloaded as' }),
    type: AttachmentType,
    size: z.int().min(1),
  })
  .meta({
    id: 'AttachmentRef',
    description: 'A file a message sends: open it with GET /chat/rooms/{roomId}/attachments/{id}',
  });
const ClientMessageId = z.string().min(1).max(64, 'Must be at most 64 characters');
export const Summary = Text(1, 2000);

export const ChatMessage = z
  .object({
    id: MessageId,
    roomId: RoomId,
    content: z.string(),
    createdAt: z.iso.datetime(),
    clientMessageId: z.string().nullable(),
    sender: z.object({ id: z.string(), name: z.string(), role: z.enum(ROLES) }),
    attachments: z.array(AttachmentRef).optional().meta({ description: 'The files it sends (absent: none)' }),
  })
  .meta({
    id: 'ChatMessage',
    examples: [
      {
        id: '01JDZ9A1B2C3D4E5F6G7H8J9K0',
        roomId: '01JDZ8Q4V3N9W2K7T6R5M4P3X2',
        content: 'Can you do them in navy?',
        createdAt: '2026-11-29T12:05:00.000Z',
        clientMessageId: 'c-42',
        sender: { id: '3f1c2b8e-9a4d-4c51-8f0e-2d6b7a9c1e55', name: 'Alice', role: 'REGULAR' },
      },
    ],
  });

export const ChatRoom = z
  .object({
    id: RoomId,
    orderId: OrderId,
    isOpen: z.boolean(),
    summary: z.string().nullable(),
    closedAt: z.iso.datetime().nullable(),
    closedBy: z.string().nullable(),
  })
  .meta({ id: 'ChatRoom' });

export const ReadState = z
  .object({
    side: z
      .enum(['customer', 'admins'])
      .meta({ description: "The caller's side of the room: the order's customer, or the admins" }),
    unread: z.number().int().min(0).meta({ description: 'Messages the other side wrote that the caller has not read' }),
    readUpTo: MessageId.nullable().meta({ description: "The caller's marker: the newest message they have read" }),
    otherSideReadUpTo: MessageId.nullable().meta({
      description: 'The newest message the other side has read (the customer, or any admin): "Seen"',
    }),
  })
  .meta({ id: 'ReadState' });

export const ChatRoomWithMessages = ChatRoom.extend({
  readState: ReadState,
  messages: z.array(ChatMessage),
  nextCursor: MessageId.nullable(),
}).meta({ id: 'ChatRoomWithMessages' });

export const MessagePage = z
  .object({ items: z.array(ChatMessage), nextCursor: MessageId.nullable() })
  .meta({ id: 'MessagePage' });

export const RoomParams = z.object({ roomId: RoomId });
export const MessagesQuery = z.strictObject({
  before: MessageId.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export const InboxQuery = z.strictObject({
  limit: Limit,
  cursor: Cursor.optional(),
  assignee: AssigneeFilter.optional().meta({
    description: 'Only the rooms of orders assigned to `me`, to nobody (`none`) or to the admin with this id',
  }),
});
const Side = z.enum(['customer', 'admins']);
export const LastMessage = z
  .object({
    id: MessageId,
    createdAt: z.iso.datetime(),
    side: Side,
    senderName: z.string(),
    preview: z.string().meta({ description: 'Its first 100 characters, whitespace folded' }),
  })
  .meta({ id: 'LastMessage' });
export const WaitingRoom = z
  .object({
    roomId: RoomId,
    customer: z.object({ id: z.string(), name: z.string() }),
    waitingSince: z.iso.datetime().meta({ description: "When the customer's first unanswered message was written" }),
    lastMessage: LastMessage,
    assignee: z
      .object({ id: z.string(), name: z.string() })
      .nullable()
      .meta({ description: "The admin handling the room's order; null while nobody is" }),
  })
  .meta({ id: 'WaitingRoom' });
export const InboxPage = z
  .object({ items: z.array(WaitingRoom), nextCursor: z.string().nullable() })
  .meta({ id: 'InboxPage' });
export const CloseRoomBody = z.strictObject({ summary: Summary }).meta({ id: 'CloseRoomRequest' });
export const CloseRoomResponse = z.object({ room: ChatRoom, order: Order }).meta({ id: 'CloseRoomResponse' });
export const TicketResponse = z
  .object({ ticket: z.string(), expiresIn: z.literal(60) })
  .meta({ id: 'WebSocketTicket', description: 'Single-use WebSocket connect ticket, valid 60 s' });

// WebSocket client frames (validated by the chain; `action` selected the route).
export const JoinRoomFrame = z
  .strictObject({ action: z.literal('joinRoom'), roomId: RoomId, after: MessageId.optional() })
  .meta({ id: 'JoinRoomFrame' });
export const LeaveRoomFrame = z
  .strictObject({ action: z.literal('leaveRoom'), roomId: RoomId })
  .meta({ id: 'LeaveRoomFrame' });
export const SendMessageFrame = z
  .strictObject({
    action: z.literal('sendMessage'),
    roomId: RoomId,
    content: MessageContent.meta({ description: 'Up to 4,000 characters; empty only when the message sends files' }),
    clientMessageId: ClientMessageId.optional(),
    attachmentIds: z
      .array(AttachmentId)
      .min(1)
      .max(MAX_ATTACHMENTS_PER_MESSAGE, `At most ${MAX_ATTACHMENTS_PER_MESSAGE} files a message`)
      .optional()
      .meta({ description: 'Your verified uploads to this room (POST /chat/rooms/{roomId}/attachments), sent once' }),
  })
  .meta({ id: 'SendMessageFrame' });
export const MarkReadFrame = z
  .strictObject({ action: z.literal('markRead'), roomId: RoomId, messageId: MessageId })
  .meta({ id: 'MarkReadFrame' });
export const TypingFrame = z.strictObject({ action: z.literal('typing'), roomId: RoomId }).meta({
  id: 'TypingFrame',
  description: 'The sender is typing in the room: send it at most every few seconds while they type',
});
export const CloseRoomFrame = z
  .strictObject({ action: z.literal('closeRoom'), roomId: RoomId, summary: Summary })
  .meta({ id: 'CloseRoomFrame' });

// WebSocket server frames.
const Participant = z.object({ id: z.string(), name: z.string(), side: Side }).meta({ id: 'Participant' });
export const ChatHistoryFrame = z
  .object({
    type: z.literal('chatHistory'),
    roomId: RoomId,
    room: z.object({ isOpen: z.boolean(), summary: z.string().nullable(), closedAt: z.iso.datetime().nullable() }),
    readState: ReadState,
    present: z.array(Participant).meta({
      description: 'Who is in the room now, the joiner included (later changes come as presence frames)',
    }),
    messages: z.array(ChatMessage),
    nextCursor: MessageId.nullable(),
  })
  .meta({ id: 'ChatHistoryFrame' });
export const ReadStateFrame = z
  .object({ type: z.literal('readState'), roomId: RoomId, ...ReadState.shape })
  .meta({ id: 'ReadStateFrame' });
export const ConversationChangedFrame = z
  .object({
    type: z.literal('conversationChanged'),
    roomId: RoomId,
    lastMessage: LastMessage.nullable(),
    waiting: z.boolean().meta({ description: 'Does the room wait for an admin’s answer now?' }),
  })
  .meta({ id: 'ConversationChangedFrame' });
export const ReadReceiptFrame = z
  .object({
    type: z.literal('readReceipt'),
    roomId: RoomId,
    side: Side,
    messageId: MessageId,
    readAt: z.iso.datetime(),
  })
  .meta({ id: 'ReadReceiptFrame', description: 'A side (the customer, or the admins) has read up to messageId' });
export const PresenceFrame = z
  .object({
    type: z.literal('presence'),
    roomId: RoomId,
    members: z.array(Participant).meta({ description: 'Everyone joined to the room now, each once' }),
    at: z.iso.datetime().meta({ description: 'When it was read: a client keeps the newest' }),
  })
  .meta({ id: 'PresenceFrame' });
export const TypingNoticeFrame = z.object({ type: z.literal('userTyping'), roomId: RoomId, user: Participant }).meta({
  id: 'TypingNoticeFrame',
  description: 'Someone in the room is typing: show it until a few seconds pass without another (never stored)',
});
export const LeftRoomFrame = z.object({ type: z.literal('leftRoom'), roomId: RoomId }).meta({ id: 'LeftRoomFrame' });
export const NewMessageFrame = z
  .object({ type: z.literal('newMessage'), roomId: RoomId, message: ChatMessage })
  .meta({ id: 'NewMessageFrame' });
export const RoomClosedFrame = z
  .object({
    type: z.literal('roomClosed'),
    roomId: RoomId,
    summary: z.string(),
    closedAt: z.iso.datetime(),
    closedBy: z.string(),
  })
  .meta({ id: 'RoomClosedFrame' });
export const OrderStatusChangedFrame = z
  .object({
    type: z.literal('orderStatusChanged'),
    orderId: OrderId,
    status: OrderStatus,
    previousStatus: OrderStatus,
    changedAt: z.iso.datetime(),
  })
  .meta({ id: 'OrderStatusChangedFrame' });

export const WatchOrdersFrame = z.strictObject({ action: z.literal('watchOrders') }).meta({ id: 'WatchOrdersFrame' });
export const UnwatchOrdersFrame = z
  .strictObject({ action: z.literal('unwatchOrders') })
  .meta({ id: 'UnwatchOrdersFrame' });
export const WatchingOrdersFrame = z
  .object({
    type: z.literal('watchingOrders'),
    watching: z.boolean(),
    scope: z.enum(['all', 'own']).meta({ description: 'Admins: every order; customers: their own' }),
  })
  .meta({ id: 'WatchingOrdersFrame' });
export const OrderListChangedFrame = z
  .object({
    type: z.literal('orderListChanged'),
    orderId: OrderId,
    change: z.enum(['placed', 'edited', 'status', 'assigned', 'cancelled', 'closed']),
    status: OrderStatus,
    at: z.iso.datetime(),
  })
  .meta({ id: 'OrderListChangedFrame' });

export const Attachment = z
  .object({
    id: AttachmentId,
    roomId: RoomId,
    name: z.string().meta({ description: 'The safe name: path, control characters and inner extensions removed' }),
    type: AttachmentType,
    size: z.int().min(1),
    status: z.enum(['pending', 'verified', 'rejected', 'sent']).meta({
      description:
        'pending: waiting for the file or its check; verified: checked, ready to send; rejected: refused (reason says why) and deleted; sent: in a message',
    }),
    reason: z.string().nullable(),
    createdAt: z.iso.datetime(),
    messageId: MessageId.nullable(),
    sentAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Attachment' });

export const AttachmentParams = z.object({ roomId: RoomId, attachmentId: AttachmentId });

export const UploadRequestBody = z
  .strictObject({
    // Any characters: a name is made safe (see Attachment.name), not refused for what a device called it.
    name: z.string().min(1).max(255).meta({ description: "The file's name (made safe: see Attachment.name)" }),
    type: AttachmentType,
    size: z
      .int()
      .min(1)
      .max(10 * 1024 * 1024)
      .meta({
        description: "Bytes: exactly the file's size (the upload admits no other); at most the stage's limit, 10 MB",
      }),
  })
  .meta({ id: 'UploadRequestBody' });

export const UploadTicket = z
  .object({
    attachment: Attachment,
    upload: z
      .object({
        url: z.string().meta({ description: "The bucket's URL: POST a multipart form to it" }),
        fields: z.record(z.string(), z.string()).meta({
          description: 'Form fields to send as they are, before the file (the last field, named "file")',
        }),
        expiresAt: z.iso.datetime().meta({ description: 'The upload is refused after this' }),
      })
      .meta({ id: 'PresignedPost' }),
  })
  .meta({ id: 'UploadTicket' });

export const OpenedAttachment = z
  .object({
    attachment: Attachment,
    download: z
      .object({ url: z.string(), expiresAt: z.iso.datetime() })
      .nullable()
      .meta({ description: 'A short-lived link to the file (sent files only)' }),
  })
  .meta({ id: 'OpenedAttachment' });

export const AttachmentCheckedFrame = z
  .object({ type: z.literal('attachmentChecked'), roomId: RoomId, attachment: Attachment })
  .meta({ id: 'AttachmentCheckedFrame' });
