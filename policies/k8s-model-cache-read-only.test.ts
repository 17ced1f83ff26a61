import { describe, expect, it } from "vitest";
import { k8sModelCacheReadOnly } from "./k8s-model-cache-read-only";
import { changed, compliantStack, firstContainer, vllmDeployment } from "./lib/fixtures";
import { resourceViolations, unknownDuringPreview } from "./lib/testing";

/** The compliant fixture with a shared cache: the claim mounted read-only, as ModelService mounts it. */
const shared = changed(vllmDeployment(), (p) => {
    p.spec.template.spec.volumes[0] = { name: "model-cache", persistentVolumeClaim: { claimName: "model-cache-gpu-l40s", readOnly: true } };
    firstContainer(p).volumeMounts[0] = { name: "model-cache", mountPath: "/models", readOnly: true };
    p.spec.template.spec.initContainers = [
        { name: "wait-for-model", image: "vllm/vllm-openai:v0.26.0", command: ["sh", "-c", "true"], volumeMounts: [{ name: "model-cache", mountPath: "/models", readOnly: true }] },
    ];
});
const nodeLocal = changed(vllmDeployment(), (p) => {
    p.spec.template.spec.volumes[0] = { name: "model-cache", hostPath: { path: "/mnt/k8s-disks/0/model-cache", type: "DirectoryOrCreate" } };
    firstContainer(p).volumeMounts[0] = { name: "model-cache", mountPath: "/models", readOnly: true };
    // The locked download step writes the node's directory; the server does not.
    p.spec.template.spec.initContainers = [{ name: "model-fetch", image: "vllm/vllm-openai:v0.26.0", command: ["flock", "/models/.lock", "python3"], volumeMounts: [{ name: "model-cache", mountPath: "/models" }] }];
});

describe("k8s-model-cache-read-only", () => {
    it("passes every compliant fixture, a read-only shared cache and a node-local cache written by its fetch step", async () => {
        for (const r of [...compliantStack(), shared, nodeLocal]) {
            expect(await resourceViolations(k8sModelCacheReadOnly, r), r.name).toEqual([]);
        }
    });

    it("rejects a vLLM container that can write the shared cache", async () => {
        const writable = changed(shared, (p) => delete firstContainer(p).volumeMounts[0].readOnly);
        expect(await resourceViolations(k8sModelCacheReadOnly, writable)).toEqual([
            'container "vllm" of Deployment "vllm-qwen-32b" mounts PersistentVolumeClaim volume "model-cache" writable at /models: mount shared model caches read-only (readOnly: true); only the preload Job, or the locked model-fetch step on a node, writes them.',
        ]);
    });

    it("rejects another container of a serving pod that can write the shared cache", async () => {
        const writable = changed(shared, (p) => (p.spec.template.spec.initContainers[0].volumeMounts[0].readOnly = false));
        expect(await resourceViolations(k8sModelCacheReadOnly, writable)).toEqual([
            'init container "wait-for-model" of Deployment "vllm-qwen-32b" mounts PersistentVolumeClaim volume "model-cache" writable at /models: mount shared model caches read-only (readOnly: true); only the preload Job, or the locked model-fetch step on a node, writes them.',
        ]);
    });

    it("rejects a vLLM container that can write the node's cache directory", async () => {
        const writable = changed(nodeLocal, (p) => delete firstContainer(p).volumeMounts[0].readOnly);
        expect(await resourceViolations(k8sModelCacheReadOnly, writable)).toEqual([
            'container "vllm" of Deployment "vllm-qwen-32b" mounts hostPath volume "model-cache" writable at /models: mount shared model caches read-only (readOnly: true); only the preload Job, or the locked model-fetch step on a node, writes them.',
        ]);
    });

    it("checks the known volumes and mounts while others are unknown during preview", async () => {
        const writable = changed(shared, (p) => {
            delete firstContainer(p).volumeMounts[0].readOnly;
            firstContainer(p).volumeMounts.push(unknownDuringPreview);
            p.spec.template.spec.volumes.push(unknownDuringPreview);
        });
        expect(await resourceViolations(k8sModelCacheReadOnly, writable)).toEqual([
            'container "vllm" of Deployment "vllm-qwen-32b" mounts PersistentVolumeClaim volume "model-cache" writable at /models: mount shared model caches read-only (readOnly: true); only the preload Job, or the locked model-fetch step on a node, writes them.',
        ]);
    });

    it("waits for a mount whose readOnly is unknown during preview", async () => {
        const unknownReadOnly = changed(shared, (p) => (firstContainer(p).volumeMounts[0].readOnly = unknownDuringPreview));
        expect(await resourceViolations(k8sModelCacheReadOnly, unknownReadOnly)).toEqual([]);
    });

    it("waits for a mount whose volume name is unknown during preview", async () => {
        const unknownNames = changed(shared, (p) => {
            delete firstContainer(p).volumeMounts[0].readOnly;
            p.spec.template.spec.volumes[0].name = unknownDuringPreview;
            firstContainer(p).volumeMounts[0].name = unknownDuringPreview;
        });
        expect(await resourceViolations(k8sModelCacheReadOnly, unknownNames)).toEqual([]);
    });

    it("leaves the preload Job (no vLLM server) free to write", async () => {
        const job = {
            type: "kubernetes:batch/v1:Job",
            name: "preload",
            props: {
                metadata: { name: "vllm-chat-preload-0123abcd", namespace: "model-services" },
                spec: { template: { spec: { containers: [{ name: "model-fetch", image: "vllm/vllm-openai:v0.26.0", command: ["python3", "-c", "pass"], volumeMounts: [{ name: "model-cache", mountPath: "/models" }] }], volumes: [{ name: "model-cache", persistentVolumeClaim: { claimName: "c" } }] } } },
            },
        };
        expect(await resourceViolations(k8sModelCacheReadOnly, job)).toEqual([]);
    });
});
