"""Writes a tiny ERNIE-Image text-to-image model with random weights as one GGUF file, for the
CLI's `image` test against stable-diffusion.cpp's OpenAI-compatible sd-server:
`python tiny_image_gguf.py out.gguf`.

Why ERNIE-Image: sd-server reads its every size from the tensors' shapes (stable-diffusion.cpp
src/ernie_image.hpp ErnieImageRunner: layers, width, heads, MLP width, patch; src/llm.hpp
LLMRunner: the text encoder's layers, width and vocabulary; src/auto_encoder_kl.hpp
detect_decoder_ch: the VAE decoder's width). The other families keep a large fixed part: SD
1.x/2.x/SDXL their UNet and CLIP (SD 1.x: 860M and 123M parameters), Flux its CLIP-L (123M) or
T5-XXL (4.7B; with neither its conditioning is empty), Chroma a 262M guidance approximator,
Z-Image a 6B DiT; only Flux.2 [klein] is as adjustable, and its text encoder always runs on 512
tokens where ERNIE-Image's runs on the prompt's. What stays fixed here:
the text encoder's attention (Ministral 3B: 32 query heads and 8 key/value heads of 128), the
rotary embedding's 128 dimensions (so one DiT head of 128), the Flux.2 VAE's 32 latent channels
(128 after its 2x2 patching) and its encoder's width of 128: sd-server loads the encoder too,
for image edits, so it is the bulk of the file (34M parameters as float16).

The image is noise, but through sd-server's real tokenizer, text encoder, denoiser, sampler,
VAE decoder and PNG encoder. Deterministic (fixed seed).
"""

import sys

import gguf
import numpy as np

from tiny_gguf import save

# The denoiser (DiT): its width is one rotary head; one layer.
DIT_WIDTH, DIT_LAYERS, DIT_MLP = 128, 1, 256
# The text encoder: narrow, one layer; the vocabulary must hold every id the built-in Mistral
# tokenizer (Tekken, 131072 tokens) can produce.
TEXT_WIDTH, TEXT_LAYERS, TEXT_MLP, TEXT_VOCAB = 64, 1, 128, 131072
TEXT_HEADS, TEXT_KV_HEADS, TEXT_HEAD = 32, 8, 128
# The Flux.2 VAE: 32 latent channels, seen by the DiT as 128 after 2x2 patching.
Z_CHANNELS, LATENT_CHANNELS = 32, 128
VAE_MULTS, VAE_RES_BLOCKS = (1, 2, 4, 4), 2
ENCODER_WIDTH, DECODER_WIDTH = 128, 32


class Writer:
    """Tensors in PyTorch's (out, in, ...) order; gguf stores them reversed, as ggml expects."""

    def __init__(self, path):
        self.rng = np.random.default_rng(13)
        self.w = gguf.GGUFWriter(path, "ernie-image-tiny")

    def weight(self, name, *shape, dtype=np.float32):
        self.w.add_tensor(name, (self.rng.standard_normal(shape, dtype=np.float32) * 0.05).astype(dtype))

    def ones(self, name, n):
        self.w.add_tensor(name, np.ones(n, dtype=np.float32))

    def zeros(self, name, n):
        self.w.add_tensor(name, np.zeros(n, dtype=np.float32))

    def linear(self, name, n_in, n_out, bias=True):
        self.weight(f"{name}.weight", n_out, n_in)
        if bias:
            self.zeros(f"{name}.bias", n_out)

    def conv(self, name, n_in, n_out, kernel=3):
        # ggml's convolutions take float16 kernels.
        self.weight(f"{name}.weight", n_out, n_in, kernel, kernel, dtype=np.float16)
        self.zeros(f"{name}.bias", n_out)

    def group_norm(self, name, n):
        self.ones(f"{name}.weight", n)
        self.zeros(f"{name}.bias", n)

    def resnet(self, name, n_in, n_out):
        self.group_norm(f"{name}.norm1", n_in)
        self.conv(f"{name}.conv1", n_in, n_out)
        self.group_norm(f"{name}.norm2", n_out)
        self.conv(f"{name}.conv2", n_out, n_out)
        if n_in != n_out:
            self.conv(f"{name}.nin_shortcut", n_in, n_out, kernel=1)

    def vae_middle(self, name, n):
        self.resnet(f"{name}.mid.block_1", n, n)
        self.group_norm(f"{name}.mid.attn_1.norm", n)
        for part in ("q", "k", "v", "proj_out"):
            self.conv(f"{name}.mid.attn_1.{part}", n, n, kernel=1)
        self.resnet(f"{name}.mid.block_2", n, n)

    def close(self):
        save(self.w)


