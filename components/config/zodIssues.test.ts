import { describe, expect, it } from "vitest";
import { eksStack, kubeconfigStack, messagesOf, withValue } from "../../test/helpers/freshConfig";
import { parseConfig } from "./parse";

/**
 * zod's issues in the project's words (zodIssues.ts): an unknown key with a did-you-mean or the
 * keys allowed where it stands, a missing value, a bad record key, an unsupported quantization.
 */

/** The messages of `stack()` with the value at `path` set (deleted when undefined). */
function messages(stack: () => Record<string, unknown>, path: string, value: unknown): string[] {
    return messagesOf(parseConfig, withValue(stack(), path, value));
}

describe("zod issues: an unknown key", () => {
    it("at the top level suggests the key it resembles", () => {
        expect(messages(kubeconfigStack, "apikeys", [])).toEqual(['apikeys: is not a known key. Did you mean "apiKeys"?']);
    });

    it("in a list item names the item's keys", () => {
        expect(messages(kubeconfigStack, "services[0].instanses", 1)).toEqual(['services[0].instanses: is not a known key. Did you mean "instances"?']);
    });

    it("in an optional mapping inside a list item or inside another mapping lists that mapping's keys", () => {
        expect(messages(kubeconfigStack, "nodeGroups[0].modelCache", { kind: "emptyDir", size: 1 })).toEqual([
            "nodeGroups[0].modelCache.size: is not a known key. Known keys here: kind, sizeGiB, hostPath, storageClass.",
        ]);
        expect(messages(kubeconfigStack, "gateway", { tls: { secretName: "s", name: "x" } })).toEqual(["gateway.tls.name: is not a known key. Known keys here: secretName."]);
    });

    it("in a kubeconfig cluster names the kubeconfig cluster's keys, not the EKS cluster's", () => {
        expect(messages(kubeconfigStack, "cluster.kubeconfg", "k")).toEqual(['cluster.kubeconfg: is not a known key. Did you mean "kubeconfig"?']);
        expect(messages(kubeconfigStack, "cluster.zone", "a")).toEqual(["cluster.zone: is not a known key. Known keys here: kind, context, kubeconfig, nvidiaDevicePlugin, simulated."]);
    });

    it("in an EKS cluster names the EKS cluster's keys", () => {
        expect(messages(eksStack, "cluster.regon", "us-east-1")).toEqual(['cluster.regon: is not a known key. Did you mean "region"?']);
        expect(messages(eksStack, "cluster.zone", "a")).toEqual(["cluster.zone: is not a known key. Known keys here: kind, name, create, version, subnetIds, region."]);
    });

    it("reports each unknown key of one mapping on its own", () => {
        expect(messages(kubeconfigStack, "gateway", { replica: 1, banana: 2 })).toEqual([
            'gateway.replica: is not a known key. Did you mean "replicas"?',
            "gateway.banana: is not a known key. Known keys here: replicas, serviceType, hostname, tls, maxRequestBodyMiB, image, defaultRequestsPerMinute, scheme, certificateArn, loadBalancerSourceRanges.",
        ]);
    });
});

describe("zod issues: values", () => {
    it("a missing value says what to write, without a value", () => {
        expect(messages(kubeconfigStack, "services[0].name", undefined)).toEqual([
            "services[0].name: is missing; expected an RFC 1035 label: lowercase letters, digits and '-', starting with a letter, ≤ 40 characters. Rename the service, e.g. llama-8b.",
        ]);
    });

    it("a bad record key takes the key's own message, at the key's path", () => {
        expect(messages(kubeconfigStack, "services[0].env", { "1X": "a" })).toEqual([
            "services[0].env.1X: has a bad key; expected an environment variable name. Use letters, digits and '_', not starting with a digit.",
        ]);
    });

    it("a quantization vLLM lacks says so, and the same word under another key is just not allowed there", () => {
        expect(messages(kubeconfigStack, "services[0].quantization", "gguf")).toEqual([
            'services[0].quantization: is not supported by the pinned vLLM image (components/versions.ts), which has no such quantization method, got "gguf". Convert the checkpoint to safetensors, or serve an AWQ or GPTQ re-upload of the model with quantization: awq (or gptq).',
        ]);
        expect(messages(kubeconfigStack, "services[0].dtype", "gguf")).toEqual([
            'services[0].dtype: expected one of "auto", "bfloat16", "float16", "float32", got "gguf". Pick the weights dtype, or leave it out for auto.',
        ]);
    });

    it("a quantization named like a built-in object method is just not one of the choices", () => {
        expect(messages(kubeconfigStack, "services[0].quantization", "toString")).toEqual([
            'services[0].quantization: expected one of "awq", "awq_marlin", "gptq", "gptq_marlin", "fp8", "mxfp4", "bitsandbytes", "compressed-tensors", got "toString". Pick the quantization the checkpoint uses, or leave it out.',
        ]);
    });
});
