/**
 * Files in the chat: choosing them (a button, or dropped on the composer), each one's upload with
 * its progress and preview, a retry for one that failed; and the files of a message: photos as
 * thumbnails the browser scales, documents as downloads. Links are asked for when shown (each is
 * good for 5 minutes) and never kept past that.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  ATTACHMENT_TYPES,
  AttachmentRefused,
  type Attachment,
  type AttachmentType,
  type ChatMessage,
  type OrderChatApi,
} from '../../client/src/index.ts';
import { describeError } from './format.ts';

/** The API's own ceiling (a stage may set a lower one: the server then says so). */
const MAX_BYTES = 10 * 1024 * 1024;
const ACCEPT = ATTACHMENT_TYPES.join(',');
const SHOWN_INLINE = new Set<string>(['image/jpeg', 'image/png', 'image/webp']);

export const fileSize = (bytes: number) =>
  bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** A file chosen for the next message, and where its upload stands. */
export interface Upload {
  key: number;
  file: File;
  /** A blob: URL of the file itself, for a photo's preview before it is sent. */
  preview: string | undefined;
  state: 'uploading' | 'checking' | 'ready' | 'failed';
  /** Bytes sent, of all. */
  progress: number;
  error: string | undefined;
  attachment: Attachment | undefined;
  controller: AbortController;
}

/** What is wrong with a file before anything is sent, in words; undefined when it may go. */
function refusalOf(file: File): string | undefined {
  if (!ATTACHMENT_TYPES.includes(file.type as AttachmentType))
    return `${file.name}: only photos (JPEG, PNG, WebP, HEIC) and PDF documents can be sent.`;
  if (file.size > MAX_BYTES) return `${file.name} is ${fileSize(file.size)}: a file may be at most 10 MB.`;
  if (file.size === 0) return `${file.name} is empty.`;
  return undefined;
}

/** The files of the next message: add, retry, remove; `ready` are the verified ones to send. */
export function useUploads(api: OrderChatApi, roomId: string) {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [refusal, setRefusal] = useState<string | undefined>(undefined);
  const nextKey = useRef(0);
  const change = (key: number, update: Partial<Upload>) =>
    setUploads((list) => list.map((upload) => (upload.key === key ? { ...upload, ...update } : upload)));

  const start = (upload: Upload) => {
    const started = { ...upload, state: 'uploading' as const, progress: 0, error: undefined };
    api
      .uploadAttachment(roomId, upload.file, {
        signal: upload.controller.signal,
        onProgress: (sent, total) =>
          change(upload.key, { progress: sent, state: sent >= total ? 'checking' : 'uploading' }),
      })
      .then(
        (attachment) => change(upload.key, { state: 'ready', attachment }),
        (error: unknown) => {
          if (upload.controller.signal.aborted) return;
          change(upload.key, {
            state: 'failed',
            error: error instanceof AttachmentRefused ? error.message : describeError(error),
          });
        },
      );
    return started;
  };

  const add = (files: Iterable<File>) => {
    const refusals: string[] = [];
    const added: Upload[] = [];
    for (const file of files) {
      const refused = refusalOf(file);
      if (refused) {
        refusals.push(refused);
        continue;
      }
      added.push(
        start({
          key: nextKey.current++,
          file,
          preview: SHOWN_INLINE.has(file.type) ? URL.createObjectURL(file) : undefined,
          state: 'uploading',
          progress: 0,
          error: undefined,
          attachment: undefined,
          controller: new AbortController(),
        }),
      );
    }
    setRefusal(refusals.length ? refusals.join(' ') : undefined);
    setUploads((list) => [...list, ...added]);
  };

  // What is chosen now, for letting go of it when the page goes.
  const current = useRef(uploads);
  current.current = uploads;
  const forget = (upload: Upload) => {
    upload.controller.abort();
    if (upload.preview) URL.revokeObjectURL(upload.preview);
  };
  const remove = (upload: Upload) => {
    forget(upload);
    setUploads((list) => list.filter((other) => other.key !== upload.key));
  };
  const retry = (upload: Upload) => {
    const again = start({ ...upload, controller: new AbortController() });
    setUploads((list) => list.map((other) => (other.key === upload.key ? again : other)));
  };
  /** After a send: the files went with it (their previews are let go). */
  const clear = () => {
    current.current.forEach(forget);
    setUploads([]);
  };
  // Leaving the page gives up what is still on its way.
  useEffect(() => () => current.current.forEach(forget), [roomId]);

  const ready = uploads.filter((upload) => upload.state === 'ready').map((upload) => upload.attachment!.id);
  const busy = uploads.some((upload) => upload.state === 'uploading' || upload.state === 'checking');
  return { uploads, refusal, add, remove, retry, clear, ready, busy };
}

