import { type BatchingProducer, type OutgoingRecord } from '@fieldlink/kafka';

/**
 * Records sent straight to Kafka and not yet acknowledged, in send order, each with a way to
 * spool it instead.
 */
export class DirectSends {
  private readonly waiting = new Map<number, () => Promise<void>>();
  private next = 0;

  constructor(
    private readonly producer: Pick<BatchingProducer, 'send'>,
    private readonly spool: (record: OutgoingRecord) => Promise<void>,
    /** Told of a record whose producer copy reached Kafka after it had been moved to the spool. */
    private readonly landedAfterMove: (record: OutgoingRecord) => void,
  ) {}

  get size(): number {
    return this.waiting.size;
  }

  /** Resolves once Kafka has the record, or, if it is moved first, once the spool has it. */
  send(record: OutgoingRecord): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const id = this.next++;
      const settle = (outcome: () => void) => {
        if (!this.waiting.delete(id)) return;
        outcome();
      };
      this.waiting.set(id, () => this.spool(record).then(resolve, reject));
      this.producer.send(record).then(
        () => {
          if (this.waiting.has(id)) settle(resolve);
          else this.landedAfterMove(record);
        },
        (error: unknown) => settle(() => reject(error instanceof Error ? error : new Error(String(error)))),
      );
    });
  }

  /** Spools the records waiting in the producer, in send order. */
  moveToSpool(): void {
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const spoolIt of waiting) void spoolIt();
  }
}
