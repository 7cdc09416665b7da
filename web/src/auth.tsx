/**
 * Signing in and everything before it: creating an account and confirming its address with the
 * e-mailed code, the authenticator app's code when two-factor sign-in is on, and setting a new
 * password with an e-mailed code when it is forgotten.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  ApiError,
  EmailNotConfirmedError,
  TwoFactorRequired,
  type OrderChatApi,
  type User,
} from '../../client/src/index.ts';
import { Field, FormError, PASSWORD_RULES, useAction } from './fields.tsx';
import { fieldErrors } from './format.ts';

type Step =
  | { name: 'signIn'; notice?: string }
  | { name: 'signUp' }
  /** The address awaits its code: the password typed a moment ago goes with it (never stored). */
  | { name: 'confirm'; email: string; password: string; notice: string }
  | { name: 'forgot' }
  | { name: 'reset'; email: string }
  /** The password was right; now the authenticator app's code. The password stays at hand for a new challenge. */
  | { name: 'totp'; challenge: TwoFactorRequired; password: string };

const HEADINGS: Record<Step['name'], string> = {
  signIn: 'Sign in to Order Chat',
  signUp: 'Create your account',
  confirm: 'Check your e-mail',
  forgot: 'Reset your password',
  reset: 'Set a new password',
  totp: 'Enter your two-factor code',
};

