import { unknownCheckingProxy } from "@pulumi/policy";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { commandWords, containers, flagValue, imageRepository, isKubernetes, isVllmContainer, kubernetesObject, labelSelector, LabelSelector, Labels, sameNamespace, selects, serviceSelector, serviceSelects, workloadOfResource } from "./kubernetes";
import { unknownDuringPreview } from "./testing";
import { unknownValue } from "./values";

/** Properties with `value` at a dotted path (`spec.template`), merged into `props`. */
function withPath(props: Record<string, any>, path: string, value: unknown): Record<string, any> {
    const keys = path.split(".");
    let at = props;
    for (const key of keys.slice(0, -1)) {
        at = at[key] ??= {};
    }
    at[keys[keys.length - 1]] = value;
    return props;
}

const podSpec = { containers: [{ name: "vllm", image: "vllm/vllm-openai:v0.26.0" }] };
const metadata = { name: "vllm-test", namespace: "models", labels: { team: "ml" } };

describe("workload: where each kind keeps its pod template and replica count", () => {
    // The shapes are a module constant: a fresh module (and its own unknownValue) per test.
    let k8s: typeof import("./kubernetes");

    beforeEach(async () => {
        vi.resetModules();
        k8s = await import("./kubernetes");
    });

    it.each([
        ["kubernetes:apps/v1:Deployment", "spec.template", "spec.replicas"],
        ["kubernetes:apps/v1:StatefulSet", "spec.template", "spec.replicas"],
        ["kubernetes:apps/v1:ReplicaSet", "spec.template", "spec.replicas"],
        ["kubernetes:core/v1:ReplicationController", "spec.template", "spec.replicas"],
        ["kubernetes:batch/v1:Job", "spec.template", "spec.parallelism"],
        ["kubernetes:batch/v1:CronJob", "spec.jobTemplate.spec.template", "spec.jobTemplate.spec.parallelism"],
    ])("%s: pod template at %s, pods from %s", (type, templatePath, replicasPath) => {
        const props = withPath(withPath({ metadata, spec: { selector: { matchLabels: { app: "vllm" } } } }, templatePath, { metadata: { labels: { app: "vllm" } }, spec: podSpec }), replicasPath, 3);
        expect(k8s.workload(type, props, "resource")).toEqual({
            kind: type.split(":")[2],
            name: "vllm-test",
            namespace: "models",
            labels: { team: "ml" },
            type,
            podLabels: { app: "vllm" },
            podSpec,
            replicas: 3,
            selector: { matchLabels: { app: "vllm" }, matchExpressions: [] },
        });
    });

    it("kubernetes:apps/v1:DaemonSet: pod template at spec.template, no replica count (one pod per node)", () => {
        const props = { metadata, spec: { template: { metadata: { labels: { app: "plugin" } }, spec: podSpec } } };
        expect(k8s.workload("kubernetes:apps/v1:DaemonSet", props, "resource")).toEqual({
            kind: "DaemonSet",
            name: "vllm-test",
            namespace: "models",
            labels: { team: "ml" },
            type: "kubernetes:apps/v1:DaemonSet",
            podLabels: { app: "plugin" },
            podSpec,
            replicas: undefined,
            selector: undefined,
        });
    });

    it("a Pod is its own template: its labels and spec, one replica, no selector", () => {
        expect(k8s.workload("kubernetes:core/v1:Pod", { metadata, spec: podSpec }, "resource")).toEqual({
            kind: "Pod",
            name: "vllm-test",
            namespace: "models",
            labels: { team: "ml" },
            type: "kubernetes:core/v1:Pod",
            podLabels: { team: "ml" },
            podSpec,
            replicas: 1,
            selector: undefined,
        });
    });

    it("a Service or another provider's resource is no workload", () => {
        expect(k8s.workload("kubernetes:core/v1:Service", { metadata, spec: { selector: { app: "vllm" } } }, "resource")).toBeUndefined();
        expect(k8s.workload("aws:eks/nodeGroup:NodeGroup", { spec: { template: { spec: podSpec } } }, "resource")).toBeUndefined();
    });
});

