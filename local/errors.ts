/**
 * Start-up failures a person can act on: `npm start` prints their message as one line, without a
 * stack. Anything else is a bug and prints as such.
 */
export class StartupError extends Error {
  override name = 'StartupError';
}
