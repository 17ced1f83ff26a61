import { beforeAll, describe, expect, it } from "vitest";
import { installMocks, ofType, RegisteredResource, settle } from "./helpers/mocks";
import type { ModelCacheKind, ModelServiceArgs } from "../components";

/**
 * Every model source × every model cache, through the real `ModelService` under Pulumi
 * mocks: what vLLM is told to load, how the cache is mounted, the download or wait step,
 * the preload Job. One service per combination.
 */

let registered: RegisteredResource[];
const revision = "0123456789abcdef0123456789abcdef01234567";
const sources = {
    huggingface: { model: "Qwen/Qwen3-8B" },
    pinned: { model: "Qwen/Qwen3-8B", revision },
    s3: { model: "s3://acme-models/qwen3-8b" },
    volume: { model: "pvc://weights/qwen3-8b" },
    path: { model: "/opt/models/qwen3-8b" },
} as const;
const caches = ["emptyDir", "node-local", "shared"] as const;
type SourceName = keyof typeof sources;
const combos = (Object.keys(sources) as SourceName[]).flatMap((source) => caches.map((cache) => ({ source, cache, name: `${source === "huggingface" ? "hf" : source}-${cache.toLowerCase()}` })));

beforeAll(async () => {
    registered = await installMocks();
    const components = await import("../components");
    for (const { source, cache, name } of combos) {
        const { model, revision: rev } = { revision: undefined, ...sources[source] };
        const parsed = components.parseModelSource(model);
        if (!components.isModelSource(parsed)) throw new Error(parsed.problem);
        const args: ModelServiceArgs = {
            namespace: "model-services",
            name,
            accessName: `u-1/${name}`,
            model,
            source: parsed,
            revision: rev,
            instances: 1,
            nodeGroup: "gpu-l4",
            instanceType: "g6.xlarge",
            modelCache: { kind: cache as ModelCacheKind, sizeGiB: 100, hostPath: cache === "node-local" ? "/mnt/k8s-disks/0/model-cache" : undefined, claimName: cache === "shared" ? "model-cache-gpu-l4" : undefined },
            startupSeconds: 2400,
            awsCredentialsSecret: source === "s3" ? "aws-model-reader" : undefined,
        };
        new components.ModelService(`ms-${name}`, args);
    }
    await settle();
});

function pod(name: string) {
    return ofType(registered, "kubernetes:apps/v1:Deployment").find((r) => r.name === `ms-${name}-deployment`)!.inputs.spec.template.spec;
}
function job(name: string) {
    return ofType(registered, "kubernetes:batch/v1:Job").find((r) => r.name === `ms-${name}-preload`)?.inputs;
}
const envOf = (container: any): Record<string, string> => Object.fromEntries((container.env ?? []).filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));

/** What vLLM loads, per source: uncached, then from a node-local or shared cache. */
const servedModel: Record<SourceName, [string, string]> = {
    huggingface: ["Qwen/Qwen3-8B", "Qwen/Qwen3-8B"],
    pinned: ["Qwen/Qwen3-8B", "Qwen/Qwen3-8B"],
    s3: ["s3://acme-models/qwen3-8b", "/models/s3/acme-models/qwen3-8b"],
    volume: ["/mnt/model-volumes/weights/qwen3-8b", "/mnt/model-volumes/weights/qwen3-8b"],
    path: ["/opt/models/qwen3-8b", "/opt/models/qwen3-8b"],
};
const downloads = (source: SourceName) => source === "huggingface" || source === "pinned" || source === "s3";

