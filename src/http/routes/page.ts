import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context.ts';
import { resource } from '../resource.ts';

const STATIC_DIR = fileURLToPath(new URL('../static/', import.meta.url));
const UPLOT_DIST = dirname(fileURLToPath(import.meta.resolve('uplot/dist/uPlot.esm.js')));
/** The uid of the compose bundle's home dashboard (grafana/src/strategy-comparison.ts; a test keeps the two equal). */
export const GRAFANA_HOME_DASHBOARD_UID = 'lab-strategy-comparison';

interface Asset {
  readonly path: string;
  readonly contentType: string;
  readonly body: Buffer;
}

const escapeAttribute = (value: string): string => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * GET / (the live scoreboard page) and its assets under /static/: static HTML, CSS and one
 * ES module from src/http/static/, and uPlot from node_modules. Everything is read once at
 * startup and served from memory; the page loads nothing from anywhere else.
 */
export function pageRoutes(app: FastifyInstance, context: ApiContext): void {
  const grafana = context.config.grafanaUrl === undefined ? '' : `${context.config.grafanaUrl.replace(/\/+$/, '')}/d/${GRAFANA_HOME_DASHBOARD_UID}`;
  const html = readFileSync(join(STATIC_DIR, 'index.html'), 'utf8').replace('data-grafana-url=""', `data-grafana-url="${escapeAttribute(grafana)}"`);
  // Whether the faults API exists is known once every route is registered: decided at the first request.
  let page: string | undefined;
  resource(app, '/', {
    GET: {
      handler: async (_request, reply) => {
        page ??= html.replace('data-faults=""', `data-faults="${app.hasRoute({ method: 'GET', url: '/api/v1/faults' }) ? '1' : ''}"`);
        return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page);
      },
    },
  });

  const assets: readonly Asset[] = [
    { path: '/static/live-page.js', contentType: 'text/javascript; charset=utf-8', body: readFileSync(join(STATIC_DIR, 'live-page.js')) },
    { path: '/static/live-page.css', contentType: 'text/css; charset=utf-8', body: readFileSync(join(STATIC_DIR, 'live-page.css')) },
    { path: '/static/uPlot.esm.js', contentType: 'text/javascript; charset=utf-8', body: readFileSync(join(UPLOT_DIST, 'uPlot.esm.js')) },
    { path: '/static/uPlot.min.css', contentType: 'text/css; charset=utf-8', body: readFileSync(join(UPLOT_DIST, 'uPlot.min.css')) },
  ];
  for (const asset of assets) {
    resource(app, asset.path, { GET: { handler: async (_request, reply) => reply.type(asset.contentType).header('cache-control', 'no-cache').send(asset.body) } });
  }
}
