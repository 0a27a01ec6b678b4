"""PyTorch + PEFT reference for `npm run bench -- train`: the same steps (AdamW, clip 1.0) on the same
shape, LoRA r16 (alpha 64) on the 7 projections or full fine-tuning, sdpa attention, torch's default
threads (the machine's cores). Usage: torch_ref.py CONFIG MODE BATCH STEPS. Prints one JSON line:
tokens/s and the process's peak RSS (ru_maxrss: one mode per process). Never run by tests."""
import json, resource, sys, time
import torch, transformers, peft
from transformers import AutoModelForCausalLM, Gemma2Config, LlamaConfig, Qwen3Config
from peft import LoraConfig, get_peft_model

name, mode, B, steps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
T = 256
CONFIGS = {  # the shapes of train.ts's CONFIGS
    "a": lambda: LlamaConfig(vocab_size=4096, hidden_size=256, intermediate_size=688, num_hidden_layers=4,
                             num_attention_heads=8, num_key_value_heads=4, max_position_embeddings=512),
    "smollm2-135m": lambda: LlamaConfig(vocab_size=49152, hidden_size=576, intermediate_size=1536, num_hidden_layers=30,
                                        num_attention_heads=9, num_key_value_heads=3, rope_theta=100000.0,
                                        tie_word_embeddings=True, max_position_embeddings=8192),
    "qwen3-1.7b": lambda: Qwen3Config(vocab_size=151936, hidden_size=2048, intermediate_size=6144, num_hidden_layers=28,
                                      num_attention_heads=16, num_key_value_heads=8, head_dim=128,
                                      rope_theta=1000000.0, tie_word_embeddings=True),
    "gemma2-2b": lambda: Gemma2Config(vocab_size=256000, hidden_size=2304, intermediate_size=9216, num_hidden_layers=26,
                                      num_attention_heads=8, num_key_value_heads=4, head_dim=256, tie_word_embeddings=True),
}
torch.manual_seed(0)
cfg = CONFIGS[name]()
ids = torch.randint(0, cfg.vocab_size, (B, T))
model = AutoModelForCausalLM.from_config(cfg, attn_implementation="sdpa")
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
print(json.dumps({
    "tokens_per_s": steps * B * T / (time.perf_counter() - t0),
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "threads": torch.get_num_threads(),
    "versions": f"torch {torch.__version__.split('+')[0]}, transformers {transformers.__version__}, peft {peft.__version__}",
}))
