import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { LabError } from '../errors.ts';
import type { ApiContext } from './api-context.ts';
import { clientErrorHandler } from './client-error-handler.ts';
import { errorBody, toApiError } from './error-response.ts';
import { healthRoutes } from './routes/health.ts';
import { jobRoutes } from './routes/jobs.ts';
import { pageRoutes } from './routes/page.ts';
import { scenarioRoutes } from './routes/scenarios.ts';
import { statusRoutes } from './routes/status.ts';
import { strategyRoutes } from './routes/strategies.ts';

/** No route takes a large body; anything larger than this is refused with 413. */
const BODY_LIMIT_BYTES = 64 * 1024;
/**
 * A client must send its headers within HEADERS_TIMEOUT_MS and its whole request within
 * REQUEST_TIMEOUT_MS (the answer may take as long as the job), or its connection is closed:
 * a client that never finishes its body must not hold a connection for minutes (Node's
 * defaults: 60 s and 300 s, checked every 30 s).
 */
const HEADERS_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 10_000;
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;
/**
 * An idle keep-alive connection is closed after this long (advertised as `Keep-Alive: timeout=95`)
 * plus Node's keepAliveTimeoutBuffer. HTTP/1.1 has a race here: a client may send its next
 * request on a connection in the instant the server closes it for idleness, and that request
 * gets no answer (EOF or a reset; a POST is not retried). Clients that read the Keep-Alive hint
 * (undici, Node's agent) close first; Go's net/http ignores it (DefaultTransport keeps an idle
 * connection 90 s, vegeta's transport forever), so the server must be the side that waits
 * longer. 5 s here lost 0.01–0.2 % of vegeta's requests in soak runs; fastify's default is
 * 72 s; this is above Go's 90 s. Idle connections cost only an fd each, and LAB_MAX_CONNECTIONS
 * still bounds them; a client that starts a request and never finishes it is still cut by the
 * header and request timeouts above.
 */
const KEEP_ALIVE_TIMEOUT_MS = 95_000;
/** Node's default, set here so the socket's real idle timeout (timeout + buffer) is read in one place. */
const KEEP_ALIVE_TIMEOUT_BUFFER_MS = 1_000;

function sendError(error: unknown, reply: FastifyReply): void {
  const apiError = toApiError(error);
  if (apiError.code === 'LAB_ERR_QUEUE_FULL' || apiError.code === 'LAB_ERR_SHUTTING_DOWN') reply.header('retry-after', '1');
  reply.code(apiError.statusCode).send(errorBody(apiError));
}

export type RouteRegistrar = (app: FastifyInstance, context: ApiContext) => void;

/** The daemon's one HTTP server: API, health and (registered by telemetry) /metrics. */
export function createApiServer(context: ApiContext, extraRoutes: readonly RouteRegistrar[] = []): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    requestTimeout: REQUEST_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    http: { headersTimeout: HEADERS_TIMEOUT_MS, connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS, keepAliveTimeoutBuffer: KEEP_ALIVE_TIMEOUT_BUFFER_MS },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    clientErrorHandler,
    // Errors fastify raises before routing (a URL that does not decode, a path parameter past
    // maxParamLength) go through the same error handler, so they get our body too.
    frameworkErrors: (error, _request, reply) => sendError(error, reply),
  });

  // Accept any content type (and ignore the body), so odd clients get the route's answer
  // instead of 415; the body limit still applies.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error, _request, reply) => sendError(error, reply));
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(errorBody(new LabError('LAB_ERR_ROUTE_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)));
  });

  // Connections past the limit are closed as they arrive.
  app.server.maxConnections = context.config.maxConnections;

  for (const register of [healthRoutes, statusRoutes, scenarioRoutes, strategyRoutes, jobRoutes, pageRoutes, ...extraRoutes]) register(app, context);
  return app;
}