export function AuthPage({ api, onSignedIn }: { api: OrderChatApi; onSignedIn: (user: User) => void }) {
  const [step, setStep] = useState<Step>({ name: 'signIn' });
  const { error, setError, busy, attempt } = useAction();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [step.name]);
  const fields = fieldErrors(error);

  const goTo = (next: Step) => {
    setError(undefined);
    setStep(next);
  };

  /** Runs what a form does with its values, showing what the server refused. */
  const handle = (action: (form: FormData) => Promise<void>) => async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    await attempt(() => action(form));
  };
  const text = (form: FormData, name: string) => String(form.get(name) ?? '').trim();

  /** Signs in, or goes on to the step the account needs first: its address's code, or its app's. */
  const signInWith = async (email: string, password: string) => {
    try {
      onSignedIn(await api.signIn({ email, password }));
    } catch (caught) {
      if (caught instanceof TwoFactorRequired) return goTo({ name: 'totp', challenge: caught, password });
      if (!(caught instanceof EmailNotConfirmedError)) throw caught;
      goTo({
        name: 'confirm',
        email,
        password,
        notice: `Your address isn't confirmed yet: enter the code we e-mailed to ${email}, or ask for a new one.`,
      });
    }
  };

  const signIn = handle((form) => signInWith(text(form, 'email'), String(form.get('password'))));

  const answerTotp = (current: Extract<Step, { name: 'totp' }>) =>
    handle(async (form) => {
      try {
        onSignedIn(await api.completeSignIn(current.challenge, text(form, 'code')));
      } catch (caught) {
        if (!(caught instanceof ApiError) || caught.status !== 400) throw caught;
        // A refused answer spends the challenge: a new one, with the password typed a moment ago.
        try {
          await api.signIn({ email: current.challenge.email, password: current.password });
        } catch (again) {
          if (!(again instanceof TwoFactorRequired)) throw again;
          setStep({ ...current, challenge: again });
        }
        if (caught.codeRefusal) throw caught;
        throw new Error('That took too long: enter the code your app shows now.');
      }
    });

  const signUp = handle(async (form) => {
    const email = text(form, 'email');
    const password = String(form.get('password'));
    await api.signUp({ email, password, name: text(form, 'name') });
    goTo({
      name: 'confirm',
      email,
      password,
      notice: `We e-mailed a 6-digit code to ${email}. Enter it to confirm the address and sign in.`,
    });
  });

  const confirm = (current: Extract<Step, { name: 'confirm' }>) =>
    handle(async (form) => {
      onSignedIn(
        await api.confirmEmail({ email: current.email, password: current.password, code: text(form, 'code') }),
      );
    });

  const resend = (current: Extract<Step, { name: 'confirm' }>) => () =>
    attempt(async () => {
      await api.resendEmailCode({ email: current.email, password: current.password });
      setStep({ ...current, notice: `A new code is on its way to ${current.email}. The one before no longer works.` });
    });

  const forgot = handle(async (form) => {
    const email = text(form, 'email');
    await api.forgotPassword({ email });
    goTo({ name: 'reset', email });
  });

  const reset = (current: Extract<Step, { name: 'reset' }>) =>
    handle(async (form) => {
      const password = String(form.get('password'));
      await api.resetPassword({ email: current.email, code: text(form, 'code'), password });
      await signInWith(current.email, password);
    });

  const codeField = (
    <Field
      name="code"
      label="Code"
      autoComplete="one-time-code"
      inputMode="numeric"
      hint="The 6 digits in the e-mail."
      error={fields.code}
    />
  );

  return (
    <main class="auth">
      <h1 tabIndex={-1} ref={heading}>
        {HEADINGS[step.name]}
      </h1>
      {step.name === 'signIn' || step.name === 'signUp' ? (
        <>
          {step.name === 'signIn' && step.notice ? (
            <p class="notice" role="status">
              {step.notice}
            </p>
          ) : null}
          <form onSubmit={step.name === 'signIn' ? signIn : signUp} noValidate>
            {step.name === 'signUp' ? <Field name="name" label="Name" autoComplete="name" error={fields.name} /> : null}
            <Field name="email" label="Email" type="email" autoComplete="email" error={fields.email} />
            <Field
              name="password"
              label="Password"
              type="password"
              autoComplete={step.name === 'signIn' ? 'current-password' : 'new-password'}
              error={fields.password}
              hint={step.name === 'signUp' ? PASSWORD_RULES : undefined}
            />
            <FormError error={error} />
            <button type="submit" disabled={busy}>
              {step.name === 'signIn' ? 'Sign in' : 'Create account'}
            </button>
          </form>
          {step.name === 'signIn' ? (
            <p>
              <button type="button" class="link" onClick={() => goTo({ name: 'forgot' })}>
                Forgot password?
              </button>
            </p>
          ) : null}
          <p>
            {step.name === 'signIn' ? 'New here? ' : 'Have an account? '}
            <button
              type="button"
              class="link"
              onClick={() => goTo(step.name === 'signIn' ? { name: 'signUp' } : { name: 'signIn' })}
            >
              {step.name === 'signIn' ? 'Create an account' : 'Sign in'}
            </button>
          </p>
        </>
      ) : null}
      {step.name === 'confirm' ? (
        <>
          <p class="notice" role="status">
            {step.notice}
          </p>
          <form onSubmit={confirm(step)} noValidate>
            {codeField}
            <FormError error={error} />
            <button type="submit" disabled={busy}>
              Confirm and sign in
            </button>
          </form>
          <OtherWays newCode={resend(step)} busy={busy} backToSignIn={() => goTo({ name: 'signIn' })} />
        </>
      ) : null}
      {step.name === 'totp' ? (
        <>
          <p>Two-factor sign-in is on for {step.challenge.email}: open your authenticator app and enter its code.</p>
          <form onSubmit={answerTotp(step)} noValidate>
            <Field
              name="code"
              label="Code"
              autoComplete="one-time-code"
              inputMode="numeric"
              hint="The 6 digits your authenticator app shows for Order Chat."
              error={fields.code}
            />
            <FormError error={error} />
            <button type="submit" disabled={busy}>
              Sign in
            </button>
          </form>
          <BackToSignIn onClick={() => goTo({ name: 'signIn' })} />
        </>
      ) : null}
      {step.name === 'forgot' ? (
        <>
          <p>Enter your account's e-mail address: we'll send it a code to set a new password with.</p>
          <form onSubmit={forgot} noValidate>
            <Field name="email" label="Email" type="email" autoComplete="email" error={fields.email} />
            <FormError error={error} />
            <button type="submit" disabled={busy}>
              Send me a code
            </button>
          </form>
          <BackToSignIn onClick={() => goTo({ name: 'signIn' })} />
        </>
      ) : null}
      {step.name === 'reset' ? (
        <>
          <p class="notice" role="status">
            If {step.email} has an account, a code is on its way to it. Setting a new password signs you out everywhere
            else.
          </p>
          <form onSubmit={reset(step)} noValidate>
            {codeField}
            <Field
              name="password"
              label="New password"
              type="password"
              autoComplete="new-password"
              error={fields.password}
              hint={PASSWORD_RULES}
            />
            <FormError error={error} />
            <button type="submit" disabled={busy}>
              Set password and sign in
            </button>
          </form>
          <OtherWays
            newCode={() => goTo({ name: 'forgot' })}
            busy={busy}
            backToSignIn={() => goTo({ name: 'signIn' })}
          />
        </>
      ) : null}
    </main>
  );
}

function BackToSignIn({ onClick }: { onClick: () => void }) {
  return (
    <p>
      <button type="button" class="link" onClick={onClick}>
        Back to sign in
      </button>
    </p>
  );
}

/** Under a code step: a new code, or back to signing in. */
function OtherWays(props: { newCode: () => void; busy: boolean; backToSignIn: () => void }) {
  return (
    <p class="actions">
      <button type="button" class="link" disabled={props.busy} onClick={props.newCode}>
        Send a new code
      </button>
      <button type="button" class="link" onClick={props.backToSignIn}>
        Back to sign in
      </button>
    </p>
  );
}
