import { type IngestPipeline } from '@fieldlink/gateway-core';
import { stableId } from '@fieldlink/schemas';
import { type Logger, redactUrl } from '@fieldlink/service';
import { type EndpointConfig } from '../config/opcua-gateway.config';
import { type OpcuaMetrics } from '../opcua.metrics';
import { type ConnectFailure } from '../session/connect-failure';
import { type SessionEvents } from '../session/endpoint-session';
import { type EndpointMonitor } from './endpoint-monitor';

/** device-status records for the endpoint itself and each device on it: offline on a gap, online when it ends. */
export function gapReporter(endpoint: EndpointConfig, monitor: EndpointMonitor, pipeline: IngestPipeline, metrics: OpcuaMetrics, logger: Logger): SessionEvents {
  let reportedDown: Date | undefined;
  const report = (status: 'offline' | 'online', detail: Record<string, unknown>, at: Date) => {
    const deviceIds = [endpoint.name, ...[...monitor.devices.keys()].filter((d) => d !== endpoint.name)];
    for (const deviceId of deviceIds) {
      const record = { deviceId, route: endpoint.name, ref: redactUrl(endpoint.url), status, detail: { endpoint: endpoint.name, ...detail }, at, id: stableId('opcua-status', endpoint.name, deviceId, status, at.getTime()) };
      pipeline.reportStatusOnce(record).catch((err: unknown) => logger.error({ err, deviceId, record }, 'device-status record not written'));
    }
  };
  return {
    onDown: (failure: ConnectFailure, since: Date) => {
      metrics.connectFailures.inc({ endpoint: endpoint.name, reason: failure.reason });
      logger.warn({ endpoint: endpoint.name, reason: failure.reason }, failure.message);
      if (reportedDown) return; // one offline record per gap, however many attempts fail in it
      reportedDown = since;
      if (failure.reason === 'session_lost') metrics.gaps.inc({ endpoint: endpoint.name });
      report('offline', { reason: failure.reason, message: failure.message, since: since.toISOString() }, new Date());
    },
    onUp: (downSince: Date | undefined) => {
      if (!reportedDown && !downSince) return;
      const since = reportedDown ?? downSince ?? new Date();
      reportedDown = undefined;
      report('online', { gapStartedAt: since.toISOString(), gapMs: Date.now() - since.getTime(), monitoredItems: monitor.monitoredItems }, new Date());
    },
  };
}
