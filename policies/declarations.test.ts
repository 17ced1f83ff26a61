import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it, vi } from "vitest";

type Kind = "resource" | "stack";
type Level = "mandatory" | "advisory";

/**
 * Each policy as `pulumi preview` shows it beside its violations, in the pack's order
 * (policies/index.ts): its file (which is its name), export, kind, level and description.
 */
const declared: [file: string, exported: string, kind: Kind, level: Level, description: string][] = [
    ["k8s-workload-gpu-placement", "k8sWorkloadGpuPlacement", "resource", "mandatory", "GPU workloads request nvidia.com/gpu limits, tolerate the GPU taint and select GPU nodes; workloads without GPUs do not tolerate the GPU taint."],
    ["k8s-vllm-probes", "k8sVllmProbes", "resource", "mandatory", "vLLM containers have startup, readiness and liveness probes, and the startup probe allows for a slow model load."],
    ["k8s-image-pinned", "k8sImagePinned", "resource", "mandatory", "Every container image is pinned: a tag other than `latest`, or a digest."],
    ["k8s-secret-no-plaintext-keys", "k8sSecretNoPlaintextKeys", "resource", "mandatory", "API keys and tokens are never in ConfigMaps, env literals, arguments, labels or annotations: only in Secret data."],
    ["k8s-service-backend-clusterip", "k8sServiceBackendClusterip", "stack", "mandatory", "Services that select vLLM pods are ClusterIP without external IPs, and no Ingress or Gateway API route routes to them: clients come in through the API gateway."],
    ["k8s-gateway-admin-not-exposed", "k8sGatewayAdminNotExposed", "stack", "mandatory", "No Service targets the API gateway's admin port, and no gateway container publishes it with a hostPort."],
    ["k8s-vllm-shm-for-tensor-parallel", "k8sVllmShmForTensorParallel", "resource", "mandatory", "vLLM containers with tensor (or pipeline) parallel > 1 mount a memory-backed emptyDir at /dev/shm."],
    ["k8s-deployment-pdb", "k8sDeploymentPdb", "stack", "mandatory", "Deployments and StatefulSets with more than one replica have a PodDisruptionBudget selecting their pods."],
    ["aws-eks-nodegroup-gpu-ami", "awsEksNodegroupGpuAmi", "resource", "mandatory", "EKS node groups of GPU instances use an NVIDIA AMI type, and every node group keeps maxSize ≥ desiredSize ≥ minSize."],
    ["k8s-service-id-label", "k8sServiceIdLabel", "resource", "mandatory", "Every object of a model service (and every pod it runs) carries the model-services.io/service-id label."],
    ["stack-gpu-budget", "stackGpuBudget", "stack", "mandatory", "The stack's GPUs (EKS node groups at desired size; pods × replicas) and their hourly cost stay within a budget set in the pack's config."],
    ["k8s-container-resources", "k8sContainerResources", "resource", "mandatory", "Every container sets resources.requests and resources.limits for cpu and memory."],
    ["k8s-vllm-model-pinned", "k8sVllmModelPinned", "resource", "advisory", "vLLM serves Hugging Face models pinned to a revision (commit), and LoRA adapters from pinned snapshots."],
    ["k8s-model-cache-read-only", "k8sModelCacheReadOnly", "resource", "mandatory", "Pods running vLLM mount PersistentVolumeClaims read-only, and their vLLM containers mount node directories (hostPath) read-only."],
    ["k8s-vllm-network-policy", "k8sVllmNetworkPolicy", "stack", "mandatory", "vLLM pods are selected by a NetworkPolicy restricting ingress, and no policy selecting them admits every source."],
    ["k8s-service-lb-no-public-plaintext", "k8sServiceLbNoPublicPlaintext", "resource", "mandatory", "An internet-facing LoadBalancer Service serves every port with TLS: an ACM certificate at the NLB, or TLS passed through to a TLS port."],
];

describe("each policy as the pack declares it", () => {
    it.each(declared)("%s", async (file, exported, kind, level, description) => {
        // The declaration is a module constant: import it afresh so that the test sees it as loaded now.
        vi.resetModules();
        const policy = (await import(`./${file}`))[exported];
        expect({ name: policy.name, kind: "validateStack" in policy ? "stack" : "resource", level: policy.enforcementLevel, description: policy.description }).toEqual({
            name: file,
            kind,
            level,
            description,
        });
    });

    it("covers every policy file", () => {
        const files = readdirSync(__dirname).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && f !== "index.ts");
        expect(files.map((f) => f.replace(/\.ts$/, "")).sort()).toEqual(declared.map(([file]) => file).sort());
    });

    it("is the pack's list, in its order", () => {
        const index = readFileSync(path.join(__dirname, "index.ts"), "utf8");
        const list = index.slice(index.indexOf("export const policies"), index.indexOf("];"));
        expect([...list.matchAll(/^\s+(\w+),$/gm)].map((m) => m[1])).toEqual(declared.map(([, exported]) => exported));
    });

    it("is as many as the README's guardrails section says", () => {
        const readme = readFileSync(path.join(__dirname, "../README.md"), "utf8");
        const counted = /--policy-pack policies` runs (\w+) policies/.exec(readme)?.[1];
        const numbers = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty".split(" ");
        expect(numbers.indexOf(counted ?? "")).toBe(declared.length);
    });

    it("is the table docs/policies.md shows, row for row", () => {
        const docs = readFileSync(path.join(__dirname, "../docs/policies.md"), "utf8");
        const rows = [...docs.matchAll(/^\| \[`([a-z0-9-]+)`\]\(#\1\) \| (\w+) \| (\w+) \|/gm)].map((m) => [m[1], m[2], m[3]]);
        expect(rows).toEqual(declared.map(([file, , kind, level]) => [file, kind, level]));
    });
});
