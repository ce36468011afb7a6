import type { Hub } from '@sse/core';
import type { IRouter } from 'express';
import type { Registry } from 'prom-client';

/** What the operations routes need. */
export interface OperationsRoutesDeps {
  readonly hub: Hub;
  /** The Prometheus registry fed from `hub.stats()` (see `createMetrics`). */
  readonly metrics: Registry;
  /** False from the moment shutdown starts, so a balancer stops sending new streams. */
  readonly accepting: () => boolean;
}

/**
 * `GET /healthz` (200, or 503 when the bus is not ready or the server is shutting down)
 * and `GET /metrics` (Prometheus text).
 * @param app - the express app to add the routes to.
 * @param deps - the hub, the metrics registry and the shutdown flag.
 */
export function addOperationsRoutes(
  app: IRouter,
  { hub, metrics, accepting }: OperationsRoutesDeps,
): void {
  app.get('/healthz', (_req, res) => {
    const stats = hub.stats();
    const ready = stats.bus.state === 'ready' && accepting();
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ok' : 'unavailable',
      instance: stats.instanceId,
      bus: stats.bus.kind,
      busState: stats.bus.state,
      connections: stats.connections,
    });
  });

  app.get('/metrics', async (_req, res, next) => {
    try {
      res.setHeader('Content-Type', metrics.contentType);
      res.end(await metrics.metrics());
    } catch (error) {
      next(error);
    }
  });
}