describe.each(combos)("source $source × cache $cache", ({ source, cache, name }) => {
    it("serves the model from where the cache puts it, pinned when a revision is given", () => {
        const args: string[] = pod(name).containers[0].args;
        expect(args[0]).toBe(servedModel[source][cache === "emptyDir" ? 0 : 1]);
        expect(args.includes("--revision") ? args[args.indexOf("--revision") + 1] : undefined).toBe(source === "pinned" ? revision : undefined);
    });

    it("runs offline from a read-only cache, or downloads into an emptyDir as before", () => {
        const spec = pod(name);
        const vllm = spec.containers[0];
        const cacheVolume = spec.volumes.find((v: any) => v.name === "model-cache");
        const cacheMount = vllm.volumeMounts.find((m: any) => m.name === "model-cache");
        if (cache === "emptyDir") {
            expect(cacheVolume).toEqual({ name: "model-cache", emptyDir: { sizeLimit: "100Gi" } });
            expect(cacheMount).toEqual({ name: "model-cache", mountPath: "/root/.cache/huggingface" });
            expect(envOf(vllm)).toEqual({ HF_HOME: "/root/.cache/huggingface" });
        } else {
            expect(cacheVolume).toEqual(
                cache === "node-local"
                    ? { name: "model-cache", hostPath: { path: "/mnt/k8s-disks/0/model-cache", type: "DirectoryOrCreate" } }
                    : { name: "model-cache", persistentVolumeClaim: { claimName: "model-cache-gpu-l4", readOnly: true } },
            );
            expect(cacheMount).toEqual({ name: "model-cache", mountPath: "/models", readOnly: true });
            expect(envOf(vllm)).toEqual({ HF_HUB_CACHE: "/models/hub", HF_HUB_OFFLINE: "1" });
        }
        const volumeMount = vllm.volumeMounts.find((m: any) => m.name === "model-volume-0");
        expect(volumeMount).toEqual(source === "volume" ? { name: "model-volume-0", mountPath: "/mnt/model-volumes/weights", readOnly: true } : undefined);
    });

    it("downloads once: a locked init container on a node-local cache, a preload Job (and a wait) on a shared one", () => {
        const init: any[] = pod(name).initContainers ?? [];
        const preload = job(name);
        const fetches = cache !== "emptyDir" && downloads(source);
        if (cache === "node-local" && fetches) {
            expect(init.map((c) => c.name)).toEqual(["model-fetch"]);
            expect(init[0].command.slice(0, 4)).toEqual(["flock", "/models/.lock", "python3", "-c"]);
            expect(init[0].volumeMounts).toEqual([{ name: "model-cache", mountPath: "/models" }]);
        } else if (cache === "shared" && fetches) {
            expect(init.map((c) => c.name)).toEqual(["wait-for-model"]);
            expect(init[0].volumeMounts).toEqual([{ name: "model-cache", mountPath: "/models", readOnly: true }]);
            expect(preload!.spec.template.spec.volumes).toEqual([{ name: "model-cache", persistentVolumeClaim: { claimName: "model-cache-gpu-l4" } }]);
            const items = JSON.parse(preload!.spec.template.spec.containers[0].command[3]);
            expect(items).toEqual([
                source === "s3"
                    ? { kind: "s3", bucket: "acme-models", prefix: "qwen3-8b", key: expect.stringMatching(/^[0-9a-f]{16}$/) }
                    : { kind: "huggingface", repo: "Qwen/Qwen3-8B", revision: source === "pinned" ? revision : undefined, key: expect.stringMatching(/^[0-9a-f]{16}$/) },
            ]);
            // The Job's pod is not selected by the service's Service or PodDisruptionBudget.
            expect(preload!.spec.template.metadata.labels["model-services.io/service"]).toBeUndefined();
        } else {
            expect(init).toEqual([]);
        }
        expect(preload === undefined).toBe(!(cache === "shared" && fetches));
    });

    it("reads S3 with the credentials it was given, and sets the startup budget", () => {
        const vllm = pod(name).containers[0];
        expect(vllm.envFrom).toEqual(source === "s3" ? [{ secretRef: { name: "aws-model-reader" } }] : undefined);
        expect(vllm.startupProbe.failureThreshold * vllm.startupProbe.periodSeconds).toBe(2400);
    });
});
