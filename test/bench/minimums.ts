/**
 * The fewest DynamoDB requests each route and action needs, with the reasoning: the bench
 * reports each next to what it measured. Every signed-in request and frame starts with the
 * session check (one eventually consistent read of the caller's profile, issue 11); routes with a
 * per-user limit count it first (one conditional write).
 */
const SESSION = 'the session check (1 read of the profile)';
const LIMIT = 'the per-user limit (1 conditional write)';
const UNREAD =
  "1 BatchGetItem of each listed order's conversation and the caller's marker in it (the unread counts), with the caller's total";
const READ_STATE = "1 BatchGetItem of the room's conversation and the caller's marker (the read state)";
const PRESENCE = "1 Query of the room's memberships (who is in it, and the connections to tell)";
const NOTIFY = '1 write scheduling the e-mail for whoever is away (due after the delay; gone if read first)';
const LISTS = "2 Queries of the watchers of order lists (every admin's channel and the customer's), to tell them";
const STAFF_ROWS =
  "1 BatchGetItem of each listed order's conversation and the caller's marker (unread counts), the caller's total, and for admins each order (its assignee) and each customer's profile (their name now)";

export const MINIMUMS = {
  'POST /auth/register': {
    requests: 3,
    why: '1 conditional write counting the codes sent to the address (past the limit, nothing else is done); the profile, written once and only if the e-mail is new (Cognito holds the password and sends the code); 1 write of its entry in the search by name (an item of its own: the profile every request reads stays under 1 KB)',
  },
  'POST /auth/confirm-email': {
    requests: 4,
    why: "1 conditional write counting the address's code attempts; 1 read of its failed sign-ins (the password is checked too); the profile, which says whether a code is due and since when; 1 write marking the address confirmed",
  },
  'POST /auth/confirm-email/resend': {
    requests: 4,
    why: "1 read of the address's failed sign-ins (the password is checked); the profile (is the address still unconfirmed?); 1 conditional write counting the codes sent; 1 write of when this code went out (it expires a day later)",
  },
  'POST /auth/forgot-password': {
    requests: 3,
    why: '1 conditional write counting the codes sent to the address; the profile (only a live, confirmed account gets a code); 1 write of when the code went out (it expires an hour later)',
  },
  'POST /auth/reset-password': {
    requests: 4,
    why: "1 conditional write counting the address's code attempts; the profile (is a code due, and was this one used?); 1 write spending the code and ending every session; 1 Query of the account's connections, to close them",
  },
  'POST /auth/login': {
    requests: 2,
    why: "1 read of the address's failed sign-ins (past the limit, nothing else is done); the profile: its name, role and ended sessions decide the session (Cognito checks the password)",
  },
  'POST /auth/refresh': { requests: 1, why: "the profile: the refresh token's session must not have ended" },
  'GET /users/me': { requests: 1, why: `${SESSION}, which is the answer` },
  'PATCH /users/me': {
    requests: 3,
    why: `${SESSION}; 1 conditional write of the new name; 1 write of its entry in the search by name`,
  },
  'POST /users/me/password': {
    requests: 4,
    why: `${SESSION}, whose profile names the address; 1 read of its failed sign-ins (the current password is checked); 1 write ending every session; 1 Query of the connections to close (the new sign-in is Cognito's alone)`,
  },
  'DELETE /users/me': {
    requests: 4,
    why: `${SESSION}; 1 read of the address's failed sign-ins (the password is checked); 1 conditional write marking the profile deleted; 1 Query of the connections to close`,
  },
  'POST /users/me/email': {
    requests: 4,
    why: `${SESSION}; 1 read of the address's failed sign-ins (the password is checked); 1 conditional write counting the codes sent to the new address; 1 write of the new address waiting for its code (Cognito says who holds the address and sends the code)`,
  },
  'GET /users/me/email': {
    requests: 2,
    why: `${SESSION}, which holds the address; 1 read of the new address waiting beside it (an item of its own: the profile stays under 1 KB)`,
  },
  'POST /users/me/email/confirm': {
    requests: 4,
    why: `${SESSION}; 1 consistent read of the new address waiting; 1 conditional write counting its code attempts; 1 transaction making it the profile's address and ending the wait (Cognito checks the code; SES tells the old address)`,
  },
  'POST /users/me/totp': {
    requests: 2,
    why: `${LIMIT}; ${SESSION} (Cognito makes the secret)`,
  },
  'PUT /users/me/totp': {
    requests: 3,
    why: `${SESSION}; 1 conditional write counting the address's code attempts; 1 write marking two-factor on (Cognito checks the code)`,
  },
  'POST /auth/login (two-factor on)': {
    requests: 2,
    why: "1 read of the address's failed sign-ins; the profile, whose ended sessions decide when the tokens may begin (Cognito checks the password and answers with its challenge)",
  },
  'POST /auth/login/totp': {
    requests: 2,
    why: "1 conditional write counting the address's code attempts; the profile: its name, role and ended sessions decide the session (Cognito checks the code)",
  },
  'DELETE /users/me/totp': {
    requests: 4,
    why: `${SESSION}; 1 read of the address's failed sign-ins (the password is checked); 1 conditional write counting its code attempts; 1 write marking two-factor off`,
  },
  'GET /users/me/data (one order)': {
    requests: 5,
    why: `${LIMIT}; ${SESSION}, which is the profile; 1 Query of the owner's orders index (the whole list, when it fits in one); 1 Query of the order's partition (the order and its history); 1 Query of its room's messages`,
  },
  'GET /users': { requests: 2, why: `${SESSION}; 1 Query of the users index` },
  'GET /users/{id}': { requests: 2, why: `${SESSION}; 1 read of the user` },
  'PATCH /users/{id}/role': {
    requests: 4,
    why: `${SESSION}; 1 consistent read of the user (404, 409 for the role they have, and which Cognito group changes); 1 conditional write of the role; 1 write of the admins' roster (whom new orders and waiting customers are e-mailed to); a demotion adds 1 Query of their connections, to close them`,
  },
  'POST /users/{id}/password-reset': {
    requests: 5,
    why: `${SESSION}; 1 consistent read of the user (404, 409 for an address never confirmed); 1 conditional write counting the codes sent to the address; 1 write of when the code went out; 1 write of the event in the user's record`,
  },
  'DELETE /users/{id}/totp': {
    requests: 4,
    why: `${SESSION}; 1 consistent read of the user (404; is two-factor on?); 1 write marking it off; 1 write of the event in the user's record (Cognito turns the app off)`,
  },
  'GET /users/{id}/events': {
    requests: 3,
    why: `${SESSION}; 1 read of the user (404); 1 Query of the events in their partition`,
  },
  'DELETE /users/{id}': {
    requests: 5,
    why: `${SESSION}; 1 consistent read of the user (404; who they are decides what may be deleted); 1 conditional write marking the profile deleted; 1 Query of their connections, to close them; 1 Query of the orders assigned to them (an admin's go back to nobody, each a change of its own)`,
  },
  'POST /auth/logout': {
    requests: 3,
    why: `${SESSION}, whose profile says which ended sessions to keep; 1 write ending the session; 1 Query of its connections, to close them`,
  },
  'POST /auth/logout-everywhere': {
    requests: 3,
    why: `${SESSION}; 1 write ending every session; 1 Query of the connections to close`,
  },
  'POST /orders': {
    requests: 6,
    why: `${LIMIT}; ${SESSION}; 1 conditional write of the order (its CREATED event is the order itself); ${NOTIFY} (the admins'); ${LISTS}`,
  },
  'POST /orders (Idempotency-Key)': {
    requests: 7,
    why: `as POST /orders, plus 1 conditional write claiming the key for the order, before it (a retry: that write, refused, hands back the claim; then 1 read of the order)`,
  },
  'GET /orders': { requests: 3, why: `${SESSION}; 1 Query of the owner's index; ${UNREAD}` },
  'GET /orders?status': { requests: 3, why: `${SESSION}; 1 Query of the status index; ${UNREAD}` },
  'GET /orders?status (a customer)': {
    requests: 3,
    why: `${SESSION}; 1 Query of the owner-and-status index (no read of an order the filter skips); ${UNREAD}`,
  },
  'GET /orders/{id}': { requests: 2, why: `${SESSION}; 1 read of the order` },
  'PATCH /orders/{id}': {
    requests: 7,
    why: `${LIMIT}; ${SESSION}; 1 consistent read (who may edit, and the diff the history keeps, depend on it); 1 write of the event the order carries to the history (on the first change, its CREATED event, which placing does not store); 1 conditional write of the order with the new event (a transaction would save that request and double the write units); ${LISTS}`,
  },
  'PATCH /orders/{id}/status': {
    requests: 9,
    why: `as PATCH /orders/{id}, with ${NOTIFY} (the customer's) and 1 Query of the room's members to tell them`,
  },
  'POST /orders/{id}/cancel': {
    requests: 10,
    why: `${LIMIT}; ${SESSION}; 1 consistent read (who may cancel it, in which status); 1 write of the CREATED event to the history (an order never changed before); 1 conditional write of the cancelled order with its closed room; 1 conditional write taking the room out of the inbox (a room that waited: then 1 Query of the admins' connections); ${NOTIFY} (the customer's); 1 Query of the members; ${LISTS}`,
  },
  'PUT /orders/{id}/assignee': {
    requests: 9,
    why: `${LIMIT}; ${SESSION} (and role); 1 read of the assignee's profile (an admin, now?); 1 consistent read of the order; 1 write of the event it carries to the history; 1 conditional write of the order with its ASSIGNED event; 1 write filing its room under the assignee (a room waiting now: 1 more, moving it in the inbox by assignee); ${LISTS}`,
  },
  'POST /orders/{id}/notes': {
    requests: 3,
    why: `${LIMIT}; ${SESSION} (and role); 1 transaction: the order exists, the note count rises within its bound, the note`,
  },
  'GET /orders/{id}/notes': {
    requests: 4,
    why: `${LIMIT}; ${SESSION} (and role); 1 read of the order (404) beside 1 Query of its notes`,
  },
  'GET /orders (an admin)': { requests: 3, why: `${SESSION}; 1 Query of the all-orders index; ${STAFF_ROWS}` },
  'GET /orders?assignee': {
    requests: 3,
    why: `${SESSION}; 1 Query of the assignee's partition of the lookup index (status and dates are its sort key); ${STAFF_ROWS}`,
  },
  'GET /orders?customerEmail': {
    requests: 3,
    why: `${SESSION}; 1 Query of the customer's partition of the owner index (Cognito says whose the address is); ${STAFF_ROWS}`,
  },
  'GET /orders?createdFrom': {
    requests: 3,
    why: `${SESSION}; 1 Query of the all-orders index, from a sort key on (no order outside the range is read); ${STAFF_ROWS}`,
  },
  'GET /orders/export (25 orders)': {
    requests: 4,
    why: `${LIMIT}; ${SESSION} (and role); 1 Query of the filter's partition (up to 1,000 orders a part, 1 MB a page); 1 BatchGetItem of the orders (assignees) and their customers' profiles per 100 keys`,
  },
  'GET /users/search': {
    requests: 4,
    why: `${LIMIT}; ${SESSION} (and role); 1 Query of the names partition of the lookup index, from the prefix on (entries hold keys only); 1 BatchGetItem of the profiles (the names, addresses and roles as they are now; a deleted account left out)`,
  },
  'GET /chat/inbox?assignee': {
    requests: 4,
    why: `${LIMIT}; ${SESSION} (and role); 1 Query of the assignee's waiting rooms in the lookup index; 1 BatchGetItem of their orders`,
  },
  'GET /orders/{id}/history': {
    requests: 3,
    why: `${LIMIT}; ${SESSION}; 1 Query of the order's partition (the order and its newest events)`,
  },
  'GET /orders/{id}/history?before': {
    requests: 4,
    why: `${LIMIT}; ${SESSION}; 1 read of the order (may the caller see it: the page holds only history); 1 Query of the page`,
  },
  'POST /chat/tickets': { requests: 3, why: `${LIMIT}; ${SESSION}; 1 write of the ticket` },
  'GET /chat/rooms/{roomId}': {
    requests: 5,
    why: `${LIMIT}; ${SESSION}; 1 read of the order (who may see the room, its state); 1 Query of the latest messages beside ${READ_STATE}`,
  },
  'GET /chat/inbox': {
    requests: 4,
    why: `${LIMIT}; ${SESSION} (and role); 1 Query of the inbox index (only waiting rooms have an entry); 1 BatchGetItem of the rooms' orders (who handles each)`,
  },
  'GET /chat/rooms/{roomId}/messages': {
    requests: 4,
    why: `${LIMIT}; ${SESSION}; 1 read of the order; 1 Query of the page`,
  },
  'POST /chat/rooms/{roomId}/close': {
    requests: 9,
    why: `${SESSION}; 1 consistent read; 1 write of the CREATED event to the history (an order never changed before: placing does not store it); 1 conditional write (room and status together); 1 conditional write taking the room out of the inbox; ${NOTIFY} (the customer's: the status and the close in one); 1 Query of the members; ${LISTS}`,
  },
  'GET /users/me/notifications': {
    requests: 2,
    why: `${SESSION}; 1 read of the preferences (an item of their own: the profile stays under 1 KB)`,
  },
  'PATCH /users/me/notifications': {
    requests: 3,
    why: `${LIMIT}; ${SESSION}; 1 write of the topics given, answering with all`,
  },
  'POST /notifications/unsubscribe': {
    requests: 1,
    why: "1 write turning off the link's topics (the signed token names the user: no session)",
  },
  '$connect (authorizer and $connect)': {
    requests: 4,
    why: "the authorizer: 1 delete of the single-use ticket returning it, 1 read of the profile (name, role, ended sessions); $connect: 1 Query counting the user's live connections (at most 10), 1 write of the connection",
  },
  joinRoom: {
    requests: 8,
    why: `${LIMIT}; ${SESSION}; 1 read of the order (may the caller see the room) beside 1 Query of the connection's rooms (at most 20); 1 write of the membership (both directions in one batch); 1 Query of the messages beside ${READ_STATE}; ${PRESENCE}`,
  },
  'joinRoom after (resume)': { requests: 8, why: 'as joinRoom, the Query starting after the last message seen' },
  'sendMessage (a room of two connections)': {
    requests: 7,
    why: `${LIMIT}; ${SESSION}; 1 read of the order (may the caller see the room: a refusal costs no write) beside 1 consistent read of the conversation (its counts and version); 1 transaction (the message with its counts, only while the room is open, only once per clientMessageId, and only if no other message moved the conversation on); 1 Query of the members; 1 Query of the other side's connections (a customer's message: the admins index), to tell them the conversation moved on`,
  },
  'POST /chat/rooms/{roomId}/attachments': {
    requests: 3,
    why: `${SESSION}; 1 read of the order (may the caller see the room, is it open); 1 transaction (the uploader's day allowance, counted, and the file's record): the presigned POST is signed in the function, without a request`,
  },
  'the check of an upload (S3 event)': {
    requests: 3,
    why: "1 consistent read of the file's record; (1 ranged GET of its first 16 bytes from S3); 1 conditional write of the verdict; 1 Query of the uploader's connections, to tell them",
  },
  'GET /chat/rooms/{roomId}/attachments/{attachmentId}': {
    requests: 4,
    why: `${LIMIT}; ${SESSION}; 1 read of the order (may the caller see the room) beside 1 consistent read of the file's record: the link is signed in the function, without a request`,
  },
  'sendMessage (one file)': {
    requests: 8,
    why: "as sendMessage, and 1 consistent BatchGetItem of the files' records beside the first reads (the files' sending is part of the message's transaction; the copy out of the uploads is S3's)",
  },
  markRead: {
    requests: 9,
    why: `${LIMIT}; ${SESSION}; 1 read of the order (may the caller see the room) beside 1 read of the message (the counts as of it) and 1 of the conversation; 1 conditional write of the caller's marker beside 1 of their side's receipt (forward only); 1 Query of the members, to tell them of the receipt; 1 Query of the reader's own connections, whose lists' counts fall (a customer's also lowers their unread total: 1 write)`,
  },
  watchOrders: {
    requests: 3,
    why: `${LIMIT}; ${SESSION}; 1 write of the membership of the list channel (both directions in one transaction)`,
  },
  unwatchOrders: { requests: 2, why: `${SESSION}; 1 write ending the membership (both directions)` },
  typing: {
    requests: 4,
    why: `the per-connection limit (1 conditional write); ${SESSION}; 1 read of the order (may the caller see the room); 1 Query of the members to tell (nothing is stored)`,
  },
  leaveRoom: {
    requests: 4,
    why: `${SESSION}; 1 transaction marking the membership left both ways; ${PRESENCE} beside 1 read of the order (whose side each is on)`,
  },
  closeRoom: {
    requests: 10,
    why: `${SESSION} (and role); 1 consistent read; 1 write of the CREATED event to the history (an order never changed before); 1 conditional write; 1 conditional write taking the room out of the inbox (this one waited: then 1 Query of the admins' connections, to tell them); ${NOTIFY} (the customer's); 1 Query of the members; ${LISTS}`,
  },
  '$disconnect (a connection in one room)': {
    requests: 4,
    why: `1 Query of the connection's item and memberships; 1 batch deleting them; for its room, ${PRESENCE} beside 1 read of the order`,
  },
  'a notification e-mail (the dispatcher, one customer away)': {
    requests: 8,
    why: "1 Query of the sparse index of what is due; 1 conditional write claiming it; 1 read of the order; 1 BatchGetItem of the recipient's profile, preferences, marker and last e-mail with the room's conversation, beside a Query of who is in the room; 1 Query of the unread messages; 1 write of what was e-mailed (the idempotency key); 1 conditional delete of the notification (SES sends the e-mail)",
  },
} as const satisfies Record<string, { requests: number; why: string }>;

export type OperationName = keyof typeof MINIMUMS;
