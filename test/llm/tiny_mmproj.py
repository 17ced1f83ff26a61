"""Writes a tiny LLaVA-style vision projector (mmproj) GGUF with random weights, for the CLI's
`chat --image` test against llama-cpp-python's server: `python tiny_mmproj.py out.gguf` writes
it and prints the number of prompt tokens an image becomes (IMAGE_TOKENS).

llama.cpp's multimodal library (libmtmd, tools/mtmd/clip.cpp) loads it next to the tiny text
model of tiny_gguf.py: a ViT of BLOCKS blocks over PATCH x PATCH pixel patches of an
IMAGE x IMAGE image, then the "mlp" projector (mm.0, GELU, mm.2) to the text model's embedding
width, which mtmd requires to match. Every image becomes (IMAGE / PATCH)^2 = IMAGE_TOKENS
embeddings in the prompt, whatever its size (LLaVA-1.5 pads and resizes it to IMAGE first).
Deterministic (fixed seed).
"""

import sys

import gguf
import numpy as np

from tiny_gguf import EMBED as TEXT_EMBED, save

IMAGE, PATCH, WIDTH, HEADS, BLOCKS, FFN, HIDDEN = 32, 8, 32, 2, 2, 64, 64
IMAGE_TOKENS = (IMAGE // PATCH) ** 2


def main(path):
    rng = np.random.default_rng(13)
    w = gguf.GGUFWriter(path, "clip")
    w.add_bool("clip.has_vision_encoder", True)
    w.add_string("clip.projector_type", "mlp")
    w.add_uint32("clip.vision.image_size", IMAGE)
    w.add_uint32("clip.vision.patch_size", PATCH)
    w.add_uint32("clip.vision.embedding_length", WIDTH)
    w.add_uint32("clip.vision.feed_forward_length", FFN)
    w.add_uint32("clip.vision.block_count", BLOCKS)
    w.add_uint32("clip.vision.attention.head_count", HEADS)
    w.add_uint32("clip.vision.projection_dim", TEXT_EMBED)
    w.add_float32("clip.vision.attention.layer_norm_epsilon", 1e-5)
    w.add_array("clip.vision.image_mean", [0.5, 0.5, 0.5])
    w.add_array("clip.vision.image_std", [0.5, 0.5, 0.5])
    w.add_file_type(gguf.LlamaFileType.ALL_F32)

    # numpy shapes are ggml's dimensions reversed: a (rows, cols) matrix maps cols -> rows.
    def t(name, *shape, scale=0.1):
        w.add_tensor(name, (rng.standard_normal(shape) * scale).astype(np.float32))

    def norm(name, width):
        w.add_tensor(f"{name}.weight", np.ones(width, dtype=np.float32))
        w.add_tensor(f"{name}.bias", np.zeros(width, dtype=np.float32))

    # Patch embedding: a PATCH x PATCH convolution with stride PATCH over the 3 colour channels.
    t("v.patch_embd.weight", WIDTH, 3, PATCH, PATCH)
    t("v.patch_embd.bias", WIDTH)
    t("v.position_embd.weight", IMAGE_TOKENS, WIDTH)
    for i in range(BLOCKS):
        norm(f"v.blk.{i}.ln1", WIDTH)
        for name in ("attn_q", "attn_k", "attn_v", "attn_out"):
            t(f"v.blk.{i}.{name}.weight", WIDTH, WIDTH)
            t(f"v.blk.{i}.{name}.bias", WIDTH)
        norm(f"v.blk.{i}.ln2", WIDTH)
        t(f"v.blk.{i}.ffn_up.weight", FFN, WIDTH)
        t(f"v.blk.{i}.ffn_up.bias", FFN)
        t(f"v.blk.{i}.ffn_down.weight", WIDTH, FFN)
        t(f"v.blk.{i}.ffn_down.bias", WIDTH)
    t("mm.0.weight", HIDDEN, WIDTH)
    t("mm.0.bias", HIDDEN)
    t("mm.2.weight", TEXT_EMBED, HIDDEN)
    t("mm.2.bias", TEXT_EMBED)

    save(w)


if __name__ == "__main__":
    main(sys.argv[1])
    print(IMAGE_TOKENS)
