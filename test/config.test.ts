import { describe, expect, it } from "vitest";
import { ConfigError, defaultOwner, loadPlatform } from "../components";

/** A valid kubeconfig-stack config; each bad case changes one thing. */
function validConfig(): Record<string, any> {
    return {
        owner: "u-8105f7322477",
        cluster: { kind: "kubeconfig", kubeconfig: ".cluster/kubeconfig" },
        nodeGroups: [
            { name: "gpu-l4", instanceType: "g6.xlarge", minSize: 0, maxSize: 4 },
            { name: "gpu-l40s", instanceType: "g6e.12xlarge", minSize: 0, maxSize: 2 },
        ],
        services: [
            { name: "test", model: "Qwen/Qwen3-8B", instances: 1, nodeGroup: "gpu-l4", maxModelLen: 8192 },
            { name: "vision", model: "Qwen/Qwen2.5-VL-7B-Instruct", task: "vision", instances: 1, nodeGroup: "gpu-l40s", maxModelLen: 8192 },
            { name: "qwen-32b", model: "Qwen/Qwen3-32B", instances: 1, gpus: 2, nodeGroup: "gpu-l40s", maxModelLen: 8192 },
        ],
        apiKeys: [
            { name: "app-prod", services: ["test", "vision"] },
            { name: "research", services: ["*"] },
        ],
    };
}

function problems(mutate: (c: Record<string, any>) => void, secretKeys?: Set<string>): string[] {
    const config = validConfig();
    mutate(config);
    try {
        loadPlatform(config, { stack: "local", secretKeys });
    } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).issues.map((i) => i.message);
    }
    throw new Error("expected the config to be rejected");
}

describe("key rotation with a grace period", () => {
    const rotated = (until?: string) => {
        const config = validConfig();
        Object.assign(config.apiKeys[0], { rotation: 2, previousKeyValidUntil: until });
        return config;
    };
    const now = new Date("2026-11-30T12:00:00Z");

    it("keeps the previous value until the configured time, then drops it", () => {
        expect(loadPlatform(rotated("2026-11-30T12:30:00Z"), { stack: "local", now }).apiKeys[0].keepPrevious).toBe(true);
        expect(loadPlatform(rotated("2026-11-30T11:59:59Z"), { stack: "local", now }).apiKeys[0].keepPrevious).toBe(false);
        // The grace period ends at that time: not kept at the instant itself.
        expect(loadPlatform(rotated("2026-11-30T12:00:00Z"), { stack: "local", now }).apiKeys[0].keepPrevious).toBe(false);
        expect(loadPlatform(rotated(), { stack: "local", now }).apiKeys[0].keepPrevious).toBe(false);
        expect(loadPlatform(rotated(), { stack: "local", now }).apiKeys[1].keepPrevious).toBe(false);
    });
});

