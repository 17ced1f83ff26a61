import { beforeEach, describe, it } from "vitest";
import { type Accepted, expectAccepted, expectRefusals, freshParseConfig, kubeconfigStack, type Refusal } from "../../test/helpers/freshConfig";

/**
 * The schema's service leaves, as schema.test.ts does the rest: each refuses a bad value with
 * its own message and accepts the values at its edges, with the config layer imported afresh
 * in each test (test/helpers/freshConfig.ts).
 */
let parse: Awaited<ReturnType<typeof freshParseConfig>>;

beforeEach(async () => {
    parse = await freshParseConfig();
});

describe("config schema: each service leaf's message", () => {
    it("a service's settings", () => {
        expectRefusals(parse, kubeconfigStack, servicesRefusals);
        expectAccepted(parse, kubeconfigStack, servicesAccepted);
    });
    it("an adapter service's base, adapter and rank", () => expectRefusals(parse, kubeconfigStack, adaptersRefusals));
    it("autoscale settings", () => expectRefusals(parse, kubeconfigStack, autoscaleRefusals));
    it("model facts", () => expectRefusals(parse, kubeconfigStack, architectureRefusals));
});

const servicesRefusals: Refusal[] = [
    ["services[0].name", "1chat", "services[0].name: expected an RFC 1035 label: lowercase letters, digits and '-', starting with a letter, ≤ 40 characters, got \"1chat\". Rename the service, e.g. llama-8b."],
    ["services[0].name", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "services[0].name: expected an RFC 1035 label: lowercase letters, digits and '-', starting with a letter, ≤ 40 characters, got \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\". Rename the service, e.g. llama-8b."],
    ["services[0].displayName", "", "services[0].displayName: expected a non-empty display name, got \"\". Give the service a human-readable name, or leave it out to use its name."],
    ["services[0].model", "", "services[0].model: expected a model source such as Qwen/Qwen3-8B, got \"\". Name the model by its Hugging Face id, an s3://bucket/prefix URI or a pvc://claim/path."],
    ["services[0].revision", "main", "services[0].revision: expected a Hugging Face commit hash (40 hex characters), got \"main\". Copy the commit from the model page's \"Files and versions\" history."],
    ["services[0].rank", 8, "services[0].rank: is an adapter's LoRA rank; this service has no base, got 8. Remove rank (maxLoraRank sizes the adapters a base serves), or set base and adapter."],
    ["services[0].maxLoraRank", 2, "services[0].maxLoraRank: expected one of 1, 8, 16, 32, 64, 128, 256, 320, 512, got 2. Use one of vLLM's --max-lora-rank values."],
    ["services[0].maxLoraRank", "8", "services[0].maxLoraRank: expected one of 1, 8, 16, 32, 64, 128, 256, 320, 512, got \"8\". Use one of vLLM's --max-lora-rank values."],
    ["services[0].instances", -1, "services[0].instances: expected a whole number ≥ 0, got -1. Set how many instances to run (0 stops the service)."],
    ["services[0].gpus", 0, "services[0].gpus: expected a whole number from 1 to 64, got 0. Set the GPUs per instance (vLLM's tensor-parallel size), or leave it out to let the planner choose."],
    ["services[0].gpus", 65, "services[0].gpus: expected a whole number from 1 to 64, got 65. Set the GPUs per instance (vLLM's tensor-parallel size), or leave it out to let the planner choose."],
    ["services[0].nodeGroup", "GPU", "services[0].nodeGroup: expected the name of a node group, got \"GPU\". Name one of nodeGroups[].name."],
    ["services[0].task", "audio", "services[0].task: expected one of \"chat\", \"vision\", \"embedding\", \"image-generation\", got \"audio\". Pick what the model serves."],
    ["services[0].maxModelLen", 0, "services[0].maxModelLen: expected a whole number ≥ 1, got 0. Set the context length in tokens, or leave it out for the model's own."],
    ["services[0].image", "", "services[0].image: expected a container image reference, got \"\". Give an image with a tag or digest, e.g. vllm/vllm-openai:v0.11.0."],
    ["services[0].engineArgs", "--x", "services[0].engineArgs: expected a list of vLLM arguments, got \"--x\". Write it as a YAML list (- item)."],
    ["services[0].engineArgs", [""], "services[0].engineArgs[0]: expected a vLLM argument, got \"\". Write each argument as its own list item, e.g. --enable-prefix-caching."],
    ["services[0].env", { "1A": "x" }, "services[0].env.1A: has a bad key; expected an environment variable name. Use letters, digits and '_', not starting with a digit."],
    ["services[0].env", { A: 1 }, "services[0].env.A: expected a string value, got 1. Quote the value in YAML."],
    ["services[0].env", "x", "services[0].env: expected a mapping of environment variables, got \"x\". Write NAME: value pairs."],
    ["services[0].dtype", "fp16", "services[0].dtype: expected one of \"auto\", \"bfloat16\", \"float16\", \"float32\", got \"fp16\". Pick the weights dtype, or leave it out for auto."],
    ["services[0].quantization", "int4", "services[0].quantization: expected one of \"awq\", \"awq_marlin\", \"gptq\", \"gptq_marlin\", \"fp8\", \"mxfp4\", \"bitsandbytes\", \"compressed-tensors\", got \"int4\". Pick the quantization the checkpoint uses, or leave it out."],
    ["services[0].quantization", "gguf", "services[0].quantization: is not supported by the pinned vLLM image (components/versions.ts), which has no such quantization method, got \"gguf\". Convert the checkpoint to safetensors, or serve an AWQ or GPTQ re-upload of the model with quantization: awq (or gptq)."],
    ["services[0].gpuMemoryUtilization", 0.05, "services[0].gpuMemoryUtilization: expected a fraction between 0.1 and 0.99, got 0.05. Set vLLM's --gpu-memory-utilization, e.g. 0.9."],
    ["services[0].gpuMemoryUtilization", 1, "services[0].gpuMemoryUtilization: expected a fraction between 0.1 and 0.99, got 1. Set vLLM's --gpu-memory-utilization, e.g. 0.9."],
    ["services[0].gpuMemoryUtilization", "0.9", "services[0].gpuMemoryUtilization: expected a fraction between 0.1 and 0.99, got \"0.9\". Set vLLM's --gpu-memory-utilization, e.g. 0.9."],
    ["services[0].modelCache", { kind: "x" }, "services[0].modelCache.kind: expected one of \"emptyDir\", \"node-local\", \"shared\", got \"x\". Pick emptyDir (per pod), node-local (instance-store NVMe) or shared (a ReadWriteMany volume)."],
];

