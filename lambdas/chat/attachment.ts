/**
 * Files in a room's conversation: what may be uploaded, how a file proves it is what it says, and
 * how its name is made safe to hand back. No AWS types: the storage and its policy are the
 * repository's and storage.ts's.
 */

/** The types a file may be sent as, and how each one's first bytes begin. */
export const ATTACHMENT_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/heic', 'application/pdf'] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];

/** The extension a safe name ends with, per type (a file is named by what it was verified to be). */
export const EXTENSIONS: Record<AttachmentType, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/heic': 'heic',
  'application/pdf': 'pdf',
};

/** Browsers show these inline in an <img>; HEIC (most can't) and PDF are downloaded. */
export const isInlineImage = (type: AttachmentType) => type !== 'application/pdf' && type !== 'image/heic';

/** How many bytes of a file `matchesType` reads. */
export const SNIFF_BYTES = 16;

const startsWith = (bytes: Uint8Array, prefix: readonly number[], at = 0) =>
  prefix.every((byte, i) => bytes[at + i] === byte);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));
// ISO BMFF brands of HEIF images (an iPhone photo is `heic`; `mif1` is the generic image brand).
const HEIF_BRANDS = ['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1'];

/** Do a file's first bytes (at least SNIFF_BYTES, when it has them) say it is of this type? */
export function matchesType(type: AttachmentType, head: Uint8Array): boolean {
  switch (type) {
    case 'image/jpeg':
      return startsWith(head, [0xff, 0xd8, 0xff]);
    case 'image/png':
      return startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    case 'image/webp':
      return startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8);
    case 'image/heic':
      return startsWith(head, ascii('ftyp'), 4) && HEIF_BRANDS.some((brand) => startsWith(head, ascii(brand), 8));
    case 'application/pdf':
      return startsWith(head, ascii('%PDF-'));
  }
}

export type AttachmentStatus = 'pending' | 'verified' | 'rejected' | 'sent';

/** An upload a room member asked for, and what became of it. */
export interface Attachment {
  id: string;
  roomId: string;
  uploaderId: string;
  /** The safe name (safeFileName): what it is shown and downloaded as. */
  name: string;
  type: AttachmentType;
  /** Bytes, as declared when asked for: the upload's policy admits exactly this many. */
  size: number;
  status: AttachmentStatus;
  /** Why a file was refused (rejected only), in words for its sender. */
  reason: string | null;
  createdAt: string;
  /** The message it was sent in. */
  messageId: string | null;
  sentAt: string | null;
}

/** What a message carries of each file it sends. */
export interface AttachmentRef {
  id: string;
  name: string;
  type: AttachmentType;
  size: number;
}

export const refOf = ({ id, name, type, size }: Attachment): AttachmentRef => ({ id, name, type, size });

/** Files one message may carry. */
export const MAX_ATTACHMENTS_PER_MESSAGE = 5;
/** How long a verified upload may wait to be sent (the bucket deletes unsent uploads a day after they land). */
export const SENDABLE_SECONDS = 12 * 3600;
/** How long an upload's presigned POST is good for. */
export const UPLOAD_SECONDS = 300;
/** How long a download link is good for: opened at once by the app, never stored. */
export const DOWNLOAD_SECONDS = 300;

const MAX_NAME_LENGTH = 120;

/**
 * A file name safe to show and to put in Content-Disposition: the last path segment only, no
 * control or bidi characters, none of `"\/:*?<>|;`, no leading dots, every inner extension
 * neutralized (`invoice.pdf.exe` → `invoice_pdf_exe.pdf`), and the extension of the type the
 * file is declared (and verified) as.
 */
export function safeFileName(name: string, type: AttachmentType): string {
  const lastSegment = name.split(/[/\\]/).pop() ?? '';
  const cleaned = lastSegment
    .normalize('NFC')
    // Control characters, bidi overrides and isolates, zero-width characters.
    .replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, '')
    .replace(/["*:<>?|;%]/g, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+/, '');
  const stem =
    cleaned
      .replace(/\.[^.]*$/, '')
      .replace(/\./g, '_')
      .trim() || 'file';
  const extension = EXTENSIONS[type];
  return `${[...stem].slice(0, MAX_NAME_LENGTH - extension.length - 1).join('')}.${extension}`;
}

/**
 * Content-Disposition for a download: `inline` for an image the browser shows, `attachment` for
 * the rest; an ASCII fallback name and the UTF-8 one (RFC 6266, RFC 8187).
 */
export function contentDisposition(name: string, type: AttachmentType): string {
  const fallback = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${isInlineImage(type) ? 'inline' : 'attachment'}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** Where each state of a file lives in the bucket: unsent uploads expire there a day after they land. */
export const uploadKey = (roomId: string, id: string) => `uploads/${roomId}/${id}`;
export const fileKey = (roomId: string, id: string) => `files/${roomId}/${id}`;
export const UPLOADS_PREFIX = 'uploads/';
export const FILES_PREFIX = 'files/';

/** The room and attachment an upload's key names, if it is one. */
export function parseUploadKey(key: string): { roomId: string; id: string } | undefined {
  const match = /^uploads\/([0-9A-HJKMNP-TV-Z]{26})\/([0-9A-HJKMNP-TV-Z]{26})$/.exec(key);
  return match ? { roomId: match[1]!, id: match[2]! } : undefined;
}
