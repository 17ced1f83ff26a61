import { describe, expect, it } from "vitest";
import { gpuInstanceTypes } from "../catalog/gpuInstances";
import { ConfigError } from "./issues";
import { parseConfig } from "./parse";
import { PlatformConfig } from "./types";

/**
 * The model side of a service's config (`modelServices.ts`): caches resolved from the service
 * or its node group, adapters checked against their base, S3 access checked against the
 * cluster. Each case is one edit of a valid config; messages are asserted whole.
 */

type Raw = Record<string, any>;

function kubeconfigStack(): Raw {
    return {
        owner: "u-1",
        cluster: { kind: "kubeconfig", kubeconfig: ".cluster/kubeconfig" },
        nodeGroups: [{ name: "gpu", instanceType: "g6.xlarge", minSize: 0, maxSize: 2 }],
        services: [{ name: "chat", model: "Qwen/Qwen3-8B", instances: 1, nodeGroup: "gpu", maxModelLen: 8192 }],
        apiKeys: [{ name: "app", services: ["*"] }],
    };
}

function eksStack(): Raw {
    return { ...kubeconfigStack(), cluster: { kind: "eks", name: "ms" } };
}

function parsed(raw: Raw): PlatformConfig {
    return parseConfig(raw, { stack: "test" });
}

function problems(raw: Raw): string[] {
    try {
        parsed(raw);
    } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).issues.map((i) => i.message);
    }
    throw new Error("expected the config to be rejected");
}

function edited(base: () => Raw, edit: (c: Raw) => void): Raw {
    const config = base();
    edit(config);
    return config;
}

describe("resolveModelCache", () => {
    it("an emptyDir of the default size, scoped to the group, when neither the service nor its group sets one", () => {
        expect(parsed(kubeconfigStack()).services[0].modelCache).toEqual({ kind: "emptyDir", sizeGiB: 200, scope: "node-group/gpu" });
    });

    it("the group's cache, scoped to the group; the service's own, scoped to the service, wins", () => {
        const fromGroup = edited(kubeconfigStack, (c) => (c.nodeGroups[0].modelCache = { kind: "node-local", sizeGiB: 150 }));
        expect(parsed(fromGroup).services[0].modelCache).toEqual({ kind: "node-local", sizeGiB: 150, hostPath: "/mnt/k8s-disks/0/model-cache", scope: "node-group/gpu" });
        const own = edited(kubeconfigStack, (c) => {
            c.nodeGroups[0].modelCache = { kind: "node-local", sizeGiB: 150 };
            c.services[0].modelCache = { kind: "shared", sizeGiB: 300, storageClass: "nfs" };
        });
        expect(parsed(own).services[0].modelCache).toEqual({ kind: "shared", sizeGiB: 300, storageClass: "nfs", scope: "service/chat" });
    });

    it("a node-local hostPath of the config is kept; off the instance-store array it is refused on EKS only", () => {
        const custom = (base: () => Raw) => edited(base, (c) => (c.services[0].modelCache = { kind: "node-local", hostPath: "/var/cache/models" }));
        expect(parsed(custom(kubeconfigStack)).services[0].modelCache.hostPath).toBe("/var/cache/models");
        expect(problems(custom(eksStack))).toEqual([
            'services[0].modelCache.hostPath: is not on the instance-store array (/mnt/k8s-disks/0): the cache would fill the node\'s root volume, got "/var/cache/models". Use a directory under /mnt/k8s-disks/0/, e.g. /mnt/k8s-disks/0/model-cache, or remove hostPath.',
        ]);
        const onArray = edited(eksStack, (c) => (c.services[0].modelCache = { kind: "node-local", hostPath: "/mnt/k8s-disks/0/other" }));
        expect(parsed(onArray).services[0].modelCache.hostPath).toBe("/mnt/k8s-disks/0/other");
    });

    it("a node-local cache larger than the group's instance store is refused on EKS, at the group's path when it is the group's", () => {
        // g6.xlarge has 250 GB of instance store: 232 GiB fit, 233 do not.
        const sized = (base: () => Raw, sizeGiB: number) => edited(base, (c) => (c.nodeGroups[0].modelCache = { kind: "node-local", sizeGiB }));
        expect(parsed(sized(eksStack, 232)).services[0].modelCache.sizeGiB).toBe(232);
        expect(problems(sized(eksStack, 233))).toEqual([
            "nodeGroups[0].modelCache.sizeGiB: is more than the 250 GB of instance store of g6.xlarge, got 233. Lower it to at most 232.",
        ]);
        expect(parsed(sized(kubeconfigStack, 5000)).services[0].modelCache.sizeGiB).toBe(5000);
    });

    it("every GPU type of the catalog has instance store, so a node-local cache fits on any of them when sized for it", () => {
        expect(gpuInstanceTypes.filter((t) => !(t.instanceStoreGB > 0)).map((t) => t.instanceType)).toEqual([]);
    });

    it("a node-local cache on a Bottlerocket group is refused on EKS", () => {
        const bottlerocket = edited(eksStack, (c) => {
            c.nodeGroups[0].amiType = "BOTTLEROCKET_x86_64_NVIDIA";
            c.services[0].modelCache = { kind: "node-local" };
        });
        expect(problems(bottlerocket)).toEqual([
            "services[0].modelCache.kind: needs the instance store set up as RAID0 by nodeadm, which the AL2023 AMI runs and BOTTLEROCKET_x86_64_NVIDIA does not, got \"node-local\". Set nodeGroups[0].amiType to AL2023_x86_64_NVIDIA, or use a shared cache.",
        ]);
    });

    it("hostPath belongs to node-local caches, storageClass to shared ones", () => {
        expect(problems(edited(kubeconfigStack, (c) => (c.services[0].modelCache = { kind: "emptyDir", hostPath: "/x" })))).toEqual([
            'services[0].modelCache.hostPath: applies to node-local caches only, not emptyDir, got "/x". Remove hostPath, or set kind: node-local.',
        ]);
        expect(problems(edited(kubeconfigStack, (c) => (c.nodeGroups[0].modelCache = { kind: "node-local", storageClass: "nfs" })))).toEqual([
            'nodeGroups[0].modelCache.storageClass: applies to shared caches only, not node-local, got "nfs". Remove storageClass, or set kind: shared.',
        ]);
    });

    it("a shared cache needs a StorageClass, except on an EKS cluster the stack creates (the platform's EFS)", () => {
        const shared = (base: () => Raw) => edited(base, (c) => (c.services[0].modelCache = { kind: "shared" }));
        expect(problems(shared(kubeconfigStack))).toEqual(["services[0].modelCache.storageClass: is required for a shared cache. Name a ReadWriteMany StorageClass of the cluster."]);
        expect(parsed(shared(eksStack)).services[0].modelCache.storageClass).toBe("model-services-efs");
        const existing = edited(() => shared(eksStack), (c) => (c.cluster = { kind: "eks", name: "ms", create: false }));
        expect(problems(existing)).toEqual([
            "services[0].modelCache.storageClass: is required for a shared cache. Name a ReadWriteMany StorageClass of the existing cluster: EFS (efs.csi.aws.com) or FSx for Lustre (fsx.csi.aws.com), see docs/models.md.",
        ]);
    });
});