describe("isKubernetes: Kubernetes objects, not the components that render them", () => {
    it.each([
        ["kubernetes:core/v1:Pod", true],
        ["kubernetes:networking.k8s.io/v1:NetworkPolicy", true],
        ["kubernetes:yaml:ConfigFile", false],
        ["kubernetes:yaml:ConfigGroup", false],
        ["kubernetes:yaml/v2:ConfigFile", false],
        ["kubernetes:yaml/v2:ConfigGroup", false],
        ["kubernetes:kustomize:Directory", false],
        ["kubernetes:kustomize/v2:Directory", false],
        ["kubernetes:helm.sh/v3:Chart", false],
        ["kubernetes:helm.sh/v4:Chart", false],
        ["kubernetes:yaml/v10:ConfigGroup", false],
        ["kubernetes:helm.sh/v3:Release", false],
        ["kubernetes:yamlish.example.com/v1:Thing", true],
        ["aws:eks/nodeGroup:NodeGroup", false],
        ["model-services:index:ModelService", false],
    ])("%s → %s", (type, expected) => {
        expect(isKubernetes(type)).toBe(expected);
    });
});

describe("kubernetesObject: identity from metadata", () => {
    it("is undefined for another provider's resource", () => {
        expect(kubernetesObject("aws:eks/nodeGroup:NodeGroup", { metadata }, "nodes")).toBeUndefined();
    });

    it("takes the Pulumi name when metadata.name is absent, and no namespace (the provider's default)", () => {
        expect(kubernetesObject("kubernetes:core/v1:Service", {}, "vllm-svc")).toEqual({ kind: "Service", name: "vllm-svc", namespace: undefined, labels: {} });
    });

    it("has an unknown namespace and labels while the whole metadata is unknown (a preview)", () => {
        expect(kubernetesObject("kubernetes:core/v1:Service", { metadata: unknownValue }, "vllm-svc")).toEqual({
            kind: "Service",
            name: "vllm-svc",
            namespace: unknownValue,
            labels: unknownValue,
        });
    });
});

describe("workloadOfResource: a workload whose pod spec is known", () => {
    const deployment = (spec: unknown) => ({ metadata: { name: "vllm-test" }, spec: { replicas: 2, template: { spec } } });

    it("reads the engine's proxied properties", () => {
        const w = workloadOfResource({ type: "kubernetes:apps/v1:Deployment", props: unknownCheckingProxy(deployment(podSpec)), name: "vllm" });
        expect(w?.podSpec).toEqual(podSpec);
        expect(w?.replicas).toBe(2);
    });

    it("is undefined while the pod spec is unknown (a preview checks it again at up)", () => {
        expect(workloadOfResource({ type: "kubernetes:apps/v1:Deployment", props: unknownCheckingProxy(deployment(unknownDuringPreview)), name: "vllm" })).toBeUndefined();
    });
});

describe("labelSelector: a selector's expressions, whatever their shape", () => {
    it("reads a missing key, operator or values as empty, and a null expression too", () => {
        expect(labelSelector({ matchExpressions: [null, {}, { key: "tier", operator: "In", values: ["a", 1] }] })).toEqual({
            matchLabels: {},
            matchExpressions: [
                { key: "", operator: "", values: [] },
                { key: "", operator: "", values: [] },
                { key: "tier", operator: "In", values: ["a"] },
            ],
        });
    });
});

describe("containers: the containers and init containers of a pod spec", () => {
    it("skips entries that are not objects and names an unnamed one by its index", () => {
        expect(containers({ containers: [null, "sidecar", { image: "busybox" }], initContainers: [{ name: "download" }] })).toEqual([
            { name: "#2", role: "container", spec: { image: "busybox" } },
            { name: "download", role: "init container", spec: { name: "download" } },
        ]);
    });
});