const servicesAccepted: Accepted[] = [
    ["services[0].gpuMemoryUtilization", 0.99],
    ["services[0].gpuMemoryUtilization", 0.1],
    ["services[0].maxLoraRank", 64],
];

const adaptersRefusals: Refusal[] = [
    ["services[1]", { name: "lora", base: "Chat", adapter: "a/b", rank: 8 }, "services[1].base: expected the name of the service whose pods run this adapter, got \"Chat\". Name one of services[].name."],
    ["services[1]", { name: "lora", base: "chat", adapter: "", rank: 8 }, "services[1].adapter: expected a LoRA adapter source such as acme/qwen3-8b-support-lora, got \"\". Name the adapter by its Hugging Face id, an s3://bucket/prefix URI or a pvc://claim/path."],
    ["services[1]", { name: "lora", base: "chat", adapter: "a/b", rank: 0 }, "services[1].rank: expected a whole number from 1 to 512, got 0. Give the adapter's LoRA rank: r in its adapter_config.json."],
    ["services[1]", { name: "lora", base: "chat", adapter: "a/b", rank: 513 }, "services[1].rank: expected a whole number from 1 to 512, got 513. Give the adapter's LoRA rank: r in its adapter_config.json."],
];

const autoscaleRefusals: Refusal[] = [
    ["services[0].autoscale", "x", "services[0].autoscale: expected a mapping of autoscale settings, got \"x\". Write it as a YAML mapping (key: value)."],
    ["services[0]", { name: "chat", model: "Qwen/Qwen3-8B", autoscale: { min: -1, max: 1 } }, "services[0].autoscale.min: expected a whole number ≥ 0, got -1. Set the fewest instances (0 lets the service scale to zero when idle)."],
    ["services[0]", { name: "chat", model: "Qwen/Qwen3-8B", autoscale: { min: 0, max: 0 } }, "services[0].autoscale.max: expected a whole number from 1 to 1000, got 0. Set the most instances the service may scale to."],
    ["services[0]", { name: "chat", model: "Qwen/Qwen3-8B", autoscale: { min: 0, max: 1001 } }, "services[0].autoscale.max: expected a whole number from 1 to 1000, got 1001. Set the most instances the service may scale to."],
    ["services[0]", { name: "chat", model: "Qwen/Qwen3-8B", autoscale: { min: 0, max: 2, metric: "cpu" } }, "services[0].autoscale.metric: expected one of \"queue\", \"kvCache\", \"ttft\", got \"cpu\". Pick the vLLM signal to scale on: queue (waiting requests), kvCache (KV-cache usage) or ttft (time to first token)."],
    ["services[0]", { name: "chat", model: "Qwen/Qwen3-8B", autoscale: { min: 0, max: 2, target: 0 } }, "services[0].autoscale.target: expected a positive number, got 0. Set the value one instance should carry, e.g. 5 waiting requests, 0.8 KV-cache usage or 2 s TTFT."],
    ["services[0]", { name: "chat", model: "Qwen/Qwen3-8B", autoscale: { min: 0, max: 2, target: "5" } }, "services[0].autoscale.target: expected a positive number, got \"5\". Set the value one instance should carry, e.g. 5 waiting requests, 0.8 KV-cache usage or 2 s TTFT."],
    ["services[0]", { name: "chat", model: "Qwen/Qwen3-8B", autoscale: { min: 0, max: 2, scaleDownDelaySeconds: 3601 } }, "services[0].autoscale.scaleDownDelaySeconds: expected a whole number from 0 to 3600, got 3601. Set the seconds of low load before instances are removed."],
];

