"""LoRA SFT with TRL + PEFT on a tooltune `tokens` dataset, as a pipeline's `cmd:` stage.

A GPU-cluster user keeps tooltune's data stages, eval and cache and swaps only the trainer:

    accelerate launch examples/trl/train_trl.py --tokens runs/trl/tokens --base models/quickstart-base --out OUT

(or `torchrun --nproc-per-node N …`, or plain `python …`). It reads the dataset's Parquet parts as
its manifest lists them, trains on the tokens whose loss_mask is 1 (the assistant's spans, as
tooltune's own train stage does), and writes a PEFT adapter that tooltune's eval and `lora merge`
read. `examples/trl/pipeline.yaml` wires it; tests/src/examples.test.ts checks that the columns
below are the tokens schema's.
"""
import argparse
import json
import os
import pathlib
import shutil
import sys

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

# The columns of tooltune's `tokens` dataset this script reads (packages/core/src/arrow-schemas.ts).
COLUMNS = ("input_ids", "loss_mask", "n_examples", "split")


def read_tokens(tokens_dir: pathlib.Path, split: str) -> pa.Table:
    manifest = json.loads((tokens_dir / "_manifest.json").read_text())
    if manifest.get("kind") != "tokens":
        sys.exit(f"{tokens_dir}: a '{manifest.get('kind')}' output, not a tokens dataset")
    parts = [f["name"] for f in manifest["files"] if f["name"].endswith(".parquet") and not f["name"].startswith("_")]
    table = pa.concat_tables(pq.read_table(tokens_dir / p, columns=list(COLUMNS)) for p in parts)
    table = table.filter(pc.equal(table["split"], split))
    if pc.max(table["n_examples"]).as_py() != 1:
        # Packed rows need position ids that restart per example, which only padding-free attention
        # (flash-attention) honours; without it examples would attend to each other.
        sys.exit(f"{tokens_dir}: rows are packed; tokenize with `pack: false` for this trainer")
    return table


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tokens", type=pathlib.Path, required=True, help="a tooltune tokens dataset directory")
    ap.add_argument("--base", required=True, help="base model: a Hugging Face directory or hub id")
    ap.add_argument("--out", type=pathlib.Path, required=True, help="where the PEFT adapter goes")
    ap.add_argument("--r", type=int, default=16)
    ap.add_argument("--alpha", type=int, default=64)
    ap.add_argument("--dropout", type=float, default=0.05)
    ap.add_argument("--targets", default="q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj")
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--epochs", type=float, default=1.0)
    ap.add_argument("--max-steps", type=int, default=-1)
    ap.add_argument("--batch-size", type=int, default=4)
    ap.add_argument("--grad-accum", type=int, default=1)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()

    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import SFTConfig, SFTTrainer
    from trl.trainer.sft_trainer import DataCollatorForLanguageModeling

    table = read_tokens(args.tokens, "train")
    # TRL takes tokenized rows as they are; `assistant_masks` limits the loss to the masked tokens.
    train = Dataset.from_dict({"input_ids": table["input_ids"].to_pylist(), "assistant_masks": table["loss_mask"].to_pylist()})
    tokenizer = AutoTokenizer.from_pretrained(args.tokens / "tokenizer")
    model = AutoModelForCausalLM.from_pretrained(args.base, dtype=torch.float32)
    needed = max(max(ids) for ids in train["input_ids"]) + 1
    if needed > model.get_input_embeddings().num_embeddings:
        model.resize_token_embeddings(needed)  # the tokens' added special tokens

    config = SFTConfig(
        output_dir=str(args.out / ".trainer"), learning_rate=args.lr, num_train_epochs=args.epochs, max_steps=args.max_steps,
        per_device_train_batch_size=args.batch_size, gradient_accumulation_steps=args.grad_accum, seed=args.seed,
        lr_scheduler_type="cosine", warmup_steps=0.1,  # a float below 1 is a ratio of the steps
        logging_steps=1, save_strategy="no", report_to=[],
        max_length=None,
        # TRL defaults to bf16, which a CPU lacks; on a GPU box it is what you want
        bf16=torch.cuda.is_available() and torch.cuda.is_bf16_supported(), use_cpu=not torch.cuda.is_available(),
    )
    lora = LoraConfig(r=args.r, lora_alpha=args.alpha, lora_dropout=args.dropout, target_modules=args.targets.split(","), task_type="CAUSAL_LM")
    pad_id = dataset_id(args.tokens / "tokenizer", tokenizer.pad_token_id)
    collator = DataCollatorForLanguageModeling(pad_token_id=pad_id)
    trainer = SFTTrainer(model=model, args=config, train_dataset=train, processing_class=tokenizer, peft_config=lora, data_collator=collator)
    trainer.train()
    trainer.model.save_pretrained(args.out)
    shutil.copytree(args.tokens / "tokenizer", args.out / "tokenizer")  # the bundle eval reads, as it was
    # tooltune finds the base beside the adapter first: name it relative to the output, as its train stage does
    config_file = args.out / "adapter_config.json"
    adapter_config = json.loads(config_file.read_text())
    if pathlib.Path(args.base).exists():
        adapter_config["base_model_name_or_path"] = os.path.relpath(pathlib.Path(args.base).resolve(), args.out.resolve())
    config_file.write_text(json.dumps(adapter_config, indent=2) + "\n")
    shutil.rmtree(args.out / ".trainer", ignore_errors=True)


def dataset_id(bundle: pathlib.Path, tokenizer_id: int) -> int:
    """A tokenizer id as the dataset writes it: a trimmed bundle (the quickstart base's) renumbers
    the ids its corpus uses 0…n-1 and lists the originals in `vocab.original_ids`."""
    vocab = json.loads((bundle / "tooltune_tokenizer.json").read_text()).get("vocab", {})
    return vocab["original_ids"].index(tokenizer_id) if vocab.get("kind") == "trim" else tokenizer_id


if __name__ == "__main__":
    main()