describe("imageRepository: the image without tag or digest", () => {
    it.each([
        ["vllm/vllm-openai:v0.26.0", "vllm/vllm-openai"],
        ["registry.local:5000/vllm/vllm-openai", "registry.local:5000/vllm/vllm-openai"],
        ["registry.local:5000/vllm/vllm-openai:v1@sha256:00", "registry.local:5000/vllm/vllm-openai"],
        // Only a colon after the last slash starts a tag.
        ["registry:/vllm-openai:v1", "registry:/vllm-openai"],
    ])("%s → %s", (image, expected) => {
        expect(imageRepository(image)).toBe(expected);
    });
});

describe("commandWords: a container's command and args, split into words", () => {
    it("splits shell strings on any run of whitespace and drops empty words", () => {
        const spec = { command: ["sh", "-c", ""], args: ["  vllm \t serve\nQwen/Qwen3-32B ", "--port=8000"] };
        expect(commandWords({ name: "c", role: "container", spec })).toEqual(["sh", "-c", "vllm", "serve", "Qwen/Qwen3-32B", "--port=8000"]);
    });
});

describe("isVllmContainer: vLLM's server, by command or image", () => {
    const container = (spec: Record<string, any>) => ({ name: "c", role: "container", spec });

    it.each([
        ["vllm serve", { image: "python:3.12", command: ["vllm", "serve", "Qwen/Qwen3-32B"] }],
        ["a path to vllm, serve", { image: "python:3.12", command: ["/opt/venv/bin/vllm"], args: ["serve", "Qwen/Qwen3-32B"] }],
        ["a shell string (split on any whitespace)", { image: "python:3.12", command: ["sh", "-c"], args: ["  vllm \t serve\nQwen/Qwen3-32B "] }],
        ["the api_server module", { image: "python:3.12", command: ["python", "-m", "vllm.entrypoints.openai.api_server"] }],
        ["the official image's entrypoint", { image: "docker.io/vllm/vllm-openai:v0.26.0", args: ["--model", "Qwen/Qwen3-32B"] }],
        ["the omni image's entrypoint", { image: "vllm/vllm-omni:v0.1.0" }],
    ])("is one: %s", (_, spec) => {
        expect(isVllmContainer(container(spec))).toBe(true);
    });

    it.each([
        ["another vllm subcommand", { image: "python:3.12", command: ["vllm", "bench", "serve"] }],
        ["serve after another program", { image: "python:3.12", command: ["python", "serve"] }],
        ["a program whose name starts with vllm", { image: "python:3.12", command: ["vllmctl", "serve"] }],
        ["an image named like the official one", { image: "vllm/vllm-openai-proxy:v1" }],
        ["the official image with its command overridden", { image: "vllm/vllm-openai:v0.26.0", command: ["huggingface-cli", "download"] }],
    ])("is not one: %s", (_, spec) => {
        expect(isVllmContainer(container(spec))).toBe(false);
    });
});

describe("flagValue: the last value of a flag, as argparse reads it", () => {
    it.each([
        [["--port", "8000"], "8000"],
        [["--port=8000"], "8000"],
        [["--port", "8000", "--host", "0.0.0.0"], "8000"],
        [["--port", "8000", "--port=9000"], "9000"],
        // A trailing flag without a value sets nothing.
        [["--port", "8000", "--port"], "8000"],
        [["--host", "0.0.0.0"], undefined],
    ])("%j → %s", (words, expected) => {
        expect(flagValue(words, "--port")).toBe(expected);
    });
});

describe("serviceSelector: a Service's spec.selector, unless it is not known yet", () => {
    it.each<[string, Record<string, unknown>, Labels | undefined]>([
        ["a label map", { selector: { app: "vllm" } }, { app: "vllm" }],
        ["an empty map", { selector: {} }, {}],
        ["no selector", {}, undefined],
        ["a selector unknown during preview", { selector: unknownValue }, undefined],
        ["one value unknown during preview", { selector: { app: "vllm", tier: unknownValue } }, undefined],
    ])("%s", (_, spec, expected) => {
        expect(serviceSelector(spec)).toEqual(expected);
    });
});

