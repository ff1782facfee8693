// What every trainer shares: a training request (JSONL files written from a training set, a base
// model, hyper-parameters, where to write), live progress, and what comes out (a GGUF LoRA file, or
// a remote model id). The built-in trainer, the local command and the OpenAI-compatible API all sit
// behind the Trainer interface, so the CLI, the api and the Train screen drive them the same way.

import type { Hyperparameters, TrainerKind, TrainMethodName, TrainProgress } from '../../api/types.ts';

export type { Hyperparameters, TrainerKind, TrainProgress };
export type TrainMethod = TrainMethodName;

export interface TrainRequest {
  method: TrainMethod;
  /** OpenAI chat JSONL (supervised) or DPO JSONL (dpo). */
  trainFile: string;
  validationFile?: string;
  /** The base model: a GGUF path for local trainers, a model id for a remote API. */
  baseModel: string;
  /** A folder the trainer owns: logs, checkpoints, the adapter. */
  outDir: string;
  hyper: Hyperparameters;
  onProgress?: (progress: TrainProgress) => void;
  signal?: AbortSignal;
}

/** A request as data, without its callbacks: what crosses to a worker thread or into a command's request file. */
export type TrainRequestData = Omit<TrainRequest, 'onProgress' | 'signal'>;

export type TrainOutcome =
  /** A GGUF LoRA for the base model, ready to import into the adapter registry. */
  | { kind: 'gguf-lora'; path: string; steps: number; finalLoss?: number }
  /** A PEFT adapter folder (adapter_config.json + adapter_model.safetensors), to be converted on import. */
  | { kind: 'peft'; path: string; steps: number; finalLoss?: number }
  /** A model that lives behind an OpenAI-compatible endpoint (no weights to download). */
  | { kind: 'remote-model'; modelId: string; baseURL: string; steps: number; finalLoss?: number };

export interface Trainer {
  readonly kind: TrainerKind;
  /** Runs to the end, to a cancel (rejects with TrainCancelled) or to an error. */
  train(request: TrainRequest): Promise<TrainOutcome>;
}
