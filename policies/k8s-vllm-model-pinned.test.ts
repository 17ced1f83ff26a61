import { beforeEach, describe, expect, it, vi } from "vitest";
import { changed, compliantStack, firstContainer, vllmDeployment } from "./lib/fixtures";
import { resourceViolations, TestResource } from "./lib/testing";

/**
 * The Hugging Face id pattern is a module constant, so every test imports the policy afresh:
 * a changed pattern then shows in the tests that read a model or an adapter.
 */
let policy: (typeof import("./k8s-vllm-model-pinned"))["k8sVllmModelPinned"];

beforeEach(async () => {
    vi.resetModules();
    policy = (await import("./k8s-vllm-model-pinned")).k8sVllmModelPinned;
});

const vllm = vllmDeployment();
const withoutRevision = (args: string[]) => args.filter((a, i) => a !== "--revision" && args[i - 1] !== "--revision");
const unpinned = (model: string) =>
    `container "vllm" of Deployment "vllm-qwen-32b" serves Hugging Face model "${model}" without --revision: pin it to a commit (40 hex characters, the service's revision) so the weights never change under a running service.`;
const loraFromHub = (name: string, id: string) =>
    `container "vllm" of Deployment "vllm-qwen-32b" serves LoRA adapter "${name}" from Hugging Face id "${id}", which vLLM cannot pin: give the adapter service a revision and its base a node-local or shared model cache.`;

/** The vLLM fixture with its container's command line replaced (no `command`: the image's entrypoint). */
function withCommandLine(args: string[], command?: string[]): TestResource {
    return changed(vllm, (p) => {
        const c = firstContainer(p);
        delete c.command;
        c.args = args;
        if (command !== undefined) {
            c.command = command;
        }
    });
}

describe("k8s-vllm-model-pinned", () => {

    it("passes every compliant fixture", async () => {
        for (const r of compliantStack()) {
            expect(await resourceViolations(policy, r), r.name).toEqual([]);
        }
    });

    it("rejects a Hugging Face model without --revision", async () => {
        const unpinnedModel = changed(vllm, (p) => (firstContainer(p).args = withoutRevision(firstContainer(p).args)));
        expect(await resourceViolations(policy, unpinnedModel)).toEqual([unpinned("Qwen/Qwen3-32B")]);
    });

    it.each([
        ["a branch", "main"],
        ["a tag", "v1.0"],
        ["a short commit", "0123456"],
        ["a commit in upper case", "0123456789ABCDEF0123456789ABCDEF01234567"],
        ["a commit one character too long", "0123456789abcdef0123456789abcdef012345678"],
    ])("rejects a Hugging Face model at --revision %s, which is not a commit", async (_, revision) => {
        const atRef = changed(vllm, (p) => (firstContainer(p).args = [...withoutRevision(firstContainer(p).args), `--revision=${revision}`]));
        expect(await resourceViolations(policy, atRef)).toEqual([
            `container "vllm" of Deployment "vllm-qwen-32b" serves Hugging Face model "Qwen/Qwen3-32B" at --revision "${revision}", which is not a commit (a branch or tag can move): pin it to a commit (40 hex characters, the service's revision) so the weights never change under a running service.`,
        ]);
    });

    it("takes the last --revision, as vLLM's argument parser does", async () => {
        const commit = "0123456789abcdef0123456789abcdef01234567";
        const twice = (first: string, last: string) => changed(vllm, (p) => (firstContainer(p).args = [...withoutRevision(firstContainer(p).args), "--revision", first, "--revision", last]));
        expect(await resourceViolations(policy, twice("main", commit))).toEqual([]);
        expect(await resourceViolations(policy, twice(commit, "main"))).toHaveLength(1);
    });

    it.each(["Qwen/Qwen3-32B", "meta-llama/Llama-3.1-8B-Instruct", "a/b", "0rg_x.y/m-1_2.3"])("takes %s for a Hugging Face id", async (model) => {
        expect(await resourceViolations(policy, withCommandLine([model], ["vllm", "serve"]))).toEqual([unpinned(model)]);
    });

    it.each([
        ["a path in the pod", "/models/s3/acme/qwen3-32b"],
        ["a relative path", "models/acme/qwen3-32b"],
        ["a path starting with ./", "./qwen3-32b"],
        ["an S3 URI (pinned by the bucket's own versioning)", "s3://acme/qwen3-32b"],
    ])("accepts %s", async (_, model) => {
        const local = changed(vllm, (p) => (firstContainer(p).args = [model, ...withoutRevision(firstContainer(p).args).slice(1)]));
        expect(await resourceViolations(policy, local)).toEqual([]);
    });
});

