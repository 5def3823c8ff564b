import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { HttpProblem, problemOf, problemResponse } from '../functions/http/problem.ts';
import { CallerClaims } from '../functions/schemas/claims.ts';
import { type RouteDefinition, routes } from '../functions/schemas/routes.ts';
import { signDevToken, verifyBearer } from './dev-jwt.ts';
import type { LocalHandler } from './handlers.ts';

/** The local server reads at most this much of a body; the handlers answer 413 past 256 KB. */
const MAX_READ_BYTES = 1024 * 1024;

interface CompiledRoute {
  route: RouteDefinition;
  pattern: RegExp;
  params: string[];
}

function compile(route: RouteDefinition): CompiledRoute {
  const params: string[] = [];
  const source = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    params.push(name);
    return '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${source}$`), params };
}

/** Literal paths win over templated ones (`/banks/performance` before `/banks/{bankId}`), as in API Gateway. */
const compiled = routes.map(compile).sort((a, b) => a.params.length - b.params.length);

function send(res: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
  res.writeHead(result.statusCode ?? 200, headers);
  res.end(result.body ?? '');
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function bodyFields(body: Buffer): { body?: string; isBase64Encoded: boolean } {
  if (body.length === 0) return { isBase64Encoded: false };
  try {
    return { body: strictUtf8.decode(body), isBase64Encoded: false };
  } catch {
    return { body: body.toString('base64'), isBase64Encoded: true };
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_READ_BYTES) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export interface LocalHttpServer {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/**
 * The local HTTP API: routes of functions/schemas/routes.ts, each request turned into the API
 * Gateway v2 event its Lambda would get, with the HS256 dev token verified here and its claims put
 * where the AWS JWT authorizer puts them (requestContext.authorizer.jwt.claims).
 */
export async function startHttpServer(options: {
  handlers: ReadonlyMap<string, LocalHandler>;
  port?: number;
  host?: string;
  jwtSecret: string;
}): Promise<LocalHttpServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A handler's own errors are mapped by its middy wrapper; this catches what escapes it (a
      // database that does not answer is still 503 here, never 500).
      send(
        res,
        problemResponse(
          problemOf(error) ?? new HttpProblem(500, 'Internal Server Error', String((error as Error).message)),
        ),
      );
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${host}`);
    const method = (req.method ?? 'GET').toUpperCase();
    if (url.pathname === '/console' || url.pathname.startsWith('/console/')) {
      await serveConsole(req, res, url.pathname, method, options.jwtSecret);
      return;
    }
    const match = compiled
      .map((c) => ({ c, m: c.pattern.exec(url.pathname) }))
      .find(({ c, m }) => m && c.route.method === method);
    if (!match?.m) {
      req.resume();
      send(res, problemResponse(new HttpProblem(404, 'Not Found', `no route ${method} ${url.pathname}`)));
      return;
    }
    const { route } = match.c;
    let claims: Record<string, string> | undefined;
    if (route.roles.length > 0) {
      const check = await verifyBearer(req.headers.authorization, options.jwtSecret);
      if (!check.ok) {
        req.resume();
        send(
          res,
          problemResponse(
            new HttpProblem(401, 'Unauthorized', check.reason, undefined, { 'www-authenticate': 'Bearer' }),
          ),
        );
        return;
      }
      claims = check.claims;
    }
    const body = await readBody(req);
    if (body === 'too-large') {
      send(res, problemResponse(new HttpProblem(413, 'Content Too Large', 'the body is over 256 KB')));
      return;
    }
    const pathParameters: Record<string, string> = {};
    match.c.params.forEach((name, i) => {
      pathParameters[name] = match.m![i + 1]!;
    });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
    // Own keys only (`?__proto__=x` must stay a parameter), repeated ones joined as API Gateway does.
    const query: Record<string, string> = Object.create(null);
    for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
    const now = Date.now();
    const event: APIGatewayProxyEventV2WithJWTAuthorizer = {
      version: '2.0',
      routeKey: `${route.method} ${route.path}`,
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers,
      queryStringParameters: Object.keys(query).length ? query : undefined,
      pathParameters: Object.keys(pathParameters).length ? pathParameters : undefined,
      // Like API Gateway: text bodies as they are, anything that is not UTF-8 base64-encoded
      // (the handler then answers 400 in its place in the check order).
      ...bodyFields(body),
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: host,
        domainPrefix: 'local',
        http: {
          method,
          path: url.pathname,
          protocol: 'HTTP/1.1',
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
          userAgent: headers['user-agent'] ?? '',
        },
        requestId: randomUUID(),
        routeKey: `${route.method} ${route.path}`,
        stage: '$default',
        time: new Date(now).toISOString(),
        timeEpoch: now,
        authorizer: {
          principalId: claims?.sub ?? '',
          integrationLatency: 0,
          jwt: { claims: claims ?? {}, scopes: [] },
        },
      },
    };
    if (!claims) delete (event.requestContext as { authorizer?: unknown }).authorizer;
    const handler = options.handlers.get(route.id);
    if (!handler) throw new Error(`no local handler for route ${route.id}`);
    send(res, (await handler(event)) as APIGatewayProxyStructuredResultV2);
  }

  // Requests Node's parser refuses (e.g. a 32 KB header) still get a problem+json answer.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return;
    const overflow = error.code === 'HPE_HEADER_OVERFLOW';
    const problem = problemResponse(
      overflow
        ? new HttpProblem(431, 'Request Header Fields Too Large', 'the request headers are too large')
        : new HttpProblem(400, 'Bad Request', 'the request could not be parsed'),
    );
    const body = problem.body ?? '';
    socket.end(
      `HTTP/1.1 ${problem.statusCode} ${overflow ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
        `content-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// ---- The web console (console/): its built files at /console/, its runtime config and the
// local-only dev sign-in. Nothing here exists in AWS (CloudFront serves the files there, see
// infra/constructs/console.ts, and the identity provider signs people in).

const CONSOLE_DIST = fileURLToPath(new URL('../console/dist/', import.meta.url));
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};
/** The same policy the CloudFront response headers policy sets (infra/constructs/console.ts). */
const CONSOLE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

function sendConsole(
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  cache = 'no-cache',
) {
  res.writeHead(status, { ...CONSOLE_HEADERS, 'content-type': type, 'cache-control': cache });
  res.end(body);
}

async function serveConsole(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  method: string,
  jwtSecret: string,
): Promise<void> {
  if (pathname === '/console/dev-token' && method === 'POST') {
    // Dev sign-in: a token for the chosen role and scope, signed with the local secret.
    const raw = await readBody(req);
    let request: unknown;
    try {
      request = raw === 'too-large' ? undefined : JSON.parse(raw.toString('utf8'));
    } catch {
      request = undefined;
    }
    const claims = CallerClaims.safeParse({ sub: 'console-user', ...(request as object) });
    if (!claims.success || claims.data.role === 'admin') {
      send(
        res,
        problemResponse(
          new HttpProblem(
            422,
            'Unprocessable Content',
            'a role (police with agencyId, bank with bankId, regulator) is required',
          ),
        ),
      );
      return;
    }
    const { role } = claims.data;
    const scope = claims.data as { agencyId?: string; bankId?: string };
    const token = await signDevToken(
      {
        role,
        agencyId: scope.agencyId,
        bankId: scope.bankId,
        sub: `console-${role}-${scope.agencyId ?? scope.bankId ?? 'user'}`,
      },
      jwtSecret,
    );
    sendConsole(res, 200, 'application/json', JSON.stringify({ token }), 'no-store');
    return;
  }
  req.resume();
  if (method !== 'GET' && method !== 'HEAD') {
    send(res, problemResponse(new HttpProblem(405, 'Method Not Allowed', `${method} ${pathname}`)));
    return;
  }
  if (pathname === '/console') {
    res.writeHead(308, { location: '/console/' });
    res.end();
    return;
  }
  if (pathname === '/console/config.json') {
    const config = {
      apiUrl: '',
      auth: { mode: 'dev', tokenUrl: '/console/dev-token' },
      environment: 'local',
    };
    sendConsole(res, 200, 'application/json', JSON.stringify(config));
    return;
  }
  const relative = decodeURIComponent(pathname.slice('/console/'.length));
  const file = normalize(join(CONSOLE_DIST, relative));
  const inside = file.startsWith(CONSOLE_DIST) && !relative.split(/[\\/]/).includes('..');
  const ext = extname(file);
  if (inside && ext && relative !== '') {
    try {
      const body = await readFile(file);
      // Hashed asset names never change content: cache them for a year.
      const cache =
        relative.startsWith(`assets${sep}`) || relative.startsWith('assets/')
          ? 'public, max-age=31536000, immutable'
          : 'no-cache';
      sendConsole(res, 200, CONTENT_TYPES[ext] ?? 'application/octet-stream', body, cache);
    } catch {
      sendConsole(res, 404, 'text/plain; charset=utf-8', 'not found');
    }
    return;
  }
  // Every other path is a route of the single-page app: its index.html.
  try {
    sendConsole(res, 200, CONTENT_TYPES['.html']!, await readFile(join(CONSOLE_DIST, 'index.html')));
  } catch {
    sendConsole(
      res,
      503,
      'text/plain; charset=utf-8',
      'the console is not built: run npm run build:console (npm start and npm run serve build it first)',
    );
  }
}
