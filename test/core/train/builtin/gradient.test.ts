// The backward pass is exact: for every LoRA factor, the analytic gradient's directional
// derivative matches central finite differences of the loss, with the last layer computed at the
// answer positions only (one adapted layer) and with every layer adapted (full backprop through
// attention at all positions), on the tiny llama and on a grouped-query variant.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../core/random.ts';
import { readLlamaWeights } from '../../../../core/train/builtin/gguf-weights.ts';
import { LoraLlama } from '../../../../core/train/builtin/lora-model.ts';
import { FrozenStates } from '../../../../core/train/builtin/frozen-states.ts';
import { LORA_TARGETS, zeroLoraGradients } from '../../../../core/train/builtin/lora-adapter.ts';
import { inputLength, type TokenizedExample } from '../../../../core/train/builtin/example.ts';
import { gqaTinyBase, tinyBase } from './helpers.ts';

interface TensorCheck {
  tensor: string;
  analytic: number;
  numeric: number;
  relativeError: number;
}

/**
 * Directional derivatives along a random direction per factor tensor: analytic vs central finite
 * differences of the float32 forward (extrapolated to h → 0).
 */
function gradientCheck(
  model: LoraLlama,
  example: TokenizedExample,
  gradientScale: Record<string, number> = {},
): TensorCheck[] {
  const random = seededRandom(11);
  const frozen = new FrozenStates(model.blocks, model.firstAdapted, { maxBytes: 2 ** 26, maxPrefixes: 1 });
  const length = inputLength(example);
  const loss = (): number => model.forward(example, frozen.layerInput(0, example.tokens, length)).loss;
  zeroLoraGradients(model.lora);
  model.backward(model.forward(example, frozen.layerInput(0, example.tokens, length)), 1);
  const checks: TensorCheck[] = [];
  for (const f of model.lora.factors.values())
    for (const [part, value, grad] of [
      ['lora_a', f.a, f.gradA],
      ['lora_b', f.b, f.gradB],
    ] as const) {
      const tensor = `${f.name}.${part}`;
      const direction = Float32Array.from(value, () => random() - 0.5);
      let analytic = 0;
      for (let i = 0; i < value.length; i++) analytic += grad[i] * direction[i];
      analytic *= gradientScale[tensor] ?? 1;
      const original = value.slice();
      const centralDifference = (h: number): number => {
        value.set(original.map((v, i) => v + h * direction[i]));
        const plus = loss();
        value.set(original.map((v, i) => v - h * direction[i]));
        const minus = loss();
        value.set(original);
        return (plus - minus) / (2 * h);
      };
      // Richardson extrapolation cancels the h² error, so h can stay large next to float32 noise.
      const numeric = (4 * centralDifference(5e-3) - centralDifference(1e-2)) / 3;
      checks.push({
        tensor,
        analytic,
        numeric,
        relativeError: Math.abs(analytic - numeric) / (Math.abs(analytic) + Math.abs(numeric)),
      });
    }
  return checks;
}

async function modelWithRandomFactors(path: string, adaptedLayers: number): Promise<LoraLlama> {
  const model = new LoraLlama(await readLlamaWeights(path), {
    adaptedLayers,
    targets: LORA_TARGETS,
    rank: 4,
    alpha: 8,
    seed: 1,
  });
  // B starts at zero; random B makes every path (including A's gradient) non-trivial.
  const random = seededRandom(5);
  for (const f of model.lora.factors.values())
    for (let i = 0; i < f.b.length; i++) f.b[i] = (random() - 0.5) * 0.4;
  return model;
}

const random = seededRandom(3);
const example: TokenizedExample = {
  tokens: Int32Array.from({ length: 24 }, () => 35 + Math.floor(random() * 90)),
  promptLength: 14,
};
const THRESHOLD = 1e-2;

describe('the built-in trainer’s backward pass', () => {
  const base = tinyBase();
  for (const adaptedLayers of [1, 2])
    it(`matches finite differences with ${adaptedLayers} adapted layer(s)`, async () => {
      const checks = gradientCheck(await modelWithRandomFactors(base, adaptedLayers), example);
      expect(checks).toHaveLength(adaptedLayers * 14 + 2);
      const worst = checks.reduce((a, b) => (b.relativeError > a.relativeError ? b : a));
      console.log(
        `adapted layers ${adaptedLayers}: worst relative error ${worst.relativeError.toExponential(2)} (${worst.tensor})`,
      );
      for (const c of checks) expect(c.relativeError, c.tensor).toBeLessThan(THRESHOLD);
    });

  it('matches finite differences with grouped-query attention', async () => {
    const checks = gradientCheck(await modelWithRandomFactors(gqaTinyBase(), 2), example);
    const worst = Math.max(...checks.map((c) => c.relativeError));
    console.log(`grouped-query attention: worst relative error ${worst.toExponential(2)}`);
    for (const c of checks) expect(c.relativeError, c.tensor).toBeLessThan(THRESHOLD);
  });

  it('catches a gradient that is 10% off', async () => {
    const wrong = 'blk.1.attn_k.weight.lora_a';
    const checks = gradientCheck(await modelWithRandomFactors(base, 1), example, { [wrong]: 1.1 });
    expect(checks.find((c) => c.tensor === wrong)!.relativeError).toBeGreaterThan(THRESHOLD);
  });
});
