// AdamW (Loshchilov & Hutter): Adam with bias correction and weight decay applied to the weights
// directly rather than through the gradient, plus optional clipping of the global gradient norm.

export interface AdamWOptions {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  weightDecay?: number;
  /** Scale the gradients down so their global L2 norm is at most this (0: no clipping). */
  maxGradNorm?: number;
}

export interface Parameter {
  value: Float32Array;
  grad: Float32Array;
}

export class AdamW {
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private steps = 0;

  constructor(
    private readonly params: Parameter[],
    private readonly options: AdamWOptions,
  ) {
    this.m = params.map((p) => new Float32Array(p.value.length));
    this.v = params.map((p) => new Float32Array(p.value.length));
  }

  /** The L2 norm of all gradients together. */
  gradientNorm(): number {
    let sum = 0;
    for (const { grad } of this.params) for (let i = 0; i < grad.length; i++) sum += grad[i] * grad[i];
    return Math.sqrt(sum);
  }

  /** One update from the current gradients; returns the gradient norm before clipping. */
  step(learningRate = this.options.learningRate): number {
    const { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, weightDecay = 0, maxGradNorm = 0 } = this.options;
    const norm = this.gradientNorm();
    const clip = maxGradNorm > 0 && norm > maxGradNorm ? maxGradNorm / norm : 1;
    this.steps++;
    const correction1 = 1 - beta1 ** this.steps;
    const correction2 = 1 - beta2 ** this.steps;
    for (let p = 0; p < this.params.length; p++) {
      const { value, grad } = this.params[p];
      const m = this.m[p];
      const v = this.v[p];
      for (let i = 0; i < value.length; i++) {
        const g = grad[i] * clip;
        m[i] = beta1 * m[i] + (1 - beta1) * g;
        v[i] = beta2 * v[i] + (1 - beta2) * g * g;
        const update = m[i] / correction1 / (Math.sqrt(v[i] / correction2) + epsilon);
        value[i] -= learningRate * (update + weightDecay * value[i]);
      }
    }
    return norm;
  }
}