describe("loadPlatform: a valid config", () => {
    it("resolves defaults in one place", () => {
        const config = loadPlatform(validConfig(), { stack: "local" });
        expect(config.namespace).toBe("model-services");
        expect(config.gateway).toEqual({
            replicas: 2,
            serviceType: "ClusterIP",
            maxRequestBodyMiB: 32,
            hostname: undefined,
            tls: undefined,
            image: undefined,
            defaultRequestsPerMinute: 120,
            scheme: "internal",
            certificateArn: undefined,
            loadBalancerSourceRanges: undefined,
        });
        expect(config.services[0]).toMatchObject({ displayName: "test", task: "chat", gpus: 1, engineArgs: [], env: {}, dtype: "auto", gpuMemoryUtilization: 0.9 });
        expect(config.apiKeys[0].rotation).toBe(0);
        // No key is unlimited: without its own limit, the gateway's default applies.
        expect(config.apiKeys.map((k) => k.requestsPerMinute)).toEqual([120, 120]);
        expect(config.nodeGroups[1]).toMatchObject({ capacityType: "ON_DEMAND", diskSizeGiB: 200, amiType: "AL2023_x86_64_NVIDIA", gpusPerNode: 4 });
    });

    it("sizes each node group to the GPU demand placed on it", () => {
        const config = loadPlatform(validConfig(), { stack: "local" });
        // gpu-l4: 1 × 1 GPU on 1-GPU nodes; gpu-l40s: 1 × 1 + 1 × 2 GPUs on one 4-GPU node; the default system group: 2.
        expect(config.nodeGroups.map((g) => `${g.name} ${g.kind} ${g.desiredSize}`)).toEqual(["gpu-l4 gpu 1", "gpu-l40s gpu 1", "system cpu 2"]);
        const scaled = validConfig();
        scaled.services[2].instances = 3; // 3 × 2 + 1 = 7 GPUs → 2 nodes of 4
        expect(loadPlatform(scaled, { stack: "local" }).nodeGroups[1].desiredSize).toBe(2);
    });

    it("defaults the node group when there is only one", () => {
        const config = validConfig();
        config.nodeGroups = [config.nodeGroups[1]];
        for (const s of config.services) delete s.nodeGroup;
        expect(loadPlatform(config, { stack: "local" }).services.map((s) => s.nodeGroup)).toEqual(["gpu-l40s", "gpu-l40s", "gpu-l40s"]);
    });

    it("derives a stable owner from the stack when none is set", () => {
        const config = validConfig();
        delete config.owner;
        const owner = loadPlatform(config, { stack: "local" }).owner;
        expect(owner).toMatch(/^u-[0-9a-f]{12}$/);
        expect(owner).toBe(defaultOwner("model-services", "local"));
        expect(owner).not.toBe(defaultOwner("model-services", "dev"));
    });

    it("keeps instances: 0 as a stopped service that needs no nodes", () => {
        const config = validConfig();
        config.services[0].instances = 0;
        const parsed = loadPlatform(config, { stack: "local" });
        expect(parsed.services[0].instances).toBe(0);
        expect(parsed.nodeGroups[0].desiredSize).toBe(0);
    });

    it("picks the cheapest size of a family that holds every service placed on it", () => {
        const config = validConfig();
        delete config.nodeGroups[1].instanceType;
        config.nodeGroups[1].family = "g6e";
        const parsed = loadPlatform(config, { stack: "local" });
        expect(parsed.nodeGroups[1].instanceType).toMatch(/^g6e\./);
        expect(parsed.nodeGroups[1].gpusPerNode).toBeGreaterThanOrEqual(2);
    });
});

