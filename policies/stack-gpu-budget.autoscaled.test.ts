import { beforeEach, describe, expect, it, vi } from "vitest";
import { changed, vllmDeployment } from "./lib/fixtures";
import { stackViolationMessages, TestResource, unknownDuringPreview } from "./lib/testing";

// The ScaledObject's type token is a module constant: each test imports the policy afresh.
let stackGpuBudget: typeof import("./stack-gpu-budget").stackGpuBudget;

beforeEach(async () => {
    vi.resetModules();
    stackGpuBudget = (await import("./stack-gpu-budget")).stackGpuBudget;
});

const deployment = vllmDeployment();
const namespace: string = deployment.props.metadata.namespace;
const messages = (resources: TestResource[], config: object = {}) => stackViolationMessages(stackGpuBudget, resources, config);
const raiseGpus = "lower the instances or GPUs of services (or the node groups' sizes), or raise maxGpus in the stack-gpu-budget policy config.";
const overBudget = (replicas: number, name = "vllm-qwen-32b") =>
    `The stack's pods request ${replicas * 2} GPUs (Deployment "${name}": ${replicas} × 2 GPUs), over the budget of 3: ${raiseGpus}`;

/** A KEDA ScaledObject scaling the vLLM Deployment up to five replicas. */
function scaledObject(): TestResource {
    return {
        type: "kubernetes:keda.sh/v1alpha1:ScaledObject",
        name: "model-services-qwen-32b-autoscaler-scaledobject",
        props: {
            apiVersion: "keda.sh/v1alpha1",
            kind: "ScaledObject",
            metadata: { name: "vllm-qwen-32b", namespace },
            spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "vllm-qwen-32b" }, minReplicaCount: 0, maxReplicaCount: 5 },
        },
    };
}

describe("stack-gpu-budget: autoscaled workloads", () => {
    it("counts an autoscaled Deployment at its ScaledObject's maxReplicaCount, not at the replicas it runs now", async () => {
        const autoscaled = changed(deployment, (p) => delete p.spec.replicas);
        expect(await messages([autoscaled, scaledObject()], { maxGpus: 9 })).toEqual([
            `The stack's pods request 10 GPUs (Deployment "vllm-qwen-32b": 5 × 2 GPUs), over the budget of 9: ${raiseGpus}`,
        ]);
        expect(await messages([autoscaled, scaledObject()], { maxGpus: 10 })).toEqual([]);
    });

    it.each([
        ["without a kind", (p: Record<string, any>) => delete p.spec.scaleTargetRef.kind],
        ["with an empty kind (Go reads it as unset)", (p: Record<string, any>) => (p.spec.scaleTargetRef.kind = "")],
    ])("takes a scaleTargetRef %s for a Deployment, as KEDA does", async (_, change) => {
        expect(await messages([deployment, changed(scaledObject(), change)], { maxGpus: 3 })).toEqual([overBudget(5)]);
    });

    it("matches a ScaledObject to a workload of its target's kind only", async () => {
        const forStatefulSet = changed(scaledObject(), (p) => (p.spec.scaleTargetRef.kind = "StatefulSet"));
        expect(await messages([deployment, forStatefulSet], { maxGpus: 3 })).toEqual([overBudget(2)]);
    });

    it("matches in the default namespace: an auto-named ScaledObject (no metadata) and a Deployment without a namespace", async () => {
        const defaultNamespace = changed(deployment, (p) => delete p.metadata.namespace);
        const autoNamed = changed(scaledObject(), (p) => delete p.metadata);
        expect(await messages([defaultNamespace, autoNamed], { maxGpus: 3 })).toEqual([overBudget(5)]);
        // …and not across namespaces.
        expect(await messages([defaultNamespace, scaledObject()], { maxGpus: 3 })).toEqual([overBudget(2)]);
    });

    it("counts an auto-named Deployment (no metadata.name) at its replicas, under its Pulumi name", async () => {
        const autoNamed = changed(deployment, (p) => delete p.metadata.name);
        expect(await messages([autoNamed, scaledObject()], { maxGpus: 3 })).toEqual([overBudget(2, "model-services-qwen-32b-deployment")]);
    });

    it("takes the default namespace named and left out for the same", async () => {
        const named = changed(scaledObject(), (p) => (p.metadata.namespace = "default"));
        expect(await messages([changed(deployment, (p) => delete p.metadata.namespace), named], { maxGpus: 3 })).toEqual([overBudget(5)]);
        const leftOut = changed(scaledObject(), (p) => delete p.metadata.namespace);
        expect(await messages([changed(deployment, (p) => (p.metadata.namespace = "default")), leftOut], { maxGpus: 3 })).toEqual([overBudget(5)]);
    });

    it("takes a ScaledObject without maxReplicaCount at KEDA's default of 100", async () => {
        const unbounded = changed(scaledObject(), (p) => delete p.spec.maxReplicaCount);
        expect(await messages([deployment, unbounded], { maxGpus: 3 })).toEqual([overBudget(100)]);
    });

    it("counts a Deployment without metadata at its replicas, under its Pulumi name", async () => {
        const noMetadata = changed(deployment, (p) => delete p.metadata);
        expect(await messages([noMetadata, scaledObject()], { maxGpus: 3 })).toEqual([overBudget(2, "model-services-qwen-32b-deployment")]);
    });

    it("counts a Deployment whose whole metadata is unknown during preview at its replicas", async () => {
        const unknownMetadata = changed(deployment, (p) => (p.metadata = unknownDuringPreview));
        expect(await messages([unknownMetadata, scaledObject()], { maxGpus: 3 })).toEqual([overBudget(2, "model-services-qwen-32b-deployment")]);
    });

    // Unknown until the update, they match nothing yet: the check runs again, with every value known, when `pulumi up` registers them.
    it.each<[string, (p: Record<string, any>) => void, string]>([
        ["namespace", (p) => (p.metadata.namespace = unknownDuringPreview), "vllm-qwen-32b"],
        ["name", (p) => (p.metadata.name = unknownDuringPreview), "model-services-qwen-32b-deployment"],
    ])("counts a Deployment whose %s is unknown during preview at its replicas", async (_, change, name) => {
        expect(await messages([changed(deployment, change), scaledObject()], { maxGpus: 3 })).toEqual([overBudget(2, name)]);
    });

    it.each<[string, (p: Record<string, any>) => void]>([
        ["spec is unknown during preview", (p) => (p.spec = unknownDuringPreview)],
        ["maxReplicaCount is unknown during preview", (p) => (p.spec.maxReplicaCount = unknownDuringPreview)],
        ["target's name is unknown during preview", (p) => (p.spec.scaleTargetRef.name = unknownDuringPreview)],
        ["namespace is unknown during preview", (p) => (p.metadata.namespace = unknownDuringPreview)],
        ["target's kind is unknown during preview", (p) => (p.spec.scaleTargetRef.kind = unknownDuringPreview)],
        ["spec is missing", (p) => delete p.spec],
        ["scaleTargetRef is missing", (p) => delete p.spec.scaleTargetRef],
    ])("counts the Deployment at its replicas when its ScaledObject's %s", async (_, change) => {
        expect(await messages([deployment, changed(scaledObject(), change)], { maxGpus: 3 })).toEqual([overBudget(2)]);
    });
});

