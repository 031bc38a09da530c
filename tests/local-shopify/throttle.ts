/**
 * Shopify's leaky bucket per app and shop: `maximumAvailable` points, refilled at `restoreRate` points per second; a
 * query whose requested cost exceeds what is available is refused with THROTTLED and costs nothing. The actual cost is
 * what is taken. The clock is passed in, so tests can drive time.
 */
export interface ThrottlePlan {
  maximumAvailable: number;
  restoreRate: number;
}

// Shopify's plan table (points per second); the bucket holds 10 seconds of restore, as Shopify's 1000/50 and 2000/100.
export const PLANS = {
  standard: { maximumAvailable: 2000, restoreRate: 100 },
  advanced: { maximumAvailable: 4000, restoreRate: 200 },
  plus: { maximumAvailable: 20000, restoreRate: 1000 },
} as const satisfies Record<string, ThrottlePlan>;

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export class LeakyBucket {
  private available: number;
  private at: number;

  constructor(
    readonly plan: ThrottlePlan,
    private readonly now: () => number,
  ) {
    this.available = plan.maximumAvailable;
    this.at = now();
  }

  private refill() {
    const t = this.now();
    this.available = Math.min(this.plan.maximumAvailable, this.available + ((t - this.at) / 1000) * this.plan.restoreRate);
    this.at = t;
  }

  /** Takes `cost` points if available; false (nothing taken) when the request must be throttled. */
  take(cost: number): boolean {
    this.refill();
    if (cost > this.available) return false;
    this.available -= cost;
    return true;
  }

  /** Gives back what was requested but not spent (requested vs actual cost). */
  refund(points: number) {
    this.refill();
    this.available = Math.min(this.plan.maximumAvailable, this.available + points);
  }

  status(): ThrottleStatus {
    this.refill();
    return {
      maximumAvailable: this.plan.maximumAvailable,
      currentlyAvailable: Math.floor(this.available),
      restoreRate: this.plan.restoreRate,
    };
  }
}
