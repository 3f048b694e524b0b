interface Entry<P> {
  packet: P;
  ready: boolean;
  generation: number;
}

/**
 * Holds PUBACK/PUBREC packets until their message is safely in Kafka, and
 * releases them in the order the PUBLISH packets arrived [MQTT-4.6.0-2].
 *
 * Acks of a connection that has since closed are dropped, never sent on the
 * next one: the broker redelivers those messages with the same packet ids, and
 * a stale ack would acknowledge the redelivered copy, or a new message that
 * reused the id, before Kafka has it (the class of loss in mqttjs#2015/#895).
 */
export class OrderedAcks<P> {
  private queue: Entry<P>[] = [];
  private generation = 0;

  constructor(private readonly send: (packet: P) => void) {}

  /** Queues an ack; call the returned function once its message is in Kafka. */
  hold(packet: P): () => void {
    const entry: Entry<P> = { packet, ready: false, generation: this.generation };
    this.queue.push(entry);
    return () => {
      entry.ready = true;
      this.flush();
    };
  }

  /** The connection closed: forget every ack not yet sent. */
  reset(): void {
    this.generation++;
    this.queue = [];
  }

  get pending(): number {
    return this.queue.length;
  }

  private flush(): void {
    while (this.queue[0]?.ready) {
      const entry = this.queue.shift() as Entry<P>;
      if (entry.generation === this.generation) this.send(entry.packet);
    }
  }
}
