import { type DynamicModule, type InjectionToken, Module, type ModuleMetadata } from '@nestjs/common';
import { KafkaService, type KafkaServiceOptions } from './kafka.service';

export interface KafkaModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: InjectionToken[];
  useFactory: (...args: never[]) => KafkaServiceOptions | Promise<KafkaServiceOptions>;
}

/** Provides a KafkaService built from options the importing app supplies. */
@Module({})
export class KafkaModule {
  static forRootAsync(options: KafkaModuleAsyncOptions): DynamicModule {
    return {
      module: KafkaModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        {
          provide: KafkaService,
          inject: options.inject ?? [],
          useFactory: async (...args: never[]) => new KafkaService(await options.useFactory(...args)),
        },
      ],
      exports: [KafkaService],
    };
  }
}