describe("serviceSelects: a Service's plain label map against pod labels", () => {
    const pod: Labels = { app: "vllm", tier: "gpu" };

    it.each<[string, Labels, boolean]>([
        ["an empty Service selector selects nothing", {}, false],
        ["a Service map", { app: "vllm" }, true],
        ["a Service map with every label", { app: "vllm", tier: "gpu" }, true],
        ["a Service map with another value", { app: "gateway" }, false],
        ["a Service map with one label the pod lacks", { app: "vllm", zone: "a" }, false],
    ])("%s", (_, selector, expected) => {
        expect(serviceSelects(selector, pod)).toBe(expected);
    });

    it("reads a label key named matchLabels as a label, not as a LabelSelector", () => {
        expect(serviceSelects({ matchLabels: "x" }, { matchLabels: "x" })).toBe(true);
    });
});

describe("selects: a LabelSelector against pod labels", () => {
    const pod: Labels = { app: "vllm", tier: "gpu" };

    it.each<[string, LabelSelector, boolean]>([
        ["an empty LabelSelector selects everything", {}, true],
        ["empty matchLabels select everything", { matchLabels: {} }, true],
        ["matchLabels alone", { matchLabels: { app: "vllm" } }, true],
        ["matchLabels with another value", { matchLabels: { app: "gateway" } }, false],
        ["matchExpressions alone", { matchExpressions: [{ key: "app", operator: "Exists" }] }, true],
        ["matchLabels and matchExpressions, both met", { matchLabels: { app: "vllm" }, matchExpressions: [{ key: "tier", operator: "Exists" }] }, true],
        ["matchLabels met, an expression not", { matchLabels: { app: "vllm" }, matchExpressions: [{ key: "zone", operator: "Exists" }] }, false],
    ])("%s", (_, selector, expected) => {
        expect(selects(selector, pod)).toBe(expected);
    });

    it.each([
        ["In, one of the values", "In", "tier", ["gpu", "cpu"], true],
        ["In, another value", "In", "tier", ["cpu"], false],
        ["In, label absent", "In", "zone", ["a"], false],
        ["NotIn, another value", "NotIn", "tier", ["cpu"], true],
        ["NotIn, one of the values", "NotIn", "tier", ["gpu"], false],
        ["NotIn, label absent", "NotIn", "zone", ["a"], true],
        ["Exists, present", "Exists", "tier", undefined, true],
        ["Exists, absent", "Exists", "zone", undefined, false],
        ["DoesNotExist, absent", "DoesNotExist", "zone", undefined, true],
        ["DoesNotExist, present", "DoesNotExist", "tier", undefined, false],
        ["an unknown operator never matches", "Gt", "tier", ["1"], false],
    ])("expression %s", (_, operator, key, values, expected) => {
        expect(selects({ matchExpressions: [{ key, operator, values }] }, pod)).toBe(expected);
    });

    it("In or NotIn without values: no value is in them", () => {
        expect(selects({ matchExpressions: [{ key: "tier", operator: "In" }] }, pod)).toBe(false);
        expect(selects({ matchExpressions: [{ key: "tier", operator: "NotIn" }] }, pod)).toBe(true);
    });
});

describe("sameNamespace: absent is the default namespace, unknown may be any", () => {
    it.each([
        ["models", "models", true],
        ["models", "default", false],
        [undefined, "default", true],
        ["default", undefined, true],
        [undefined, "models", false],
        [unknownValue, "models", true],
        ["models", unknownValue, true],
    ] as const)("%s, %s → %s", (a, b, expected) => {
        expect(sameNamespace(a, b)).toBe(expected);
    });
});
