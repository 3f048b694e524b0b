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
  // A head index instead of Array#shift, which is O(n) and showed up at 13% CPU under load.
  private queue: (Entry<P> | undefined)[] = [];
  private head = 0;
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
    this.head = 0;
  }

  get pending(): number {
    return this.queue.length - this.head;
  }

  private flush(): void {
    let entry: Entry<P> | undefined;
    while ((entry = this.queue[this.head])?.ready) {
      // Cleared as sent, not at the next compaction: entries left behind kept their objects alive
      // through young collections, and V8 promoted about 4 MB per collection at half load
      // (0.35 MB cleared), each collection's pause twice as long.
      this.queue[this.head++] = undefined;
      if (entry.generation === this.generation) this.send(entry.packet);
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
