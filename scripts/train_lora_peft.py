#!/usr/bin/env python3
"""Reference LoRA trainer for BLAZER Lab's command trainer, for a GPU workstation (PEFT + TRL).

It follows the local trainer command contract (the header of core/train/command-trainer.ts):
it takes the path of the lab's request JSON, trains a LoRA adapter with Hugging Face TRL
(SFTTrainer with assistant-only loss on the chat JSONL, DPOTrainer on the DPO JSONL), prints
JSON progress lines on stdout, and writes a PEFT adapter folder (adapter_config.json +
adapter_model.safetensors) that the lab imports into a GGUF LoRA for its local model.

Needs (not run in the lab's CI, which has no GPU or PyTorch; the calls were checked against the
TRL 1.9 source and its transformers >= 4.56.2 floor):
  python >= 3.10
  torch with CUDA (an NVIDIA GPU; bf16 is used when the GPU has it, else fp16)
  transformers >= 4.56.2, trl >= 1.9 and < 2, peft >= 0.17, datasets, accelerate
  e.g.  pip install torch "transformers>=4.56.2" "trl>=1.9,<2" "peft>=0.17" datasets accelerate

The base model is a Hugging Face model folder or hub id (e.g. Qwen/Qwen2.5-0.5B-Instruct or a
local copy of it), NOT the GGUF file: GGUF is the format the lab runs, and llama.cpp cannot be
trained from here. Pick the HF model the GGUF was converted from, so the adapter fits it. For
assistant-only loss its chat template must carry {% generation %} markers, or be one TRL knows how
to patch (Qwen2.5, Qwen3, Llama 3, Gemma, Phi-3, ...); otherwise pass --full-sequence-loss.

How the lab calls it (argv array in the trainer settings; the request path is appended):
  python3 scripts/train_lora_peft.py [--max-length 1024] [--full-sequence-loss] [--allow-cpu]
By hand:
  python3 scripts/train_lora_peft.py /path/to/run/train-request.json
where the request is {"method": "supervised"|"dpo", "trainFile", "validationFile"?, "baseModel",
"outDir", "hyper": {"epochs", "learningRate", "batchSize", "rank", "alpha", "maxSteps"?,
"maxSeconds"?, "seed"?}}. The adapter goes to <outDir>/adapter; TRL's scratch files to
<outDir>/trainer-work. Exit codes: 0 done, 2 bad request or data, 1 anything else (traceback on
stderr).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
import time
from pathlib import Path

# stdout carries the protocol; anything libraries print goes to stderr instead.
PROTOCOL = sys.stdout
sys.stdout = sys.stderr

# Every linear layer of a Llama/Qwen2/Qwen3 block: the modules the lab's importer maps to GGUF.
TARGET_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def emit(line: dict) -> None:
    PROTOCOL.write(json.dumps(line) + "\n")
    PROTOCOL.flush()


def fail(message: str) -> None:
    print(f"train_lora_peft: {message}", file=sys.stderr)
    sys.exit(2)


def read_request(path: str) -> dict:
    try:
        request = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        fail(f"cannot read the request {path}: {err}")
    for key in ("method", "trainFile", "baseModel", "outDir", "hyper"):
        if key not in request:
            fail(f"the request {path} has no '{key}'")
    if request["method"] not in ("supervised", "dpo"):
        fail(f"method must be 'supervised' or 'dpo', not {request['method']!r}")
    return request


def message_list(value, where: str) -> list[dict]:
    """Role and text only: OpenAI extras (weight, name, tool calls) are not part of this recipe."""
    if not isinstance(value, list) or not value:
        fail(f"{where}: expected a non-empty list of messages")
    messages = []
    for m in value:
        if not isinstance(m, dict) or not isinstance(m.get("role"), str) or not isinstance(m.get("content"), str):
            fail(f"{where}: every message needs a string role and content")
        messages.append({"role": m["role"], "content": m["content"]})
    return messages


def load_examples(path: str, method: str) -> list[dict]:
    """The lab's JSONL as TRL's conversational formats: {messages} or {prompt, chosen, rejected}."""
    rows = []
    name = Path(path).name
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            where = f"{name} line {number}"
            try:
                example = json.loads(line)
            except json.JSONDecodeError as err:
                fail(f"{where} is not JSON: {err}")
            if method == "supervised":
                messages = message_list(example.get("messages"), where)
                if not any(m["role"] == "assistant" for m in messages):
                    fail(f"{where} has no assistant message to learn")
                rows.append({"messages": messages})
            else:
                rows.append(
                    {
                        "prompt": message_list((example.get("input") or {}).get("messages"), f"{where} input"),
                        "chosen": message_list(example.get("preferred_output"), f"{where} preferred_output"),
                        "rejected": message_list(example.get("non_preferred_output"), f"{where} non_preferred_output"),
                    }
                )
    if not rows:
        fail(f"{name} has no examples")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("request", help="the lab's train-request.json")
    parser.add_argument("--max-length", type=int, default=1024, help="tokens per example (longer ones are cut)")
    parser.add_argument(
        "--full-sequence-loss", action="store_true", help="supervised: learn every token, not only the answers"
    )
    parser.add_argument("--allow-cpu", action="store_true", help="run without a GPU (very slow; for trying it out)")
    args = parser.parse_args()
    request = read_request(args.request)
    hyper = request["hyper"]
    method = request["method"]
    out_dir = Path(request["outDir"])
    out_dir.mkdir(parents=True, exist_ok=True)
    train_rows = load_examples(request["trainFile"], method)
    valid_rows = load_examples(request["validationFile"], method) if request.get("validationFile") else None

    # Heavy imports after the cheap checks, so a bad request fails in a second.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        import torch
        from datasets import Dataset
        from peft import LoraConfig
        from transformers import AutoTokenizer, TrainerCallback
        import trl  # noqa: F401  (imported for real below; checked here with the others)
    except ImportError as err:
        fail(
            f"{err.name or err} is not installed: this recipe needs torch (with CUDA), transformers, trl, peft, "
            "datasets and accelerate (see the top of scripts/train_lora_peft.py)"
        )

    cuda = torch.cuda.is_available()
    if not cuda and not args.allow_cpu:
        fail("no CUDA GPU is visible to PyTorch: this recipe is for a GPU workstation (or pass --allow-cpu)")
    bf16 = cuda and torch.cuda.is_bf16_supported()
    emit(
        {
            "type": "message",
            "text": f"{method}: {len(train_rows)} examples, base {request['baseModel']}, "
            f"{torch.cuda.get_device_name(0) if cuda else 'CPU'}, {'bf16' if bf16 else 'fp16' if cuda else 'fp32'}",
        }
    )

    class JsonProgress(TrainerCallback):
        """Prints the contract's progress lines; stops at maxSeconds."""

        def __init__(self) -> None:
            self.started = time.monotonic()
            self.valid_loss: float | None = None

        def on_log(self, args, state, control, logs=None, **kwargs):
            logs = logs or {}
            if "eval_loss" in logs:
                self.valid_loss = float(logs["eval_loss"])
            if "loss" not in logs or not state.is_world_process_zero:
                return
            step, total = state.global_step, state.max_steps
            elapsed = time.monotonic() - self.started
            line = {
                "type": "progress",
                "step": step,
                "totalSteps": total,
                "epoch": max(1, math.ceil(state.epoch or 0)),
                "loss": float(logs["loss"]),
            }
            if self.valid_loss is not None:
                line["validLoss"] = self.valid_loss
            if step > 0:
                line["etaSeconds"] = round(elapsed / step * max(0, total - step))
            emit(line)

        def on_evaluate(self, args, state, control, metrics=None, **kwargs):
            if metrics and "eval_loss" in metrics and state.is_world_process_zero:
                self.valid_loss = float(metrics["eval_loss"])
                emit({"type": "message", "text": f"validation loss {self.valid_loss:.4f} at step {state.global_step}"})

        def on_step_end(self, args, state, control, **kwargs):
            max_seconds = hyper.get("maxSeconds") or 0
            if max_seconds and time.monotonic() - self.started > max_seconds:
                emit({"type": "message", "text": f"stopping at step {state.global_step}: maxSeconds {max_seconds} reached"})
                control.should_training_stop = True
            return control

    tokenizer = AutoTokenizer.from_pretrained(request["baseModel"])
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    lora = LoraConfig(
        r=hyper["rank"],
        lora_alpha=hyper["alpha"],
        lora_dropout=0.05,
        target_modules=TARGET_MODULES,
        bias="none",
        task_type="CAUSAL_LM",
    )
    work_dir = out_dir / "trainer-work"
    shared = dict(
        output_dir=str(work_dir),
        num_train_epochs=hyper["epochs"],
        max_steps=hyper.get("maxSteps") or -1,
        per_device_train_batch_size=hyper["batchSize"],
        per_device_eval_batch_size=hyper["batchSize"],
        learning_rate=hyper["learningRate"],
        seed=hyper.get("seed", 0),
        logging_steps=1,
        save_strategy="no",
        eval_strategy="epoch" if valid_rows else "no",
        report_to="none",
        disable_tqdm=True,
        bf16=bf16,
        fp16=cuda and not bf16,
        max_length=args.max_length,
        # fp16 autocast needs fp32 master weights; bf16 trains in bf16 directly.
        model_init_kwargs={"dtype": "bfloat16" if bf16 else "float32"},
    )
    datasets = dict(
        train_dataset=Dataset.from_list(train_rows),
        eval_dataset=Dataset.from_list(valid_rows) if valid_rows else None,
    )
    callbacks = [JsonProgress()]

    if method == "supervised":
        from trl import SFTConfig, SFTTrainer

        config = SFTConfig(**shared, assistant_only_loss=not args.full_sequence_loss)
        try:
            trainer = SFTTrainer(
                model=request["baseModel"],
                args=config,
                processing_class=tokenizer,
                peft_config=lora,
                callbacks=callbacks,
                **datasets,
            )
        except ValueError as err:
            if "chat template" in str(err) and not args.full_sequence_loss:
                fail(
                    f"{err}\nThe base model's chat template cannot mark the assistant's tokens, so "
                    "assistant-only loss is not possible: pass --full-sequence-loss, or use a base whose template "
                    "TRL supports."
                )
            raise
    else:
        from trl import DPOConfig, DPOTrainer

        trainer = DPOTrainer(
            model=request["baseModel"],
            args=DPOConfig(**shared),
            processing_class=tokenizer,
            peft_config=lora,
            callbacks=callbacks,
            **datasets,
        )

    trainer.train()

    # Saved beside and renamed: a run stopped while saving never leaves half an adapter under the name.
    partial, final = out_dir / "adapter.partial", out_dir / "adapter"
    shutil.rmtree(partial, ignore_errors=True)
    trainer.model.save_pretrained(str(partial))
    if not (partial / "adapter_model.safetensors").exists():
        raise RuntimeError(f"PEFT wrote no adapter_model.safetensors into {partial}")
    shutil.rmtree(final, ignore_errors=True)
    partial.rename(final)
    shutil.rmtree(work_dir, ignore_errors=True)
    emit({"type": "done", "output": "adapter", "format": "peft"})


if __name__ == "__main__":
    main()