describe("loadPlatform: bad input names the path, the value and the fix", () => {
    const cases: Array<[string, (c: Record<string, any>) => void, string]> = [
        [
            "negative instances",
            (c) => (c.services[1].instances = -1),
            "services[1].instances: expected a whole number ≥ 0, got -1. Set how many instances to run (0 stops the service).",
        ],
        [
            "fractional instances",
            (c) => (c.services[0].instances = 1.5),
            "services[0].instances: expected a whole number ≥ 0, got 1.5. Set how many instances to run (0 stops the service).",
        ],
        [
            "instances as text",
            (c) => (c.services[0].instances = "two"),
            'services[0].instances: expected a whole number ≥ 0, got "two". Set how many instances to run (0 stops the service).',
        ],
        [
            "missing model",
            (c) => delete c.services[0].model,
            "services[0].model: is missing; expected a model source such as Qwen/Qwen3-8B. Name the model by its Hugging Face id, an s3://bucket/prefix URI or a pvc://claim/path.",
        ],
        [
            "uppercase service name",
            (c) => (c.services[0].name = "Test"),
            `services[0].name: expected an RFC 1035 label: lowercase letters, digits and '-', starting with a letter, ≤ 40 characters, got "Test". Rename the service, e.g. llama-8b.`,
        ],
        [
            "service name starting with a digit",
            (c) => (c.services[0].name = "8b"),
            `services[0].name: expected an RFC 1035 label: lowercase letters, digits and '-', starting with a letter, ≤ 40 characters, got "8b". Rename the service, e.g. llama-8b.`,
        ],
        [
            "service name too long",
            (c) => (c.services[0].name = "a".repeat(41)),
            `services[0].name: expected an RFC 1035 label: lowercase letters, digits and '-', starting with a letter, ≤ 40 characters, got "${"a".repeat(41)}". Rename the service, e.g. llama-8b.`,
        ],
        [
            "duplicate service names",
            (c) => (c.services[2].name = "test"),
            'services[2].name: duplicates services[0].name, got "test". Give each service a unique name.',
        ],
        [
            "zero GPUs",
            (c) => (c.services[2].gpus = 0),
            "services[2].gpus: expected a whole number from 1 to 64, got 0. Set the GPUs per instance (vLLM's tensor-parallel size), or leave it out to let the planner choose.",
        ],
        [
            "more GPUs than a node has",
            (c) => (c.services[0].gpus = 2),
            'services[0].gpus: is more than one node of node group "gpu-l4" has (g6.xlarge: 1 GPU), got 2. Lower gpus to at most 1, or place the service on a node group with a larger instance type.',
        ],
        [
            "unknown node group with a near miss",
            (c) => (c.services[0].nodeGroup = "gpu-l4s"),
            'services[0].nodeGroup: names no node group, got "gpu-l4s". Did you mean "gpu-l4"?',
        ],
        [
            "node group required when there are several",
            (c) => delete c.services[0].nodeGroup,
            'services[0].nodeGroup: is required when there are 2 GPU node groups. Set it to one of "gpu-l4", "gpu-l40s".',
        ],
        [
            "unknown task",
            (c) => (c.services[0].task = "speech"),
            'services[0].task: expected one of "chat", "vision", "embedding", "image-generation", got "speech". Pick what the model serves.',
        ],
        [
            "misspelled service key",
            (c) => (c.services[0].instanses = 2),
            'services[0].instanses: is not a known key. Did you mean "instances"?',
        ],
        [
            "misspelled top-level key",
            (c) => (c.apikeys = []),
            'apikeys: is not a known key. Did you mean "apiKeys"?',
        ],
        [
            "unknown key far from any known one",
            (c) => (c.gateway = { banana: true }),
            "gateway.banana: is not a known key. Known keys here: replicas, serviceType, hostname, tls, maxRequestBodyMiB, image, defaultRequestsPerMinute, scheme, certificateArn, loadBalancerSourceRanges.",
        ],
        [
            "public plaintext gateway",
            (c) => (c.gateway = { serviceType: "LoadBalancer", scheme: "internet-facing" }),
            'gateway.scheme: is a public endpoint without TLS: API keys would cross the internet in clear, got "internet-facing". Set gateway.certificateArn (an ACM certificate, TLS at the NLB) or gateway.tls (a kubernetes.io/tls Secret), or use scheme "internal".',
        ],
        [
            "TLS twice",
            (c) => (c.gateway = { serviceType: "LoadBalancer", tls: { secretName: "api-tls" }, certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc-1" }),
            'gateway.certificateArn: and gateway.tls both ask for TLS, got "arn:aws:acm:us-east-1:123456789012:certificate/abc-1". Keep one: certificateArn for TLS at the NLB, or tls for TLS in Envoy.',
        ],
        [
            "load balancer settings on a ClusterIP gateway",
            (c) => (c.gateway = { serviceType: "ClusterIP", loadBalancerSourceRanges: ["10.0.0.0/8"] }),
            'gateway.loadBalancerSourceRanges: applies only to a LoadBalancer gateway (serviceType is ClusterIP), got ["10.0.0.0/8"]. Remove it, or set gateway.serviceType to LoadBalancer.',
        ],
        [
            "not a CIDR",
            (c) => (c.gateway = { serviceType: "LoadBalancer", loadBalancerSourceRanges: ["10.0.0.0/33"] }),
            'gateway.loadBalancerSourceRanges[0]: expected an IPv4 CIDR such as 203.0.113.0/24, got "10.0.0.0/33". List the client networks in CIDR notation.',
        ],
        [
            "grace period before any rotation",
            (c) => (c.apiKeys[0].previousKeyValidUntil = "2026-12-01T12:00:00Z"),
            'apiKeys[0].previousKeyValidUntil: has no previous key to keep: the key was never rotated, got "2026-12-01T12:00:00Z". Bump rotation to rotate the key, or remove previousKeyValidUntil.',
        ],
        [
            "grace period end not in UTC",
            (c) => Object.assign(c.apiKeys[0], { rotation: 1, previousKeyValidUntil: "2026-12-01 12:00" }),
            'apiKeys[0].previousKeyValidUntil: expected a UTC time such as 2026-12-01T12:00:00Z, got "2026-12-01 12:00". Give the end of the grace period in UTC (…Z).',
        ],
        [
            "grace period end not a real time",
            (c) => Object.assign(c.apiKeys[0], { rotation: 1, previousKeyValidUntil: "2026-13-45T12:00:00Z" }),
            'apiKeys[0].previousKeyValidUntil: is not a real time, got "2026-13-45T12:00:00Z". Give the end of the grace period in UTC, e.g. 2026-12-01T12:00:00Z.',
        ],
        [
            "metrics scraper label with a space",
            (c) => (c.metricsScraper = { podLabels: { app: "prom etheus" } }),
            'metricsScraper.podLabels.app: expected a label value, got "prom etheus". The labels of the scraper\'s pods, e.g. app.kubernetes.io/name: prometheus.',
        ],
        [
            "vLLM's own key",
            (c) => (c.services[0].engineArgs = ["--api-key=sk-local"]),
            'services[0].engineArgs[0]: sets --api-key, which would make vLLM refuse every request from the gateway, and guards only /v1 paths anyway, got [redacted]. Remove it: the gateway checks the keys, and the platform\'s NetworkPolicy admits only the gateway to vLLM.',
        ],
        [
            "reserved engine flag",
            (c) => (c.services[0].engineArgs = ["--served-model-name=other"]),
            'services[0].engineArgs[0]: sets --served-model-name, which the platform sets itself, got "--served-model-name=other". Remove it: the access name is the served name the gateway routes on.',
        ],
        [
            "tensor parallel through engineArgs",
            (c) => (c.services[0].engineArgs = ["--tensor-parallel-size", "2"]),
            "services[0].engineArgs[0]: sets --tensor-parallel-size, which the platform sets itself, got \"--tensor-parallel-size\". Set the service's gpus instead.",
        ],
        [
            "tensor-parallel size vLLM refuses (28 heads on 8 GPUs)",
            (c) => {
                c.nodeGroups[1] = { name: "gpu-l40s", instanceType: "g6e.48xlarge", minSize: 0, maxSize: 2 };
                c.services[1] = { name: "vision", model: "Qwen/Qwen2.5-7B-Instruct", instances: 1, gpus: 8, nodeGroup: "gpu-l40s", maxModelLen: 8192 };
            },
            "services[1].gpus: is a tensor-parallel size the pinned vLLM (v0.26.0) refuses for Qwen/Qwen2.5-7B-Instruct: its 28 attention heads are not divisible by 8 (vLLM: \"Total number of attention heads (28) must be divisible by tensor parallel size (8)\"), got 8. Set gpus to one of 1, 2, 4 (the sizes up to g6e.48xlarge's 8 GPUs that divide the model), or leave it out and the planner picks one.",
        ],
        [
            "GGUF quantization",
            (c) => (c.services[0].quantization = "gguf"),
            'services[0].quantization: is not supported by the pinned vLLM image (components/versions.ts), which has no such quantization method, got "gguf". Convert the checkpoint to safetensors, or serve an AWQ or GPTQ re-upload of the model with quantization: awq (or gptq).',
        ],
        [
            "GGUF checkpoint",
            (c) => (c.services[0].model = "Qwen/Qwen3-8B-GGUF"),
            'services[0].model: looks like a GGUF checkpoint, which the pinned vLLM image (components/versions.ts) cannot load, got "Qwen/Qwen3-8B-GGUF". Convert the checkpoint to safetensors, or serve an AWQ or GPTQ re-upload of the model with quantization: awq (or gptq).',
        ],
        [
            "memory fraction on an image-generation service",
            (c) => (c.services[1] = { name: "vision", model: "Qwen/Qwen-Image", task: "image-generation", instances: 1, nodeGroup: "gpu-l40s", gpuMemoryUtilization: 0.8 }),
            "services[1].gpuMemoryUtilization: does not apply to image-generation services: vLLM-Omni's diffusion stage does not read it, got 0.8. Remove gpuMemoryUtilization from this service.",
        ],
        [
            "quantization vLLM-Omni cannot apply to a diffusion pipeline",
            (c) => (c.services[1] = { name: "vision", model: "Qwen/Qwen-Image", task: "image-generation", instances: 1, nodeGroup: "gpu-l40s", quantization: "compressed-tensors" }),
            'services[1].quantization: is not a quantization vLLM-Omni can apply to a diffusion pipeline, got "compressed-tensors". Use one of "fp8", "mxfp4", "bitsandbytes", or leave it out.',
        ],
        [
            "credential in a plain env var",
            (c) => (c.services[0].env = { HF_TOKEN: "hf_abc" }),
            "services[0].env.HF_TOKEN: looks like a credential in a plain environment variable, got [redacted]. Credentials belong in Secrets: set the Hugging Face token with `pulumi config set --secret huggingFaceToken …`, or mount your own Secret.",
        ],
        [
            "bad env var name",
            (c) => (c.services[0].env = { "1BAD": "x" }),
            "services[0].env.1BAD: has a bad key; expected an environment variable name. Use letters, digits and '_', not starting with a digit.",
        ],
        [
            "API key naming a missing service",
            (c) => (c.apiKeys[0].services = ["tset"]),
            'apiKeys[0].services[0]: names no service, got "tset". Did you mean "test"?',
        ],
        [
            "API key naming a missing service, not first in its list",
            (c) => (c.apiKeys[0].services = ["test", "vison"]),
            'apiKeys[0].services[1]: names no service, got "vison". Did you mean "vision"?',
        ],
        [
            "star mixed with names",
            (c) => (c.apiKeys[1].services = ["*", "test"]),
            'apiKeys[1].services: "*" already means every service, got ["*","test"]. Write ["*"] alone, or list the services.',
        ],
        [
            "API key without services",
            (c) => (c.apiKeys[0].services = []),
            'apiKeys[0].services: expected at least one service name, got []. List the services this key may call, or ["*"] for all.',
        ],
        [
            "duplicate API key names",
            (c) => (c.apiKeys[1].name = "app-prod"),
            'apiKeys[1].name: duplicates apiKeys[0].name, got "app-prod". Give each API key a unique name.',
        ],
        [
            "negative rotation",
            (c) => (c.apiKeys[0].rotation = -1),
            "apiKeys[0].rotation: expected a whole number ≥ 0, got -1. Bump it (0, 1, 2, …) to issue a new key value.",
        ],
        [
            "zero rate limit",
            (c) => (c.apiKeys[0].requestsPerMinute = 0),
            "apiKeys[0].requestsPerMinute: expected a whole number from 1 to 1000000, got 0. Set the requests per minute this key may make, or leave it out for gateway.defaultRequestsPerMinute.",
        ],
        [
            "unknown instance type with a near miss",
            (c) => (c.nodeGroups[0].instanceType = "g6.xlarg"),
            'nodeGroups[0].instanceType: is not an instance type in the catalogs, got "g6.xlarg". Did you mean "g6.xlarge"? (`npm run plan -- --catalog` lists the catalogs).',
        ],
        [
            "a model service on a CPU group",
            (c) => {
                c.nodeGroups.push({ name: "system", instanceType: "m7i.large", minSize: 2, maxSize: 3 });
                c.services[0].nodeGroup = "system";
            },
            'services[0].nodeGroup: is a CPU node group; model services need GPUs, got "system". Use one of "gpu-l4", "gpu-l40s".',
        ],
        [
            "an NVIDIA AMI on a CPU group",
            (c) => c.nodeGroups.push({ name: "system", instanceType: "m7i.large", minSize: 2, maxSize: 3, amiType: "AL2023_x86_64_NVIDIA" }),
            'nodeGroups[2].amiType: is an NVIDIA AMI, but m7i.large has no GPU, got "AL2023_x86_64_NVIDIA". Remove amiType (CPU groups use AL2023_x86_64_STANDARD).',
        ],
        [
            "the standard AMI on a GPU group",
            (c) => (c.nodeGroups[0].amiType = "AL2023_x86_64_STANDARD"),
            'nodeGroups[0].amiType: has no NVIDIA driver, so the GPUs of this group would not be usable, got "AL2023_x86_64_STANDARD". Remove amiType, or use "AL2023_x86_64_NVIDIA", "BOTTLEROCKET_x86_64_NVIDIA".',
        ],
        [
            "a GPU group named like the default system group",
            (c) => {
                c.nodeGroups[0].name = "system";
                for (const s of c.services) if (s.nodeGroup === "gpu-l4") s.nodeGroup = "system";
            },
            'nodeGroups[0].name: is the name of the default system group, which a stack without a CPU node group gets, got "system". Rename this GPU group, or declare a CPU group (e.g. instanceType m7i.large).',
        ],
        [
            "an EKS cluster version without pinned add-ons",
            (c) => (c.cluster = { kind: "eks", name: "dev", version: "1.29" }),
            'cluster.version: has no pinned EKS add-on versions (VPC CNI, CoreDNS, kube-proxy, Pod Identity agent), got "1.29". Use "1.34", or pin that version\'s add-ons in components/versions.ts.',
        ],
        [
            "minSize above maxSize",
            (c) => (c.nodeGroups[0].minSize = 5),
            "nodeGroups[0].minSize: is larger than maxSize (4), got 5. Lower minSize to at most 4 or raise maxSize.",
        ],
        [
            "demand beyond maxSize",
            (c) => (c.services[2].instances = 4),
            'nodeGroups[1].maxSize: is too small: the services placed on "gpu-l40s" (vision 1×1, qwen-32b 4×2) need 3 g6e.12xlarge nodes, got 2. Raise maxSize to at least 3, or lower those services\' instances.',
        ],
        [
            "duplicate node group names",
            (c) => {
                c.nodeGroups[1].name = "gpu-l4";
                c.services[1].nodeGroup = c.services[2].nodeGroup = "gpu-l4";
            },
            'nodeGroups[1].name: duplicates nodeGroups[0].name, got "gpu-l4". Give each node group a unique name.',
        ],
        [
            "no node groups",
            (c) => (c.nodeGroups = []),
            "nodeGroups: expected at least one node group, got []. Add a node group under nodeGroups.",
        ],
        [
            "unknown cluster kind",
            (c) => (c.cluster = { kind: "gke" }),
            'cluster.kind: expected a mapping with kind "eks" or "kubeconfig", got "gke". Set cluster.kind to eks (Amazon EKS) or kubeconfig (an existing cluster).',
        ],
        [
            "missing cluster",
            (c) => delete c.cluster,
            'cluster: is missing; expected a mapping with kind "eks" or "kubeconfig". Set cluster.kind to eks (Amazon EKS) or kubeconfig (an existing cluster).',
        ],
        [
            "services not a list",
            (c) => (c.services = { name: "test" }),
            'services: expected a list of services, got {"name":"test"}. Write it as a YAML list (- item).',
        ],
        [
            "gateway replicas zero",
            (c) => (c.gateway = { replicas: 0 }),
            "gateway.replicas: expected a whole number from 1 to 100, got 0. Run at least one Envoy pod (2 for no downtime on node loss).",
        ],
        [
            "secrets manager off EKS",
            (c) => (c.keyStore = { awsSecretsManager: true }),
            "keyStore.awsSecretsManager: needs an EKS cluster, got true. Set it to false, or use cluster.kind eks.",
        ],
        [
            "bad namespace",
            (c) => (c.namespace = "Model_Services"),
            `namespace: expected a Kubernetes namespace name, got "Model_Services". Use lowercase letters, digits and '-', ≤ 63.`,
        ],
        [
            "gpu memory utilization out of range",
            (c) => (c.services[0].gpuMemoryUtilization = 1.5),
            "services[0].gpuMemoryUtilization: expected a fraction between 0.1 and 0.99, got 1.5. Set vLLM's --gpu-memory-utilization, e.g. 0.9.",
        ],
        [
            "unquoted EKS version",
            (c) => (c.cluster = { kind: "eks", name: "dev", version: 1.34 }),
            'cluster.version: expected a Kubernetes minor version such as "1.34", got 1.34. Quote it in YAML so it stays a string.',
        ],
    ];

    it.each(cases)("%s", (_, mutate, message) => {
        expect(problems(mutate)).toEqual([message]);
    });

    it("covers at least 25 distinct bad inputs", () => {
        expect(new Set(cases.map(([, , message]) => message)).size).toBeGreaterThanOrEqual(25);
    });

    it("reports every problem at once", () => {
        const all = problems((c) => {
            c.services[0].instances = -1;
            c.services[1].name = "Vision";
            c.apiKeys[0].name = "Bad Key";
            c.gateway = { replicas: 0 };
        });
        expect(all.map((m) => m.split(":")[0])).toEqual(["services[0].instances", "services[1].name", "apiKeys[0].name", "gateway.replicas"]);
    });

    it("reports cross-reference problems together", () => {
        const all = problems((c) => {
            c.services[2].name = "test";
            c.apiKeys[0].services = ["nope"];
            c.nodeGroups[0].minSize = 9;
        });
        expect(all).toHaveLength(3);
    });

    it("prints a readable error that says nothing was changed", () => {
        const config = validConfig();
        config.services[0].instances = -1;
        expect(() => loadPlatform(config, { stack: "local" })).toThrow(/^Invalid model-services config \(1 problem\); nothing was changed:\n {2}- services\[0\]\.instances: /);
    });

    it("refuses a Hugging Face token stored in plain text", () => {
        const messages = problems((c) => (c.huggingFaceToken = "hf_secret"), new Set());
        expect(messages).toEqual([
            "huggingFaceToken: is stored in plain text, got [plaintext]. Set it as a secret: pulumi config set --secret huggingFaceToken <token>.",
        ]);
        expect(messages.join()).not.toContain("hf_secret");
    });
});
