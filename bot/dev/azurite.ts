import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

/** Azurite's Table service as a child process (devDependency; production uses Azure Tables). */
export interface RunningAzurite {
  url: string;
  port: number;
  /** The child's process id (benchmarks read its CPU time). */
  pid?: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startAzurite(options: {
  location: string;
  port?: number;
}): Promise<RunningAzurite> {
  const port = options.port ?? (await freePort());
  if (await canConnect(port))
    throw new Error(`port ${port} is already in use; is another Azurite running?`);
  const main = path.join(
    path.dirname(require.resolve('azurite/package.json')),
    'dist/src/table/main.js',
  );
  const child: ChildProcess = spawn(
    process.execPath,
    [
      main,
      '--tableHost',
      '127.0.0.1',
      '--tablePort',
      String(port),
      '--location',
      options.location,
      '--skipApiVersionCheck',
      // With telemetry on, SIGINT left Azurite alive for over 35 s (stack-notes).
      '--disableTelemetry',
      '--silent',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const deadline = Date.now() + 20000;
  while (!(await canConnect(port))) {
    if (child.exitCode !== null)
      throw new Error(`Azurite exited (${child.exitCode}): ${stderr.slice(0, 500)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('Azurite did not start within 20 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `http://127.0.0.1:${port}/${'devstoreaccount1'}`,
    port,
    pid: child.pid,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