describe("k8s-vllm-model-pinned: the model a command line serves", () => {
    it.each([
        ["the api_server module's --model", ["--model", "Qwen/Qwen3-32B", "--port", "8000"], ["python3", "-m", "vllm.entrypoints.openai.api_server"]],
        ["the first argument under the image's entrypoint", ["Qwen/Qwen3-32B", "--port", "8000"], undefined],
        ["--model under the image's entrypoint", ["--model", "Qwen/Qwen3-32B", "--port", "8000"], undefined],
        ["--model= under the image's entrypoint", ["--port", "8000", "--model=Qwen/Qwen3-32B"], undefined],
        ["the positional after a leading serve under the image's entrypoint", ["serve", "Qwen/Qwen3-32B", "--port", "8000"], undefined],
    ])("reads %s", async (_, args, command) => {
        expect(await resourceViolations(policy, withCommandLine(args, command))).toEqual([unpinned("Qwen/Qwen3-32B")]);
    });

    it("checks only vLLM containers (an init container downloading with --model is not one)", async () => {
        const withDownload = changed(vllm, (p) => {
            p.spec.template.spec.initContainers = [{ name: "fetch", image: "python:3.12-slim", command: ["python", "/scripts/fetch.py"], args: ["--model", "Qwen/Qwen3-32B"] }];
        });
        expect(await resourceViolations(policy, withDownload)).toEqual([]);
    });
});

describe("k8s-vllm-model-pinned: LoRA adapters", () => {
    const withModules = (...words: string[]) => changed(vllm, (p) => firstContainer(p).args.push("--enable-lora", ...words));

    it("rejects a LoRA adapter named by a Hugging Face id, accepts one from a snapshot directory", async () => {
        const modules = [
            '{"name":"u-1/support","path":"acme/support-lora","base_model_name":"u-1/qwen-32b"}',
            '{"name":"u-1/sql","path":"/models/hub/models--acme--sql-lora/snapshots/0123456789abcdef0123456789abcdef01234567","base_model_name":"u-1/qwen-32b"}',
        ];
        expect(await resourceViolations(policy, withModules("--lora-modules", ...modules))).toEqual([loraFromHub("u-1/support", "acme/support-lora")]);
    });

    it("reads name=path modules (a bare name has no path)", async () => {
        const lora = withModules("--lora-modules", "support=acme/support-lora", "sql=/models/sql-lora", "bare");
        expect(await resourceViolations(policy, lora)).toEqual([loraFromHub("support", "acme/support-lora")]);
    });

    it("reads modules up to the next flag, also one written --flag=value", async () => {
        expect(await resourceViolations(policy, withModules("--lora-modules", "sql=/models/sql-lora", "--tokenizer=acme/qwen-tokenizer"))).toEqual([]);
    });

    it("reads --lora-modules as the first argument under the image's entrypoint", async () => {
        const lora = withCommandLine(["--lora-modules", "support=acme/support-lora", "--model", "/models/qwen3-32b"]);
        expect(await resourceViolations(policy, lora)).toEqual([loraFromHub("support", "acme/support-lora")]);
    });

    it("reads the last --lora-modules only: vLLM's argument parser keeps the last list given", async () => {
        const lora = withModules("--lora-modules", "support=acme/support-lora", "--lora-modules", "sql=/models/sql-lora", "chat=acme/chat-lora");
        expect(await resourceViolations(policy, lora)).toEqual([loraFromHub("chat", "acme/chat-lora")]);
    });

    it.each([
        ["--lora-modules=name=path, one value", ["--lora-modules=chat=acme/chat-lora"], ["chat"]],
        ["the = form after a spaced one", ["--lora-modules", "support=acme/support-lora", "--lora-modules=chat=acme/chat-lora"], ["chat"]],
        ["a spaced one after the = form", ["--lora-modules=chat=acme/chat-lora", "--lora-modules", "support=acme/support-lora"], ["support"]],
        ["values up to a short option", ["--lora-modules", "chat=acme/chat-lora", "-tp", "sql=acme/sql-lora"], ["chat"]],
    ])("reads %s", async (_, words, names) => {
        const violations = await resourceViolations(policy, withModules(...words));
        expect(violations.map((v) => v.match(/LoRA adapter "([^"]+)"/)?.[1])).toEqual(names);
    });

    it("reads no adapter without --lora-modules (an env prefix's NAME=owner/name is not one)", async () => {
        const envPrefixed = changed(vllm, (p) => (firstContainer(p).command = ["env", "MODEL_ID=Qwen/Qwen3-32B", "vllm", "serve"]));
        expect(await resourceViolations(policy, envPrefixed)).toEqual([]);
    });
});
