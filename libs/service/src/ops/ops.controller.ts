import { Controller, Get, Header, HttpCode, Inject, ServiceUnavailableException } from '@nestjs/common';
import { KafkaService } from '@fieldlink/kafka';
import { Registry } from 'prom-client';
import { type ProcessFaults } from '../observability/process-faults';
import { type ServiceRuntime } from '../service-runtime';
import { METRICS_REGISTRY, PROCESS_FAULTS, SERVICE_RUNTIME } from '../tokens';

/** /health/live, /health/ready and /metrics on HTTP_PORT, for every service. */
@Controller()
export class OpsController {
  constructor(
    @Inject(SERVICE_RUNTIME) private readonly runtime: ServiceRuntime,
    @Inject(KafkaService) private readonly kafka: KafkaService,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    @Inject(PROCESS_FAULTS) private readonly faults: ProcessFaults,
  ) {}

  @Get('health/live')
  live(): { status: 'ok' } {
    const broken = this.faults.brokenBy;
    if (broken) throw new ServiceUnavailableException({ status: 'broken', reason: `uncaught exception (${broken}); restart the service` });
    if (!this.kafka.live) throw new ServiceUnavailableException({ status: 'stalled', reason: 'Kafka clients moved nothing even after a rebuild' });
    return { status: 'ok' };
  }

  @Get('health/ready')
  @HttpCode(200)
  async ready(): Promise<{ status: 'ready'; checks: Record<string, boolean> }> {
    const { ready, checks } = await this.runtime.ready();
    if (!ready) throw new ServiceUnavailableException({ status: 'not ready', checks });
    return { status: 'ready', checks };
  }

  @Get('metrics')
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