describe("resolveAdapters", () => {
    const withAdapter = (adapter: Raw, base: () => Raw = kubeconfigStack) =>
        edited(base, (c) => c.services.push({ name: "tuned", base: "chat", adapter: "org/tuned-lora", rank: 16, ...adapter }));

    it("an adapter takes its base's model, instances, node group, task and cache", () => {
        const config = parsed(withAdapter({}));
        const [base, adapter] = config.services;
        expect(adapter).toMatchObject({ name: "tuned", base: "chat", rank: 16, model: base.model, instances: 1, nodeGroup: "gpu", task: "chat" });
        expect(adapter.modelCache).toBe(base.modelCache);
        expect(adapter.source).toBe(base.source);
        expect(adapter.adapter).toMatchObject({ uri: "org/tuned-lora" });
    });

    it("keys an adapter leaves undefined are not reported (programs compose configs with optional fields)", () => {
        expect(parsed(withAdapter({ instances: undefined, nodeGroup: undefined, maxModelLen: undefined })).services[1].instances).toBe(1);
        expect(problems(withAdapter({ instances: 2 }))).toEqual(['services[1].instances: cannot be set on an adapter service: it runs in its base\'s pods. Set it on the base service "chat", or remove it.']);
    });

    it("a base that names no service: the fix lists the base services only, not adapters", () => {
        const second = edited(
            () => withAdapter({}),
            (c) => c.services.push({ name: "other", base: "nothing-like-it", adapter: "org/other-lora", rank: 8 }),
        );
        expect(problems(second)).toEqual(['services[2].base: names no service, got "nothing-like-it". Use one of "chat".']);
    });

    it("a base that names no service when there is no base at all: the fix says to add one", () => {
        const onlyAdapter = edited(kubeconfigStack, (c) => (c.services = [{ name: "tuned", base: "chat", adapter: "org/tuned-lora", rank: 16 }]));
        expect(problems(onlyAdapter)).toContain('services[0].base: names no service, got "chat". Add the base service first.');
    });

    it("names the missing adapter and rank, each with its fix", () => {
        expect(problems(withAdapter({ adapter: undefined, rank: undefined }))).toEqual([
            "services[1].adapter: is missing; an adapter service names its LoRA adapter. Set adapter to the adapter's Hugging Face id, s3:// or pvc:// source.",
            "services[1].rank: is missing; vLLM must reserve room for the adapter's rank. Set rank to r from the adapter's adapter_config.json.",
        ]);
    });

    it("refuses a base that serves neither chat nor vision", () => {
        const embeddingBase = edited(
            () => withAdapter({}),
            (c) => Object.assign(c.services[0], { model: "BAAI/bge-m3", task: "embedding", maxModelLen: undefined }),
        );
        expect(problems(embeddingBase)).toEqual(['services[1].base: serves embedding; LoRA adapters are served for chat and vision models, got "chat". Pick a chat or vision base.']);
    });

    it("accepts a vision base", () => {
        const visionBase = edited(
            () => withAdapter({}),
            (c) => Object.assign(c.services[0], { model: "Qwen/Qwen2.5-VL-7B-Instruct", task: "vision" }),
        );
        expect(parsed(visionBase).services[1].task).toBe("vision");
    });

    it("a rank at the base's limit is accepted; above it, the fix names the next of vLLM's choices", () => {
        const ranked = (rank: number, maxLoraRank?: number) =>
            edited(
                () => withAdapter({ rank }),
                (c) => (c.services[0].maxLoraRank = maxLoraRank),
            );
        expect(parsed(ranked(32, 32)).services[1].rank).toBe(32);
        expect(problems(ranked(48, 32))).toEqual([
            'services[1].rank: is above the LoRA rank limit of base "chat" (maxLoraRank 32), got 48. Raise services[0].maxLoraRank to 64, or use an adapter of rank ≤ 32.',
        ]);
        // Without maxLoraRank the limit is vLLM's largest choice, which is also the schema's bound on rank.
        expect(parsed(ranked(512)).services[1].rank).toBe(512);
    });

    it("a base without a model cache cannot take an S3 adapter or a pinned revision; with one, it can", () => {
        const s3 = (base: () => Raw) => withAdapter({ adapter: "s3://bucket/lora" }, base);
        const secretS3 = () => edited(kubeconfigStack, (c) => (c.modelAccess = { s3: { mode: "secret", secretName: "aws" } }));
        expect(problems(s3(secretS3))).toEqual([
            'services[1].adapter: is in S3, which vLLM cannot read adapters from, and its base has no model cache to preload it into, got "s3://bucket/lora". Give base "chat" a node-local or shared modelCache.',
        ]);
        const pinned = withAdapter({ revision: "0123456789abcdef0123456789abcdef01234567" });
        expect(problems(pinned)).toEqual([
            'services[1].revision: needs a model cache on the base: vLLM\'s --lora-modules cannot pin a revision, so the pinned snapshot is preloaded, got "0123456789abcdef0123456789abcdef01234567". Give base "chat" a node-local or shared modelCache, or remove revision.',
        ]);
        // A revision on a source other than Hugging Face is its own error, not this one.
        expect(problems(withAdapter({ adapter: "pvc://loras/tuned", revision: "0123456789abcdef0123456789abcdef01234567" }))).toEqual([
            'services[1].revision: pins Hugging Face sources only, not volume ones, got "0123456789abcdef0123456789abcdef01234567". Remove revision.',
        ]);
        const cached = (c: Raw) => (c.services[0].modelCache = { kind: "node-local" });
        expect(parsed(edited(() => s3(secretS3), cached)).services[1].adapter).toMatchObject({ kind: "s3" });
        expect(parsed(edited(() => pinned, cached)).services[1].revision).toBe("0123456789abcdef0123456789abcdef01234567");
    });
});

