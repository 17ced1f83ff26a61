"""Writes a tiny Llama-architecture GGUF model with random weights, for the CLI's tests
against llama-cpp-python's OpenAI-compatible server: `python tiny_gguf.py out.gguf`.

It answers nonsense, but through the real llama.cpp tokenizer, forward pass, sampler and the
server's SSE streaming. Deterministic (fixed seed). The end-of-sequence and byte tokens get
zero output rows while every word row is scaled up, so generation yields words and runs to
max_tokens instead of stopping at once.
"""

import sys

import gguf
import numpy as np

EMBED, HEADS, LAYERS, FFN, CONTEXT = 64, 4, 2, 128, 512
WORDS = "the a model service runs on GPU nodes and answers every request with tokens streamed one by one".split()


def save(w):
    """Writes the header, the metadata and the tensors, and closes the file."""
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def vocabulary():
    tokens, scores, types = ["<unk>", "<s>", "</s>"], [0.0, 0.0, 0.0], [gguf.TokenType.UNKNOWN, gguf.TokenType.CONTROL, gguf.TokenType.CONTROL]
    # SentencePiece byte fallback: llama.cpp looks up <0xNN> for any byte no piece covers.
    for b in range(256):
        tokens.append(f"<0x{b:02X}>")
        scores.append(0.0)
        types.append(gguf.TokenType.BYTE)
    pieces = sorted({"▁" + w for w in WORDS} | set("abcdefghijklmnopqrstuvwxyz") | {"▁"})
    for p in pieces:
        tokens.append(p)
        scores.append(-1.0 / len(p))
        types.append(gguf.TokenType.NORMAL)
    return tokens, scores, types


def main(path):
    rng = np.random.default_rng(13)
    tokens, scores, types = vocabulary()
    vocab = len(tokens)
    w = gguf.GGUFWriter(path, "llama")
    w.add_context_length(CONTEXT)
    w.add_embedding_length(EMBED)
    w.add_block_count(LAYERS)
    w.add_feed_forward_length(FFN)
    w.add_head_count(HEADS)
    w.add_head_count_kv(HEADS)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_rope_dimension_count(EMBED // HEADS)
    # One vector per input from /v1/embeddings (without a pooling type the server returns one per token).
    w.add_pooling_type(gguf.PoolingType.MEAN)
    w.add_file_type(gguf.LlamaFileType.ALL_F32)
    w.add_tokenizer_model("llama")
    w.add_token_list(tokens)
    w.add_token_scores(scores)
    w.add_token_types(types)
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    w.add_unk_token_id(0)

    def t(name, *shape, scale=0.1):
        w.add_tensor(name, (rng.standard_normal(shape) * scale).astype(np.float32))

    t("token_embd.weight", vocab, EMBED, scale=1.0)
    for i in range(LAYERS):
        w.add_tensor(f"blk.{i}.attn_norm.weight", np.ones(EMBED, dtype=np.float32))
        for name in ("attn_q", "attn_k", "attn_v", "attn_output"):
            t(f"blk.{i}.{name}.weight", EMBED, EMBED)
        w.add_tensor(f"blk.{i}.ffn_norm.weight", np.ones(EMBED, dtype=np.float32))
        t(f"blk.{i}.ffn_gate.weight", FFN, EMBED)
        t(f"blk.{i}.ffn_up.weight", FFN, EMBED)
        t(f"blk.{i}.ffn_down.weight", EMBED, FFN)
    w.add_tensor("output_norm.weight", np.ones(EMBED, dtype=np.float32))
    output = rng.standard_normal((vocab, EMBED)).astype(np.float32) * 10.0
    output[[types.index(gguf.TokenType.BYTE) + b for b in range(256)] + [0, 1, 2]] = 0.0
    w.add_tensor("output.weight", output)

    save(w)


if __name__ == "__main__":
    main(sys.argv[1])
