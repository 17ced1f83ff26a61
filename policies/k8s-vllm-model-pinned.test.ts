import { describe, expect, it } from "vitest";
import { k8sVllmModelPinned } from "./k8s-vllm-model-pinned";
import { changed, compliantStack, firstContainer, vllmDeployment } from "./lib/fixtures";
import { resourceViolations } from "./lib/testing";

const vllm = vllmDeployment();
const withoutRevision = (args: string[]) => args.filter((a, i) => a !== "--revision" && args[i - 1] !== "--revision");

describe("k8s-vllm-model-pinned", () => {
    it("passes every compliant fixture", async () => {
        for (const r of compliantStack()) {
            expect(await resourceViolations(k8sVllmModelPinned, r), r.name).toEqual([]);
        }
    });

    it("rejects a Hugging Face model without --revision", async () => {
        const unpinned = changed(vllm, (p) => (firstContainer(p).args = withoutRevision(firstContainer(p).args)));
        expect(await resourceViolations(k8sVllmModelPinned, unpinned)).toEqual([
            'container "vllm" of Deployment "vllm-qwen-32b" serves Hugging Face model "Qwen/Qwen3-32B" without --revision: pin it to a commit (the service\'s revision) so the weights never change under a running service.',
        ]);
    });

    it.each([
        ["a path in the pod", "/models/s3/acme/qwen3-32b"],
        ["an S3 URI (pinned by the bucket's own versioning)", "s3://acme/qwen3-32b"],
    ])("accepts %s", async (_, model) => {
        const local = changed(vllm, (p) => (firstContainer(p).args = [model, ...withoutRevision(firstContainer(p).args).slice(1)]));
        expect(await resourceViolations(k8sVllmModelPinned, local)).toEqual([]);
    });

    it("rejects a LoRA adapter named by a Hugging Face id, accepts one from a snapshot directory", async () => {
        const modules = [
            '{"name":"u-1/support","path":"acme/support-lora","base_model_name":"u-1/qwen-32b"}',
            '{"name":"u-1/sql","path":"/models/hub/models--acme--sql-lora/snapshots/0123456789abcdef0123456789abcdef01234567","base_model_name":"u-1/qwen-32b"}',
        ];
        const lora = changed(vllm, (p) => firstContainer(p).args.push("--enable-lora", "--lora-modules", ...modules));
        expect(await resourceViolations(k8sVllmModelPinned, lora)).toEqual([
            'container "vllm" of Deployment "vllm-qwen-32b" serves LoRA adapter "u-1/support" from Hugging Face id "acme/support-lora", which vLLM cannot pin: give the adapter service a revision and its base a node-local or shared model cache.',
        ]);
    });
});
