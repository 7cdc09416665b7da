// Primary adapter: frames whose action matches no route.
import { WS_ACTIONS, ws_default } from '../../generated/routes.ts';
import { ValidationError } from '../../shared/errors.ts';
import { wsHandler } from '../../shared/ws.ts';

export const handler = wsHandler(ws_default, async ({ frame }) => {
  const what = frame === undefined ? 'Frames must be JSON objects' : `Unknown action "${String(frame.action ?? '')}"`;
  throw new ValidationError(`${what}. Supported actions: ${WS_ACTIONS.join(', ')}.`);
});
