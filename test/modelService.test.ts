import { beforeAll, describe, expect, it } from "vitest";
import { installMocks, ofType, RegisteredResource, settle, valueOf } from "./helpers/mocks";
import type { ModelServiceArgs } from "../components";

let registered: RegisteredResource[];
let components: typeof import("../components");

function service(overrides: Partial<ModelServiceArgs>): ModelServiceArgs {
    return {
        namespace: "model-services",
        name: "chat",
        accessName: "u-1/chat",
        model: "Qwen/Qwen3-32B",
        instances: 3,
        gpus: 2,
        nodeGroup: "gpu-l40s",
        instanceType: "g6e.12xlarge",
        task: "chat",
        maxModelLen: 16384,
        engineArgs: ["--enable-prefix-caching"],
        env: { VLLM_LOGGING_LEVEL: "INFO" },
        dtype: "auto",
        gpuMemoryUtilization: 0.9,
        ...overrides,
    };
}

let chat: import("../components").ModelService;
let embed: import("../components").ModelService;
let image: import("../components").ModelService;

beforeAll(async () => {
    // The cluster: two of chat's three pods Ready, embed's one pod Ready.
    registered = await installMocks({ cluster: { readyPods: { "vllm-chat": 2 } } });
    components = await import("../components");
    chat = new components.ModelService("ms-chat", service({ huggingFaceTokenSecret: "huggingface-token" }));
    embed = new components.ModelService("ms-embed", service({ name: "embed", accessName: "u-1/embed", task: "embedding", gpus: 1, instances: 1, maxModelLen: undefined, engineArgs: [], env: {} }));
    image = new components.ModelService("ms-image", service({ name: "image", accessName: "u-1/image", task: "image-generation", model: "Qwen/Qwen-Image", gpus: 1, instances: 0, maxModelLen: undefined, gpuMemoryUtilization: undefined, engineArgs: [], env: {} }));
    await settle();
});

function deployment(name: string) {
    const d = ofType(registered, "kubernetes:apps/v1:Deployment").find((r) => r.name === `${name}-deployment`);
    expect(d, `${name} deployment`).toBeDefined();
    return d!.inputs;
}

