import { beforeEach, describe, expect, it } from "vitest";
import { findModel, loadPlatform, loraArgs, loraBytesPerGpu, renderEnvoyConfig, startupBudget, vllmCommand } from "../components";
import { allServicesClientPrefix, httpFilterNames } from "../components/plan/gateway";
import { configProblems } from "./helpers/planConfig";
import { runStack } from "./helpers/platform";
import { formatPlan } from "../scripts/plan";

const revision = "0123456789abcdef0123456789abcdef01234567";

/** A base with two LoRA adapters on a kubeconfig cluster; each bad case changes one thing. */
function adapterConfig(): Record<string, any> {
    return {
        owner: "u-1",
        cluster: { kind: "kubeconfig" },
        nodeGroups: [{ name: "gpu-l4", instanceType: "g6.xlarge", minSize: 0, maxSize: 4, modelCache: { kind: "shared", storageClass: "efs-sc", sizeGiB: 300 } }],
        services: [
            { name: "chat", model: "Qwen/Qwen3-8B", revision, instances: 2, maxModelLen: 8192 },
            { name: "support", displayName: "Support fine-tune", base: "chat", adapter: "acme/qwen3-8b-support-lora", revision, rank: 16 },
            { name: "sql", base: "chat", adapter: "s3://acme-adapters/sql-v3", rank: 64 },
        ],
        apiKeys: [
            { name: "app", services: ["support"] },
            { name: "all", services: ["*"] },
        ],
        modelAccess: { s3: { mode: "secret", secretName: "aws-model-reader" } },
    };
}

function problems(mutate: (c: Record<string, any>) => void): string[] {
    const config = adapterConfig();
    mutate(config);
    return configProblems(() => loadPlatform(config, { stack: "local" }));
}

describe("adapter services: config errors with path, value and fix", () => {
    it.each([
        [
            "a base that does not exist",
            (c: any) => (c.services[1].base = "caht"),
            ['services[1].base: names no service, got "caht". Did you mean "chat"?'],
        ],
        [
            "a base that is itself an adapter",
            (c: any) => (c.services[2].base = "support"),
            ['services[2].base: names an adapter service (its base is "chat"); adapters do not stack, got "support". Set base to "chat".'],
        ],
        [
            "a rank above the base's limit",
            (c: any) => (c.services[0].maxLoraRank = 32),
            ['services[2].rank: is above the LoRA rank limit of base "chat" (maxLoraRank 32), got 64. Raise services[0].maxLoraRank to 64, or use an adapter of rank ≤ 32.'],
        ],
        [
            "a maxLoraRank vLLM does not offer",
            (c: any) => (c.services[0].maxLoraRank = 48),
            ["services[0].maxLoraRank: expected one of 1, 8, 16, 32, 64, 128, 256, 320, 512, got 48. Use one of vLLM's --max-lora-rank values."],
        ],
        [
            "an S3 URI without access configured",
            (c: any) => delete c.modelAccess,
            [
                'services[2].adapter: is an S3 URI but no S3 access is configured, got "s3://acme-adapters/sql-v3". Set modelAccess.s3.mode: pod-identity (EKS Pod Identity role for that prefix), node-role (the node group\'s role) or secret (with modelAccess.s3.secretName).',
            ],
        ],
        [
            "EKS Pod Identity on a kubeconfig cluster",
            (c: any) => (c.modelAccess = { s3: { mode: "pod-identity" } }),
            ['modelAccess.s3.mode: needs an EKS cluster (it grants an IAM role read access), got "pod-identity". Use mode secret with a Secret of AWS keys on this cluster.'],
        ],
        [
            "an adapter that sets its base's settings",
            (c: any) => (c.services[1].instances = 3),
            ['services[1].instances: cannot be set on an adapter service: it runs in its base\'s pods. Set it on the base service "chat", or remove it.'],
        ],
        [
            "an adapter that autoscales (it scales with its base)",
            (c: any) => (c.services[1].autoscale = { min: 0, max: 2 }),
            ['services[1].autoscale: cannot be set on an adapter service: it runs in its base\'s pods. Set it on the base service "chat", or remove it.'],
        ],
        [
            "a base with neither instances nor autoscale",
            (c: any) => delete c.services[0].instances,
            ["services[0].instances: is missing; expected a whole number ≥ 0. Set how many instances to run (0 stops the service), or set autoscale: {min, max} to scale on load."],
        ],
        [
            "an adapter without a rank",
            (c: any) => delete c.services[1].rank,
            ["services[1].rank: is missing; vLLM must reserve room for the adapter's rank. Set rank to r from the adapter's adapter_config.json."],
        ],
        [
            "an S3 adapter on a base without a cache",
            (c: any) => delete c.nodeGroups[0].modelCache,
            [
                'services[1].revision: needs a model cache on the base: vLLM\'s --lora-modules cannot pin a revision, so the pinned snapshot is preloaded, got "0123456789abcdef0123456789abcdef01234567". Give base "chat" a node-local or shared modelCache, or remove revision.',
                'services[2].adapter: is in S3, which vLLM cannot read adapters from, and its base has no model cache to preload it into, got "s3://acme-adapters/sql-v3". Give base "chat" a node-local or shared modelCache.',
            ],
        ],
        [
            "a revision that is not a commit hash",
            (c: any) => (c.services[0].revision = "main"),
            ['services[0].revision: expected a Hugging Face commit hash (40 hex characters), got "main". Copy the commit from the model page\'s "Files and versions" history.'],
        ],
        [
            "a revision on an S3 model",
            (c: any) => (c.services[0].model = "s3://acme-models/qwen3-8b"),
            ['services[0].revision: pins Hugging Face sources only, not s3 ones, got "0123456789abcdef0123456789abcdef01234567". Remove revision.'],
        ],
        [
            "a shared cache without a StorageClass",
            (c: any) => delete c.nodeGroups[0].modelCache.storageClass,
            ["nodeGroups[0].modelCache.storageClass: is required for a shared cache. Name a ReadWriteMany StorageClass of the cluster."],
        ],
        [
            "an S3 bucket without a prefix",
            (c: any) => (c.services[2].adapter = "s3://acme-adapters"),
            ['services[2].adapter: is not an s3://bucket/prefix URI, got "s3://acme-adapters". Name the bucket and the prefix the weights are under, e.g. s3://acme-models/qwen3-8b (read access is granted to that prefix only).'],
        ],
    ])("%s", (_, mutate, expected) => {
        expect(problems(mutate)).toEqual(expected);
    });

    it("refuses a node-local cache larger than the instance store of the group's type (EKS)", () => {
        expect(
            problems((c) => {
                c.cluster = { kind: "eks", name: "ms" };
                c.nodeGroups[0].modelCache = { kind: "node-local", sizeGiB: 400 };
                c.modelAccess = { s3: { mode: "pod-identity" } };
            }),
        ).toEqual(["nodeGroups[0].modelCache.sizeGiB: is more than the 250 GB of instance store of g6.xlarge, got 400. Lower it to at most 232."]);
    });
});

