"""PyTorch + PEFT reference for `npm run bench -- train`: the same config-A steps (AdamW, clip 1.0),
LoRA r16 on all projections and full fine-tuning. Prints one JSON line of tokens/s. Never run by tests."""
import json, sys, time
import torch
from transformers import LlamaConfig, LlamaForCausalLM
from peft import LoraConfig, get_peft_model

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 3
B, T = 8, 256
cfg = LlamaConfig(vocab_size=4096, hidden_size=256, intermediate_size=688, num_hidden_layers=4,
                  num_attention_heads=8, num_key_value_heads=4, max_position_embeddings=512)
torch.manual_seed(0)
ids = torch.randint(0, 4096, (B, T))
out = {"threads": torch.get_num_threads()}
for mode in ("lora", "full"):
    model = LlamaForCausalLM(cfg)
    if mode == "lora":
        model = get_peft_model(model, LoraConfig(r=16, lora_alpha=64, lora_dropout=0.0, target_modules=[
            "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]))
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4, weight_decay=0.1)
    def step():
        loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step(); opt.zero_grad()
    step()
    t0 = time.perf_counter()
    for _ in range(steps): step()
    out[mode] = steps * B * T / (time.perf_counter() - t0)
print(json.dumps(out))
