// A flooding client in its own process, as an attacker would be: opens a socket with a ticket,
// joins a room, sends N sendMessage frames at once, and prints every frame it got back once the
// socket has been quiet for a second. Used by test/e2e/abuse.test.ts.
import WebSocket from 'ws';

const [url, roomId, count] = [process.env.FLOOD_URL!, process.env.FLOOD_ROOM!, Number(process.env.FLOOD_COUNT)];
const socket = new WebSocket(url);
const frames: unknown[] = [];
let quietTimer: NodeJS.Timeout | undefined;
const finish = () => {
  process.stdout.write(JSON.stringify(frames));
  socket.close();
};
socket.on('open', () => socket.send(JSON.stringify({ action: 'joinRoom', roomId })));
socket.on('message', (data) => {
  const frame = JSON.parse(data.toString());
  if (frame.type === 'chatHistory') {
    process.stderr.write('flooding\n');
    for (let i = 0; i < count; i++) {
      socket.send(JSON.stringify({ action: 'sendMessage', roomId, content: `flood ${i}`, clientMessageId: `f${i}` }));
    }
  } else frames.push(frame);
  clearTimeout(quietTimer);
  quietTimer = setTimeout(finish, 1500);
});
socket.on('error', (error) => {
  process.stderr.write(`flood client: ${error.message}\n`);
  process.exit(1);
});