describe("a base with two adapters: one set of pods, three services", () => {
    // Planned in beforeEach, not when the file is collected: mutation testing swaps the code
    // under test before each file's hooks run, not before collection.
    let plan: ReturnType<typeof loadPlatform>;
    let chat: ReturnType<typeof loadPlatform>["services"][number];
    beforeEach(() => {
        plan = loadPlatform(adapterConfig(), { stack: "local" });
        chat = plan.services[0];
    });

    it("derives the LoRA flags from the adapters and vLLM's own parser rules", () => {
        expect(chat.lora).toEqual({
            modules: [
                { name: "u-1/sql", path: "/models/s3/acme-adapters/sql-v3", rank: 64 },
                { name: "u-1/support", path: `/models/hub/models--acme--qwen3-8b-support-lora/snapshots/${revision}`, rank: 16 },
            ],
            maxLoras: 2,
            maxLoraRank: 64,
            maxCpuLoras: 2,
        });
        expect(loraArgs(chat.lora, chat.accessName)).toEqual([
            "--enable-lora",
            "--max-loras",
            "2",
            "--max-lora-rank",
            "64",
            "--max-cpu-loras",
            "2",
            "--lora-modules",
            '{"name":"u-1/sql","path":"/models/s3/acme-adapters/sql-v3","base_model_name":"u-1/chat"}',
            `{"name":"u-1/support","path":"/models/hub/models--acme--qwen3-8b-support-lora/snapshots/${revision}","base_model_name":"u-1/chat"}`,
        ]);
        expect(vllmCommand({ ...chat, source: chat.source, cacheKind: chat.modelCache.kind, lora: chat.lora }).args.slice(0, 9)).toEqual([
            "Qwen/Qwen3-8B",
            "--served-model-name",
            "u-1/chat",
            "--host",
            "0.0.0.0",
            "--port",
            "8000",
            "--revision",
            revision,
        ]);
    });

    it("asks for no GPUs of its own: the node group is sized for the base alone", () => {
        expect(plan.nodeGroups[0].desiredSize).toBe(2);
        expect(plan.capacity.requestedGpus).toBe(2);
        expect(plan.services.map((s) => [s.name, s.base, s.instances, s.nodeGroup])).toEqual([
            ["chat", undefined, 2, "gpu-l4"],
            ["support", "chat", 2, "gpu-l4"],
            ["sql", "chat", 2, "gpu-l4"],
        ]);
    });

    it("scales with an autoscaled base: the adapters take its resting instances and autoscale nothing themselves", () => {
        const config = adapterConfig();
        delete config.services[0].instances;
        config.services[0].autoscale = { min: 0, max: 3 };
        config.autoscaling = { prometheusUrl: "http://prometheus-operated.monitoring.svc:9090" };
        const scaled = loadPlatform(config, { stack: "local" });
        expect(scaled.services.map((s) => [s.name, s.instances, s.autoscale?.max])).toEqual([
            ["chat", 0, 3],
            ["support", 0, undefined],
            ["sql", 0, undefined],
        ]);
    });

    it("routes each adapter's access name to the base's pods, with its own key scope", () => {
        const routes = plan.services.map((s) => ({ name: s.name, accessName: s.accessName, task: s.task, backendHost: `vllm-${s.base ?? s.name}.model-services.svc.cluster.local`, backendPort: 8000, instances: s.instances }));
        const keys = [
            { name: "app", value: "sk-app", services: ["support"] },
            { name: "all", value: "sk-all", services: ["*"] },
        ];
        const rds = JSON.parse(renderEnvoyConfig({ routes, keys, gateway: plan.gateway })["rds.json"]);
        const table = rds.resources[0].virtual_hosts[0].routes;
        const support = table.find((r: any) => r.name.includes("support"));
        expect(support.match.dynamic_metadata[0].value.string_match.exact).toBe("u-1/support");
        // The key scope admits the forwarded client names: "app" by name, "all" as an all-services key.
        const scope = (route: any) => {
            const principals: any[] = route.typed_per_filter_config[httpFilterNames.apiKeyScope].rbac.rules.policies?.["allowed-keys"]?.principals ?? [];
            return {
                names: principals.flatMap((p) => p.header.string_match.exact ?? []),
                allServices: principals.some((p) => p.header.string_match.prefix === allServicesClientPrefix),
            };
        };
        expect(scope(support)).toEqual({ names: ["app"], allServices: true });
        const chatRoute = table.find((r: any) => r.name.endsWith("chat"));
        expect(scope(chatRoute)).toEqual({ names: [], allServices: true });
        const cds = JSON.parse(renderEnvoyConfig({ routes, keys, gateway: plan.gateway })["cds.json"]);
        const hosts = cds.resources.map((c: any) => c.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address);
        expect(new Set(hosts)).toEqual(new Set(["vllm-chat.model-services.svc.cluster.local"]));
    });

    it("costs the start from the cache: a shared cache loads, never downloads, at start", () => {
        expect(chat.startup).toMatchObject({ downloadSeconds: 0, sizeUnknown: false, budgetSeconds: 1800 });
        // Llama-3.1-70B-class weights (≈ 131 GiB) downloaded into an emptyDir: more than the former constant 3600 s.
        const cold = startupBudget(131, "huggingface", "emptyDir");
        expect(cold).toEqual({ downloadSeconds: 1341, loadSeconds: 1073, warmupSeconds: 180, budgetSeconds: 5190, sizeUnknown: false, preloadBudgetSeconds: 1800 });
        // On a shared cache the download moves to the preload Job, which Pulumi waits for twice as long.
        expect(startupBudget(131, "huggingface", "shared")).toMatchObject({ budgetSeconds: 1800, preloadBudgetSeconds: 2683 });
        expect(startupBudget(131, "s3", "emptyDir")).toMatchObject({ downloadSeconds: 0, loadSeconds: 268 });
        expect(startupBudget(undefined, "huggingface", "emptyDir").budgetSeconds).toBe(3600);
    });
});

