// Primary adapter: frames whose action matches no route.
import { wsRoutes } from '../../routes.ts';
import { ValidationError } from '../../shared/errors.ts';
import { wsHandler } from '../../shared/ws.ts';

const SUPPORTED_ACTIONS = Object.keys(wsRoutes).filter((key) => !key.startsWith('$'));

export const handler = wsHandler('$default', async ({ frame }) => {
  const what = frame === undefined ? 'Frames must be JSON objects' : `Unknown action "${String(frame.action ?? '')}"`;
  throw new ValidationError(`${what}. Supported actions: ${SUPPORTED_ACTIONS.join(', ')}.`);
});