describe("resolveModelAccess", () => {
    const access = (base: () => Raw, s3: Raw) => edited(base, (c) => (c.modelAccess = { s3 }));

    it("no modelAccess: no S3 access, and an S3 model says how to configure it", () => {
        expect(parsed(kubeconfigStack()).modelAccess).toEqual({});
        expect(problems(edited(kubeconfigStack, (c) => (c.services[0].model = "s3://bucket/qwen3-8b")))).toContain(
            'services[0].model: is an S3 URI but no S3 access is configured, got "s3://bucket/qwen3-8b". Set modelAccess.s3.mode: pod-identity (EKS Pod Identity role for that prefix), node-role (the node group\'s role) or secret (with modelAccess.s3.secretName).',
        );
    });

    it("mode secret needs a secretName, and any cluster will do", () => {
        expect(parsed(access(kubeconfigStack, { mode: "secret", secretName: "aws" })).modelAccess).toEqual({ s3: { mode: "secret", secretName: "aws" } });
        expect(problems(access(kubeconfigStack, { mode: "secret" }))).toEqual([
            "modelAccess.s3.secretName: is required with mode secret. Create a Secret with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the namespace and name it here.",
        ]);
    });

    it("the IAM modes take no secretName and need EKS", () => {
        expect(parsed(access(eksStack, { mode: "pod-identity" })).modelAccess).toEqual({ s3: { mode: "pod-identity", secretName: undefined } });
        expect(parsed(access(eksStack, { mode: "node-role" })).modelAccess.s3?.mode).toBe("node-role");
        expect(problems(access(eksStack, { mode: "node-role", secretName: "aws" }))).toEqual([
            'modelAccess.s3.secretName: is not used with mode node-role, got "aws". Remove secretName, or set mode: secret.',
        ]);
        expect(problems(access(kubeconfigStack, { mode: "pod-identity" }))).toEqual([
            'modelAccess.s3.mode: needs an EKS cluster (it grants an IAM role read access), got "pod-identity". Use mode secret with a Secret of AWS keys on this cluster.',
        ]);
    });
});
