import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * An AWS API of the embedded runtime on 127.0.0.1:`port` (0: any free port): each request's body is
 * read whole, up to `maxBytes` (`body` is undefined past that), before `serve` answers it.
 */
export async function startLocalApi(
  port: number,
  maxBytes: number,
  serve: (request: IncomingMessage, response: ServerResponse, body: Buffer | undefined) => void,
): Promise<{ server: Server; endpoint: string }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    request.on('end', () => serve(request, response, size > maxBytes ? undefined : Buffer.concat(chunks)));
  });
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(port, '127.0.0.1', () => resolveListen());
  });
  const address = server.address();
  return { server, endpoint: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}` };
}