const architectureRefusals: Refusal[] = [
    ["services[0].architecture", { paramsBillions: -1 }, "services[0].architecture.paramsBillions: expected a positive number of billions of parameters, got -1. E.g. 8 for an 8B model."],
    ["services[0].architecture", "x", "services[0].architecture: expected a mapping of model facts, got \"x\". Write it as a YAML mapping (key: value)."],
    ["services[0].architecture", { paramsBillions: 0 }, "services[0].architecture.paramsBillions: expected a positive number of billions of parameters, got 0. E.g. 8 for an 8B model."],
    ["services[0].architecture", { paramsBillions: "8" }, "services[0].architecture.paramsBillions: expected a positive number of billions of parameters, got \"8\". E.g. 8 for an 8B model."],
    ["services[0].architecture", { layers: 0 }, "services[0].architecture.layers: expected a whole number ≥ 1, got 0. Give the model's num_hidden_layers from its config.json."],
    ["services[0].architecture", { kvHeads: 0 }, "services[0].architecture.kvHeads: expected a whole number ≥ 1, got 0. Give the model's num_key_value_heads from its config.json."],
    ["services[0].architecture", { attentionHeads: 0 }, "services[0].architecture.attentionHeads: expected a whole number ≥ 1, got 0. Give the model's num_attention_heads from its config.json."],
    ["services[0].architecture", { intermediateSize: 0 }, "services[0].architecture.intermediateSize: expected a whole number ≥ 1, got 0. Give the model's intermediate_size from its config.json."],
    ["services[0].architecture", { moeIntermediateSize: 0 }, "services[0].architecture.moeIntermediateSize: expected a whole number ≥ 1, got 0. Give the model's moe_intermediate_size (one expert's) from its config.json."],
    ["services[0].architecture", { headDim: 0 }, "services[0].architecture.headDim: expected a whole number ≥ 1, got 0. Give the model's head_dim (hidden_size ÷ num_attention_heads)."],
    ["services[0].architecture", { maxContext: 0 }, "services[0].architecture.maxContext: expected a whole number ≥ 1, got 0. Give the model's max_position_embeddings."],
];