describe("npm run plan", () => {
    it("shows each service's cache, start estimate and probe budget, and adapters by their base", () => {
        const lines = formatPlan(loadPlatform(adapterConfig(), { stack: "local" }), "local").split("\n");
        expect(lines[2]).toMatch(/CACHE +START \(DOWNLOAD\+LOAD\+WARM-UP\) +PROBE BUDGET$/);
        expect(lines[4]).toMatch(/^chat +Qwen\/Qwen3-8B@0123456 .* shared +0\+63\+180 s +1800 s$/);
        expect(lines[5]).toMatch(/^support +LoRA acme\/qwen3-8b-support-lora on chat .* shared +0\+63\+180 s +1800 s$/);
    });
});

describe("the stack program with adapters (Pulumi mocks)", () => {
    it("gives each adapter its own service ID, examples and status, and runs it in the base's Deployment", async () => {
        const run = await runStack(adapterConfig());
        const rows = run.outputs.services;
        expect(rows.map((r: any) => [r.name, r.accessName, r.base, r.adapter, r.totalGpus])).toEqual([
            ["chat", "u-1/chat", undefined, undefined, 2],
            ["support", "u-1/support", "chat", "acme/qwen3-8b-support-lora", 0],
            ["sql", "u-1/sql", "chat", "s3://acme-adapters/sql-v3", 0],
        ]);
        expect(new Set(rows.map((r: any) => r.serviceId)).size).toBe(3);
        expect(rows[1].status).toBe(rows[0].status);
        expect(rows[1].examples.curl).toContain('"model":"u-1/support"');
        // The key comes from the user's environment, never from the stack.
        expect(rows[1].examples.curl).toContain('-H "Authorization: Bearer $MODEL_SERVICES_API_KEY"');
        const deployments = run.registered.filter((r) => r.type === "kubernetes:apps/v1:Deployment").map((r) => r.inputs.metadata.name);
        expect([...deployments].sort()).toEqual(["model-gateway", "vllm-chat"]);
        const claims = run.registered.filter((r) => r.type === "kubernetes:core/v1:PersistentVolumeClaim").map((r) => [r.inputs.metadata.name, r.inputs.spec]);
        expect(claims).toEqual([["model-cache-gpu-l4", { accessModes: ["ReadWriteMany"], storageClassName: "efs-sc", resources: { requests: { storage: "300Gi" } } }]]);
        const jobs = run.registered.filter((r) => r.type === "kubernetes:batch/v1:Job");
        expect(jobs.map((j) => JSON.parse(j.inputs.spec.template.spec.containers[0].command[3]).map((i: any) => i.repo ?? i.bucket))).toEqual([["Qwen/Qwen3-8B", "acme/qwen3-8b-support-lora", "acme-adapters"]]);
    });
});

