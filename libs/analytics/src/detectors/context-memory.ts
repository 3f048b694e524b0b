/** A half of a context: a set of facts (ascending), and which of them the current step holds. */
interface Half {
  readonly facts: readonly number[];
  matched: number[];
}

interface LeftHalf extends Half {
  /** The contexts with this left half, by their right half. */
  readonly contexts: Map<Half, Context>;
}

/** "After the left facts, the right facts follow", with how well it has predicted. */
export interface Context {
  readonly id: number;
  readonly right: Half;
  /** Right facts it could have predicted while its left half held, and those it did. */
  trials: number;
  hits: number;
  /** Steps its right half came true in full after its left half. */
  activations: number;
  /** Seen as a whole transition of the input, not only derived from overlaps of others. */
  observed: boolean;
}

export type FactPair = readonly [left: readonly number[], right: readonly number[]];

export interface RightMatch {
  /** Contexts whose left half held at the last step and whose right half holds now. */
  active: Context[];
  /** Contexts whose left half held at the last step. */
  selected: number;
  /** Overlaps worth learning as contexts of their own. */
  candidates: FactPair[];
}

const keyOf = (facts: readonly number[]): string => facts.join(',');

/**
 * The context store of the Contextual Anomaly Detector (CAD OSE, M. Smirnov 2016, the
 * NAB entry "contextOSE"). Contexts are split into left and right halves shared between
 * contexts, indexed by fact, so that one step touches only the halves that hold one of its facts.
 */
export class ContextMemory {
  private readonly lefts = new Map<string, LeftHalf>();
  private readonly rights = new Map<string, Half>();
  private readonly leftsByFact = new Map<number, LeftHalf[]>();
  private readonly rightsByFact = new Map<number, Half[]>();
  private crossedLefts: LeftHalf[] = [];
  private crossedRights: Half[] = [];
  private contextCount = 0;
  /** The transition recorded at this step, which must not vote on itself. */
  private justCreated: Context | undefined;

  constructor(private readonly maxLeftFacts: number) {}

  get size(): number {
    return this.contextCount;
  }

  /** Stores the transition `left → right` as observed; true if it was new. */
  recordTransition(left: readonly number[], right: readonly number[]): boolean {
    const { context, created } = this.contextFor(left, right);
    context.observed = true;
    if (created) this.justCreated = context;
    return created;
  }

  /** Stores each pair not yet known as a derived context; returns how many were new. */
  learn(pairs: readonly FactPair[]): number {
    let added = 0;
    for (const [left, right] of pairs) if (this.contextFor(left, right).created) added++;
    return added;
  }

  /**
   * Scores the contexts selected by the last `matchLeft` against the current facts: a selected
   * context is active when all of its right half holds. When the transition is new, partial
   * overlaps of observed contexts become candidates.
   */
  matchRight(facts: readonly number[], transitionIsNew: boolean): RightMatch {
    this.crossedRights = this.cross(facts, this.rightsByFact, this.crossedRights);
    const result: RightMatch = { active: [], selected: 0, candidates: [] };
    for (const left of this.crossedLefts) {
      const leftHeld = left.matched.length === left.facts.length;
      const mayDerive = transitionIsNew && left.matched.length <= this.maxLeftFacts;
      for (const [right, context] of left.contexts) {
        if (context === this.justCreated) continue;
        const matched = right.matched.length;
        if (leftHeld) {
          result.selected++;
          context.trials += right.facts.length;
          context.hits += matched;
          if (matched === right.facts.length) {
            context.activations++;
            result.active.push(context);
            continue;
          }
        }
        if (matched > 0 && context.observed && mayDerive) result.candidates.push([left.matched, right.matched]);
      }
    }
    this.justCreated = undefined;
    return result;
  }

  /**
   * Learns the candidates, then selects the left halves the facts hold in full, and returns
   * the right facts of the selected contexts that have predicted best so far.
   */
  matchLeft(facts: readonly number[], candidates: readonly FactPair[]): { added: number; predicted: Set<number> } {
    const added = candidates.length > 0 ? this.learn(candidates) : 0;
    this.crossedLefts = this.cross(facts, this.leftsByFact, this.crossedLefts);
    let best = 0;
    let predictors: Context[] = [];
    for (const left of this.crossedLefts) {
      if (left.matched.length !== left.facts.length) continue;
      for (const context of left.contexts.values()) {
        const weight = context.trials > 0 ? context.hits / context.trials : 0;
        if (weight > best) {
          best = weight;
          predictors = [context];
        } else if (weight === best) predictors.push(context);
      }
    }
    const predicted = new Set<number>();
    for (const context of predictors) for (const fact of context.right.facts) predicted.add(fact);
    return { added, predicted };
  }

  /** Resets the halves crossed last time, then marks which facts each half holds now. */
  private cross<H extends Half>(facts: readonly number[], byFact: Map<number, H[]>, previous: H[]): H[] {
    for (const half of previous) half.matched = [];
    const crossed: H[] = [];
    for (const fact of facts) {
      for (const half of byFact.get(fact) ?? []) {
        if (half.matched.length === 0) crossed.push(half);
        half.matched.push(fact);
      }
    }
    return crossed;
  }

  private contextFor(left: readonly number[], right: readonly number[]): { context: Context; created: boolean } {
    const leftHalf = this.half(this.lefts, this.leftsByFact, left, () => ({ facts: left, matched: [], contexts: new Map() }));
    const rightHalf = this.half(this.rights, this.rightsByFact, right, () => ({ facts: right, matched: [] }));
    const existing = leftHalf.contexts.get(rightHalf);
    if (existing) return { context: existing, created: false };
    const context: Context = { id: this.contextCount++, right: rightHalf, trials: 0, hits: 0, activations: 0, observed: false };
    leftHalf.contexts.set(rightHalf, context);
    return { context, created: true };
  }

  private half<H extends Half>(halves: Map<string, H>, byFact: Map<number, H[]>, facts: readonly number[], create: () => H): H {
    const key = keyOf(facts);
    let half = halves.get(key);
    if (!half) {
      half = create();
      halves.set(key, half);
      for (const fact of facts) {
        const list = byFact.get(fact);
        if (list) list.push(half);
        else byFact.set(fact, [half]);
      }
    }
    return half;
  }
}