def denoiser(t, p="model.diffusion_model"):
    t.conv(f"{p}.x_embedder.proj", LATENT_CHANNELS, DIT_WIDTH, kernel=1)  # patch size 1
    t.linear(f"{p}.text_proj", TEXT_WIDTH, DIT_WIDTH, bias=False)
    t.linear(f"{p}.time_embedding.linear_1", DIT_WIDTH, DIT_WIDTH)
    t.linear(f"{p}.time_embedding.linear_2", DIT_WIDTH, DIT_WIDTH)
    t.linear(f"{p}.adaLN_modulation.1", DIT_WIDTH, 6 * DIT_WIDTH)
    for i in range(DIT_LAYERS):
        layer = f"{p}.layers.{i}"
        t.ones(f"{layer}.adaLN_sa_ln.weight", DIT_WIDTH)
        for proj in ("to_q", "to_k", "to_v", "to_out.0"):
            t.linear(f"{layer}.self_attention.{proj}", DIT_WIDTH, DIT_WIDTH, bias=False)
        t.ones(f"{layer}.self_attention.norm_q.weight", DIT_WIDTH)  # one head: head size = width
        t.ones(f"{layer}.self_attention.norm_k.weight", DIT_WIDTH)
        t.ones(f"{layer}.adaLN_mlp_ln.weight", DIT_WIDTH)
        t.linear(f"{layer}.mlp.gate_proj", DIT_WIDTH, DIT_MLP, bias=False)
        t.linear(f"{layer}.mlp.up_proj", DIT_WIDTH, DIT_MLP, bias=False)
        t.linear(f"{layer}.mlp.linear_fc2", DIT_MLP, DIT_WIDTH, bias=False)
    t.linear(f"{p}.final_norm.linear", DIT_WIDTH, 2 * DIT_WIDTH)
    t.linear(f"{p}.final_linear", DIT_WIDTH, LATENT_CHANNELS)


def text_encoder(t, p="text_encoders.llm.model"):
    t.weight(f"{p}.embed_tokens.weight", TEXT_VOCAB, TEXT_WIDTH, dtype=np.float16)
    for i in range(TEXT_LAYERS):
        layer = f"{p}.layers.{i}"
        t.ones(f"{layer}.input_layernorm.weight", TEXT_WIDTH)
        t.linear(f"{layer}.self_attn.q_proj", TEXT_WIDTH, TEXT_HEADS * TEXT_HEAD, bias=False)
        t.linear(f"{layer}.self_attn.k_proj", TEXT_WIDTH, TEXT_KV_HEADS * TEXT_HEAD, bias=False)
        t.linear(f"{layer}.self_attn.v_proj", TEXT_WIDTH, TEXT_KV_HEADS * TEXT_HEAD, bias=False)
        t.linear(f"{layer}.self_attn.o_proj", TEXT_HEADS * TEXT_HEAD, TEXT_WIDTH, bias=False)
        t.ones(f"{layer}.post_attention_layernorm.weight", TEXT_WIDTH)
        t.linear(f"{layer}.mlp.gate_proj", TEXT_WIDTH, TEXT_MLP, bias=False)
        t.linear(f"{layer}.mlp.up_proj", TEXT_WIDTH, TEXT_MLP, bias=False)
        t.linear(f"{layer}.mlp.down_proj", TEXT_MLP, TEXT_WIDTH, bias=False)
    t.ones(f"{p}.norm.weight", TEXT_WIDTH)


def vae(t, p="first_stage_model"):
    widths = [ENCODER_WIDTH * m for m in VAE_MULTS]
    # Encoder: down the resolutions, then the middle, then to mean and log-variance.
    t.conv(f"{p}.encoder.conv_in", 3, widths[0])
    width = widths[0]
    for i, out in enumerate(widths):
        for j in range(VAE_RES_BLOCKS):
            t.resnet(f"{p}.encoder.down.{i}.block.{j}", width, out)
            width = out
        if i != len(widths) - 1:
            t.conv(f"{p}.encoder.down.{i}.downsample.conv", width, width)
    t.vae_middle(f"{p}.encoder", width)
    t.group_norm(f"{p}.encoder.norm_out", width)
    t.conv(f"{p}.encoder.conv_out", width, 2 * Z_CHANNELS)
    t.conv(f"{p}.quant_conv", 2 * Z_CHANNELS, 2 * Z_CHANNELS, kernel=1)
    # Decoder: the middle at the widest, then up the resolutions, one more block each.
    t.conv(f"{p}.post_quant_conv", Z_CHANNELS, Z_CHANNELS, kernel=1)
    widths = [DECODER_WIDTH * m for m in VAE_MULTS]
    width = widths[-1]
    t.conv(f"{p}.decoder.conv_in", Z_CHANNELS, width)
    t.vae_middle(f"{p}.decoder", width)
    for i in reversed(range(len(widths))):
        for j in range(VAE_RES_BLOCKS + 1):
            t.resnet(f"{p}.decoder.up.{i}.block.{j}", width, widths[i])
            width = widths[i]
        if i != 0:
            t.conv(f"{p}.decoder.up.{i}.upsample.conv", width, width)
    t.group_norm(f"{p}.decoder.norm_out", width)
    t.conv(f"{p}.decoder.conv_out", width, 3)


def main(path):
    t = Writer(path)
    denoiser(t)
    text_encoder(t)
    vae(t)
    t.close()


if __name__ == "__main__":
    main(sys.argv[1])