describe("S3 sources on EKS (Pulumi mocks)", () => {
    function eksConfig(mode: string): Record<string, any> {
        return {
            owner: "u-1",
            cluster: { kind: "eks", name: "ms" },
            nodeGroups: [{ name: "gpu-l4", instanceType: "g6.xlarge", minSize: 0, maxSize: 2 }],
            services: [
                { name: "chat", model: "s3://acme-models/qwen3-8b", instances: 1, maxModelLen: 8192, architecture: { paramsBillions: 8 }, modelCache: { kind: "node-local", sizeGiB: 200 } },
                { name: "sql", base: "chat", adapter: "s3://acme-adapters/sql-v3", rank: 8 },
            ],
            modelAccess: { s3: { mode } },
        };
    }
    const readPolicy = {
        Version: "2012-10-17",
        Statement: [
            { Sid: "ReadModelObjects", Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::acme-adapters/sql-v3/*", "arn:aws:s3:::acme-models/qwen3-8b/*"] },
            { Sid: "ListModelPrefixes0", Effect: "Allow", Action: ["s3:ListBucket"], Resource: "arn:aws:s3:::acme-adapters", Condition: { StringLike: { "s3:prefix": ["sql-v3", "sql-v3/*"] } } },
            { Sid: "ListModelPrefixes1", Effect: "Allow", Action: ["s3:ListBucket"], Resource: "arn:aws:s3:::acme-models", Condition: { StringLike: { "s3:prefix": ["qwen3-8b", "qwen3-8b/*"] } } },
        ],
    };

    it("pod-identity: a role for exactly the service's prefixes, associated with its ServiceAccount", async () => {
        const run = await runStack(eksConfig("pod-identity"), { stack: "dev" });
        const of = (type: string) => run.registered.filter((r) => r.type === type);
        expect(of("aws:eks/addon:Addon").map((r) => r.inputs.addonName)).toContain("eks-pod-identity-agent");
        const role = of("aws:iam/role:Role").find((r) => r.name === "model-services-chat-s3-role")!;
        expect(JSON.parse(role.inputs.assumeRolePolicy).Statement[0]).toEqual({ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] });
        expect(JSON.parse(of("aws:iam/rolePolicy:RolePolicy").find((r) => r.name === "model-services-chat-s3-read")!.inputs.policy)).toEqual(readPolicy);
        expect(of("aws:eks/podIdentityAssociation:PodIdentityAssociation").map((r) => [r.inputs.namespace, r.inputs.serviceAccount])).toEqual([["model-services", "vllm-chat"]]);
        const pod = of("kubernetes:apps/v1:Deployment").find((r) => r.inputs.metadata.name === "vllm-chat")!.inputs.spec.template.spec;
        expect(pod.serviceAccountName).toBe("vllm-chat");
        expect(pod.containers[0].args[0]).toBe("/models/s3/acme-models/qwen3-8b");
    });

    it("node-role: the same read policy on the node group's role, no Pod Identity", async () => {
        const run = await runStack(eksConfig("node-role"), { stack: "dev" });
        const policies = run.registered.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy");
        expect(policies.map((r) => r.name)).toEqual(["model-services-gpu-l4-model-read"]);
        expect(JSON.parse(policies[0].inputs.policy)).toEqual(readPolicy);
        expect(run.registered.some((r) => r.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation")).toBe(false);
    });
});

describe("LoRA buffers in the GPU fit (vLLM allocates them per slot, at the largest rank, before the KV cache)", () => {
    /** Qwen3-8B on an L4 with `n` adapters of one rank. */
    function withAdapters(n: number, rank: number): Record<string, any> {
        return {
            owner: "u-1",
            cluster: { kind: "kubeconfig" },
            nodeGroups: [{ name: "gpu-l4", instanceType: "g6.xlarge", minSize: 0, maxSize: 4 }],
            services: [{ name: "chat", model: "Qwen/Qwen3-8B", instances: 1, maxModelLen: 8192 }, ...Array.from({ length: n }, (_, i) => ({ name: `ft-${i}`, base: "chat", adapter: `acme/qwen3-8b-ft-${i}`, rank }))],
            apiKeys: [{ name: "app", services: ["*"] }],
        };
    }

    it("sizes them as vLLM 0.26 does: per layer, slot and rank, 7 × hidden + (2 × q + 2 × kv + 3 × intermediate) ÷ TP elements", () => {
        const qwen = findModel("Qwen/Qwen3-8B")!.spec;
        // hidden 4096, q = 32 × 128, kv = 8 × 128, intermediate 12288, 36 layers: 75,776 elements per layer and rank.
        expect(7 * 4096 + 2 * 4096 + 2 * 1024 + 3 * 12288).toBe(75_776);
        expect(loraBytesPerGpu(qwen, { maxLoras: 2, maxLoraRank: 32 }, 1, 2)).toBe(36 * 75_776 * 32 * 2 * 2);
        // Tensor parallelism splits the column-parallel outputs and the row-parallel inputs, not the rest.
        expect(loraBytesPerGpu(qwen, { maxLoras: 1, maxLoraRank: 8 }, 2, 2)).toBe(36 * (7 * 4096 + (2 * 4096 + 2 * 1024 + 3 * 12288) / 2) * 8 * 2);
        expect(loraBytesPerGpu({ layers: 36 }, { maxLoras: 1, maxLoraRank: 8 }, 1, 2)).toBeUndefined();
    });

    it("leaves that much less for the KV cache of the base", () => {
        const capacity = (n: number, rank: number) => loadPlatform(withAdapters(n, rank), { stack: "local" }).services[0].capacity!;
        const without = capacity(0, 0);
        const withTwo = capacity(2, 32);
        // The plan reports GiB to two decimals: 0.33 GiB less.
        expect(without.kvCacheGiBPerGpu - withTwo.kvCacheGiBPerGpu).toBeCloseTo((36 * 75_776 * 32 * 2 * 2) / 1024 ** 3, 1);
        expect(without.kvCacheGiBPerGpu - withTwo.kvCacheGiBPerGpu).toBeGreaterThan(0.3);
        expect(withTwo.maxContextThatFits!).toBeLessThan(without.maxContextThatFits!);
    });

    it("a base whose adapters leave no room for its context is a planner error before anything is created", () => {
        expect(() => loadPlatform(withAdapters(2, 32), { stack: "local" })).not.toThrow();
        expect(configProblems(() => loadPlatform(withAdapters(8, 64), { stack: "local" }))).toEqual([
            "services[0].maxModelLen: is more than fits: with gpus 1 on g6.xlarge (NVIDIA L4), about 0.5 GiB per GPU is left for the KV cache, enough for 3952 tokens, got 8192. Lower maxModelLen to at most 3952, or move the service to a node group of g6e.xlarge (gpus: 1), the cheapest catalog instance type that fits.",
        ]);
    });
});
