/** Form pieces every page uses: a labelled field with its hint and errors, and a form's own error. */
import { useState } from 'preact/hooks';
import { describeError, fieldErrors } from './format.ts';

/**
 * What a form's action is doing: busy while it runs, and what the server refused, shown until the
 * next try.
 */
export function useAction() {
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const attempt = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return { error, setError, busy, attempt };
}

/** The pool's password policy (lambdas/identity.ts), said before it fails. */
export const PASSWORD_RULES = '8 or more characters with upper and lower case, a digit and a symbol.';

/** A refusal that no field explains (field errors show beside their fields). */
export function FormError({ error }: { error: unknown }) {
  if (!error || Object.keys(fieldErrors(error)).length > 0) return null;
  return (
    <p class="error" role="alert">
      {describeError(error)}
    </p>
  );
}

/** A labelled input with its hint and error tied to it for screen readers. */
export function Field(props: {
  name: string;
  /** The input's id when two forms on a page have a field of the same name (default `field-<name>`). */
  id?: string;
  label: string;
  type?: string;
  autoComplete?: string;
  /** What the server said is wrong with it: each on its own line. */
  error?: string[] | undefined;
  hint?: string | undefined;
  multiline?: boolean;
  min?: number;
  defaultValue?: string;
  /** The keyboard a phone shows, e.g. `numeric` for a code. */
  inputMode?: 'numeric' | 'email' | 'text';
}) {
  const id = props.id ?? `field-${props.name}`;
  const describedBy = [props.hint ? `${id}-hint` : '', props.error?.length ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  const common = {
    id,
    name: props.name,
    'aria-invalid': props.error?.length ? true : undefined,
    'aria-describedby': describedBy || undefined,
  };
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.multiline ? (
        <textarea {...common} rows={3} />
      ) : (
        <input
          {...common}
          type={props.type ?? 'text'}
          autoComplete={props.autoComplete}
          min={props.min}
          inputMode={props.inputMode}
          defaultValue={props.defaultValue}
          required
        />
      )}
      {props.hint ? (
        <small id={`${id}-hint`} class="hint">
          {props.hint}
        </small>
      ) : null}
      {props.error?.length === 1 ? (
        <small id={`${id}-error`} class="error">
          {props.error[0]}
        </small>
      ) : props.error?.length ? (
        <ul id={`${id}-error`} class="error">
          {props.error.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** A sentence saying what went wrong, read out when it appears (nothing when there is none). */
export function Problem({ text }: { text: string | undefined }) {
  return text ? (
    <p class="error" role="alert">
      {text}
    </p>
  ) : null;
}
