import { Controller, Get, Header, Inject, ServiceUnavailableException } from '@nestjs/common';
import { KafkaService } from '@fieldlink/kafka';
import { Registry } from 'prom-client';
import { StreamProcessorService } from '../ingress/stream-processor.service';
import { METRICS_REGISTRY } from '@fieldlink/gateway-core';

/** /health/live, /health/ready (consuming and Kafka reachable) and /metrics. */
@Controller()
export class OpsController {
  constructor(
    @Inject(StreamProcessorService) private readonly processor: StreamProcessorService,
    @Inject(KafkaService) private readonly kafka: KafkaService,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
  ) {}

  @Get('health/live')
  live(): { status: 'ok' } {
    if (!this.kafka.live) throw new ServiceUnavailableException({ status: 'stalled', reason: 'Kafka clients moved nothing even after a rebuild' });
    return { status: 'ok' };
  }

  @Get('health/ready')
  async ready(): Promise<{ status: 'ready'; checks: Record<string, boolean> }> {
    const checks = { consuming: this.processor.isRunning, kafka: await this.kafka.isReady() };
    if (!checks.consuming || !checks.kafka) throw new ServiceUnavailableException({ status: 'not ready', checks });
    return { status: 'ready', checks };
  }

  @Get('metrics')
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