/** The attach button: a file picker (several at once), beside Send. */
export function AttachButton(props: { uploads: ReturnType<typeof useUploads> }) {
  return (
    <label class="attach">
      <span class="attach-text">Attach file</span>
      {/* On a phone the button is its sign alone (beside Send); its name stays "Attach file". */}
      <span class="attach-sign" aria-hidden="true">
        +
      </span>
      <input
        type="file"
        accept={ACCEPT}
        multiple
        data-testid="attach"
        onChange={(event) => {
          const input = event.currentTarget;
          props.uploads.add([...(input.files ?? [])]);
          input.value = '';
        }}
      />
    </label>
  );
}

/** The files chosen so far, each with its progress or its error, and why any was refused outright. */
export function ChosenFiles(props: { uploads: ReturnType<typeof useUploads> }) {
  const { uploads, refusal, remove, retry } = props.uploads;
  if (!refusal && uploads.length === 0) return null;
  return (
    <div class="chosen-files">
      {refusal ? (
        <p class="error" role="alert" data-testid="attach-refused">
          {refusal}
        </p>
      ) : null}
      {uploads.length ? (
        <ul class="uploads" aria-label="Files to send">
          {uploads.map((upload) => (
            <li key={upload.key} class={`upload ${upload.state}`} data-testid="upload">
              {upload.preview ? (
                <img src={upload.preview} alt="" class="thumbnail" />
              ) : (
                <span class="file-icon" aria-hidden="true">
                  PDF
                </span>
              )}
              <span class="name">{upload.file.name}</span>
              <span class="meta">{fileSize(upload.file.size)}</span>
              {upload.state === 'uploading' ? (
                <progress max={upload.file.size} value={upload.progress} aria-label={`Uploading ${upload.file.name}`} />
              ) : null}
              <span class="meta" data-testid="upload-state">
                {upload.state === 'uploading'
                  ? 'uploading…'
                  : upload.state === 'checking'
                    ? 'checking…'
                    : upload.state === 'ready'
                      ? 'ready'
                      : ''}
              </span>
              {upload.error ? (
                <span class="error" role="alert" data-testid="upload-error">
                  {upload.error}
                </span>
              ) : null}
              {upload.state === 'failed' ? (
                <button type="button" class="secondary" onClick={() => retry(upload)}>
                  Retry
                </button>
              ) : null}
              <button
                type="button"
                class="secondary"
                onClick={() => remove(upload)}
                aria-label={`Remove ${upload.file.name}`}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** Files dropped anywhere on `element`'s form are chosen as if picked. */
export const dropTarget = (add: (files: Iterable<File>) => void) => ({
  onDragOver: (event: DragEvent) => {
    if (event.dataTransfer?.types.includes('Files')) event.preventDefault();
  },
  onDrop: (event: DragEvent) => {
    if (!event.dataTransfer?.files.length) return;
    event.preventDefault();
    add([...event.dataTransfer.files]);
  },
});

/** A message's files: photos as thumbnails (a click opens the full one), documents as downloads. */
export function MessageFiles(props: { api: OrderChatApi; message: ChatMessage }) {
  const { api, message } = props;
  return (
    <ul class="message-files">
      {(message.attachments ?? []).map((file) =>
        SHOWN_INLINE.has(file.type) ? (
          <li key={file.id}>
            <Photo api={api} roomId={message.roomId} file={file} />
          </li>
        ) : (
          <li key={file.id}>
            <Download api={api} roomId={message.roomId} file={file} />
          </li>
        ),
      )}
    </ul>
  );
}

type FileRef = NonNullable<ChatMessage['attachments']>[number];

function Photo(props: { api: OrderChatApi; roomId: string; file: FileRef }) {
  const { api, roomId, file } = props;
  const [url, setUrl] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    let live = true;
    api.openAttachment(roomId, file.id).then(
      (opened) => live && setUrl(opened.download?.url),
      (failure: unknown) => live && setError(describeError(failure)),
    );
    return () => {
      live = false;
    };
  }, [api, roomId, file.id]);
  if (error) return <span class="error">{`${file.name}: ${error}`}</span>;
  if (!url) return <span class="meta">{file.name}…</span>;
  return (
    <a href={url} target="_blank" rel="noopener noreferrer" title={`${file.name} (${fileSize(file.size)})`}>
      <img src={url} alt={file.name} class="photo" loading="lazy" data-testid="photo" />
    </a>
  );
}

/** A link is asked for when clicked (it lasts 5 minutes), and the browser downloads it there and then. */
function Download(props: { api: OrderChatApi; roomId: string; file: FileRef }) {
  const { api, roomId, file } = props;
  const [error, setError] = useState<string | undefined>(undefined);
  const download = async () => {
    setError(undefined);
    try {
      const opened = await api.openAttachment(roomId, file.id);
      if (opened.download) location.assign(opened.download.url);
    } catch (failure) {
      setError(describeError(failure));
    }
  };
  return (
    <>
      <button type="button" class="secondary download" onClick={download} data-testid="download">
        {`${file.name} (${fileSize(file.size)})`}
      </button>
      {error ? <span class="error">{error}</span> : null}
    </>
  );
}
