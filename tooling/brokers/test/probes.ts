import net from 'node:net';

/**
 * Connects to 127.0.0.1:`port`, writes `send` (if any) and resolves with what came back once
 * it matches `until`; rejects after `timeoutMs` or when the connection fails.
 */
export function exchange(
  port: number,
  send: string,
  until: RegExp,
  timeoutMs = 5000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(
          `no answer matching ${until} from port ${port} within ${timeoutMs} ms: ${JSON.stringify(received)}`,
        ),
      );
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      if (send) socket.write(send);
    });
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (until.test(received)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(received);
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Whether a TCP connection to 127.0.0.1:`port` is refused (nothing listens). */
export function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/** Whether a process with this PID exists (our launchers reap what they started). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