describe("ModelService", () => {
    it("registers under its type token with a Deployment, a ClusterIP Service, a PDB and a service ID", () => {
        expect(ofType(registered, "model-services:index:ModelService").map((r) => r.name)).toEqual(["ms-chat", "ms-embed", "ms-image"]);
        expect(ofType(registered, "random:index/randomId:RandomId").map((r) => r.name)).toEqual(["ms-chat-id", "ms-embed-id", "ms-image-id"]);
        expect(ofType(registered, "kubernetes:core/v1:Service").map((r) => r.inputs.spec.type)).toEqual(["ClusterIP", "ClusterIP", "ClusterIP"]);
        expect(ofType(registered, "kubernetes:policy/v1:PodDisruptionBudget")).toHaveLength(3);
    });

    it("runs vLLM with the access name, tensor parallel size and engine args", () => {
        const container = deployment("ms-chat").spec.template.spec.containers[0];
        expect(container.image).toBe("vllm/vllm-openai:v0.26.0");
        expect(container.command).toEqual(["vllm", "serve"]);
        expect(container.args).toMatchSnapshot();
        expect(container.args).toEqual(expect.arrayContaining(["--served-model-name", "u-1/chat", "--tensor-parallel-size", "2", "--max-model-len", "16384", "--enable-prefix-caching"]));
    });

    it("requests the GPUs, tolerates the GPU taint and selects its node group", () => {
        const spec = deployment("ms-chat").spec;
        const pod = spec.template.spec;
        expect(spec.replicas).toBe(3);
        expect(pod.containers[0].resources.limits["nvidia.com/gpu"]).toBe("2");
        expect(pod.containers[0].resources.requests["nvidia.com/gpu"]).toBe("2");
        // Half of a g6e.12xlarge (48 vCPU, 384 GiB): its share less headroom.
        expect(pod.containers[0].resources.requests.cpu).toBe("23");
        expect(pod.containers[0].resources.limits.memory).toBe("162Gi");
        expect(pod.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Equal", value: "true", effect: "NoSchedule" }]);
        expect(pod.nodeSelector).toEqual({ "model-services.io/node-group": "gpu-l40s" });
    });

    it("mounts /dev/shm as memory only for tensor parallel > 1, and always a model cache", () => {
        const chatPod = deployment("ms-chat").spec.template.spec;
        expect(chatPod.volumes).toContainEqual({ name: "dshm", emptyDir: { medium: "Memory", sizeLimit: "16Gi" } });
        expect(chatPod.containers[0].volumeMounts).toContainEqual({ name: "dshm", mountPath: "/dev/shm" });
        const embedPod = deployment("ms-embed").spec.template.spec;
        expect(embedPod.volumes.map((v: any) => v.name)).toEqual(["model-cache"]);
    });

    it("reads the Hugging Face token from a Secret, never a literal", () => {
        const env = deployment("ms-chat").spec.template.spec.containers[0].env;
        expect(env).toContainEqual({ name: "HF_TOKEN", valueFrom: { secretKeyRef: { name: "huggingface-token", key: "token" } } });
        expect(env).toContainEqual({ name: "VLLM_LOGGING_LEVEL", value: "INFO" });
        expect(deployment("ms-embed").spec.template.spec.containers[0].env.map((e: any) => e.name)).toEqual(["HF_HOME"]);
    });

    it("has a startup probe sized for slow model loads, then readiness and liveness", () => {
        const c = deployment("ms-chat").spec.template.spec.containers[0];
        expect(c.startupProbe.httpGet.path).toBe("/health");
        expect(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold).toBeGreaterThanOrEqual(1800);
        expect(c.readinessProbe.httpGet.path).toBe("/health");
        expect(c.livenessProbe.httpGet.path).toBe("/health");
    });

    it("sets what embedding, vision and image-generation services need", () => {
        expect(deployment("ms-embed").spec.template.spec.containers[0].args).toEqual(expect.arrayContaining(["--runner", "pooling", "--convert", "embed"]));
        const image = deployment("ms-image").spec.template.spec.containers[0];
        expect(image.image).toBe("vllm/vllm-omni:v0.26.0");
        expect(image.args).toContain("--omni");
        expect(deployment("ms-image").spec.replicas).toBe(0);
    });

    it("labels every object with the recommended labels and the service ID", async () => {
        const id = await valueOf(chat.serviceId);
        expect(id).toMatch(/^ms-[0-9a-f]{12}$/);
        const objects = registered.filter((r) => r.name.startsWith("ms-chat-") && r.type.startsWith("kubernetes:"));
        expect(objects).toHaveLength(3);
        for (const o of objects) {
            expect(o.inputs.metadata.labels).toMatchObject({
                "app.kubernetes.io/name": "vllm",
                "app.kubernetes.io/instance": "vllm-chat",
                "app.kubernetes.io/part-of": "model-services",
                "app.kubernetes.io/managed-by": "pulumi",
                "model-services.io/service-id": id,
            });
        }
        expect(deployment("ms-chat").spec.template.metadata.labels["model-services.io/service-id"]).toBe(id);
        // The selector stays fixed for the life of the service: it must not carry the ID.
        expect(deployment("ms-chat").spec.selector.matchLabels).toEqual({ "app.kubernetes.io/instance": "vllm-chat", "model-services.io/service": "chat" });
    });

    it("reports the Deployment's live status: ready pods of desired, or Stopped", async () => {
        expect(await valueOf(chat.status)).toBe("Starting 2/3");
        expect(await valueOf(embed.status)).toBe("Running 1/1");
        expect(await valueOf(image.status)).toBe("Stopped");
        expect(await valueOf(chat.backendHost)).toBe("vllm-chat.model-services.svc.cluster.local");
    });
});