describe("stack-gpu-budget: workloads a HorizontalPodAutoscaler scales", () => {
    /** An HPA of the given autoscaling version scaling the vLLM Deployment up to four replicas. */
    const hpa = (version: string): TestResource => ({
        type: `kubernetes:autoscaling/${version}:HorizontalPodAutoscaler`,
        name: "vllm-hpa",
        props: {
            metadata: { name: "vllm-qwen-32b", namespace },
            spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "vllm-qwen-32b" }, minReplicas: 1, maxReplicas: 4 },
        },
    });

    it.each(["v2", "v1"])("counts the Deployment at an autoscaling/%s HPA's maxReplicas", async (version) => {
        expect(await messages([deployment, hpa(version)], { maxGpus: 3 })).toEqual([overBudget(4)]);
    });

    it("takes the larger bound when a ScaledObject and an HPA both name the Deployment", async () => {
        expect(await messages([deployment, hpa("v2"), scaledObject()], { maxGpus: 3 })).toEqual([overBudget(5)]);
        const tighter = changed(scaledObject(), (p) => (p.spec.maxReplicaCount = 3));
        expect(await messages([deployment, hpa("v2"), tighter], { maxGpus: 3 })).toEqual([overBudget(4)]);
    });

    it.each<[string, (p: Record<string, any>) => void]>([
        ["maxReplicas is unknown during preview", (p) => (p.spec.maxReplicas = unknownDuringPreview)],
        ["maxReplicas is missing (the API server refuses it)", (p) => delete p.spec.maxReplicas],
    ])("counts the Deployment at its replicas when the HPA's %s", async (_, change) => {
        expect(await messages([deployment, changed(hpa("v2"), change)], { maxGpus: 3 })).toEqual([overBudget(2)]);
    });

    it("does not read another kind's spec as an autoscaler's", async () => {
        const lookalike = { ...hpa("v2"), type: "kubernetes:example.com/v1:Scaler" };
        expect(await messages([deployment, lookalike], { maxGpus: 3 })).toEqual([overBudget(2)]);
    });
});
