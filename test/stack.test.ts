import { describe, expect, it } from "vitest";
import { newAwsAccount } from "./helpers/awsModel";
import { ProviderState } from "./helpers/mocks";
import { compareRuns, PlatformRun, runStack, stackConfig } from "./helpers/platform";

const deployment = "kubernetes:apps/v1:Deployment";
const nodeGroup = "aws:eks/nodeGroup:NodeGroup";

/** Every registered resource of one model service (the component and its children). */
function serviceResources(run: PlatformRun, service: string): string[] {
    const prefix = `model-services-${service}`;
    return run.registered.filter((r) => r.name === prefix || r.name.startsWith(`${prefix}-`)).map((r) => `${r.type}::${r.name}`).sort();
}

describe.each(["local", "dev"])("the shipped %s stack", (stack) => {
    it("deploys every service, key and node group with the outputs DESIGN.md lists", async () => {
        const raw = stackConfig(stack);
        const run = await runStack(raw, { stack });
        const deployments = run.registered.filter((r) => r.type === deployment && r.name.startsWith("model-services-") && r.inputs.metadata.name.startsWith("vllm-"));
        expect(deployments.map((d) => d.inputs.metadata.name).sort()).toEqual(raw.services.map((s: any) => `vllm-${s.name}`).sort());

        expect(run.outputs.endpoint).toMatch(/\/v1$/);
        // Secrets change in place (key rotation, routes): no replacement, no gateway roll.
        const providers = run.registered.filter((r) => r.type === "pulumi:providers:kubernetes");
        expect(providers.map((p) => [p.inputs.enableSecretMutable, p.inputs.enableServerSideApply])).toEqual([["true", "true"]]);
        expect(run.outputs.services.map((s) => s.accessName)).toEqual(raw.services.map((s: any) => `u-8105f7322477/${s.name}`));
        for (const s of run.outputs.services) {
            expect(Object.keys(s).sort()).toEqual(["accessName", "baseModel", "displayName", "examples", "gpusPerInstance", "instances", "name", "nodeGroup", "pricePerHourUsd", "serviceId", "status", "task", "totalGpus"]);
            expect(s.serviceId).toMatch(/^ms-[0-9a-f]{12}$/);
            expect(s.status).toBe(`Running ${s.instances}/${s.instances}`);
            expect(s.examples.curl).toContain(`"model":"${s.accessName}"`);
            expect(s.examples.python).toContain(`model="${s.accessName}"`);
            expect(s.examples.node).toContain(`"model": "${s.accessName}"`);
        }
        expect(Object.keys(run.outputs.apiKeys).sort()).toEqual(raw.apiKeys.map((k: any) => k.name).sort());
        expect(run.secretOutputs).toEqual({ endpoint: false, services: false, apiKeys: true, nodeGroups: false, capacity: false, playground: false });
        expect(run.outputs.services.reduce((n, s) => n + s.totalGpus, 0)).toBe(run.outputs.capacity.requestedGpus);
        expect(run.outputs.capacity.pricePerHourUsd).toBeGreaterThan(0);
        expect(run.outputs.capacity.totalGpus).toBe(run.outputs.nodeGroups.reduce((n, g) => n + g.desiredSize * g.gpusPerNode, 0));
        expect(run.outputs.nodeGroups.map((g) => Object.keys(g).sort())).toEqual([...raw.nodeGroups, "system"].map(() => ["desiredSize", "gpusPerNode", "instanceType", "kind", "maxSize", "minSize", "name"]));
        expect(run.outputs.nodeGroups.map((g) => `${g.name} ${g.kind} ${g.instanceType} ${g.desiredSize}`)).toEqual(["gpu-l4 gpu g6.xlarge 1", "gpu-l40s gpu g6e.12xlarge 1", "system cpu m7i.large 2"]);
    });

    it("never puts a key value in a plain output or outside a Secret", async () => {
        const run = await runStack(stackConfig(stack), { stack });
        const keys = Object.values(run.outputs.apiKeys);
        expect(keys.length).toBeGreaterThan(0);
        const plainOutputs = JSON.stringify([run.outputs.endpoint, run.outputs.services, run.outputs.nodeGroups]);
        for (const key of keys) {
            expect(plainOutputs).not.toContain(key);
            for (const r of run.registered) {
                const text = JSON.stringify(r.inputs);
                if (!text.includes(key)) {
                    continue;
                }
                // Only Secrets (Kubernetes or AWS) may hold a key, and only as a Pulumi secret.
                expect(["kubernetes:core/v1:Secret", "aws:secretsmanager/secretVersion:SecretVersion"], `${r.type} ${r.name}`).toContain(r.type);
                const secretText = JSON.stringify(r.secretPaths.map((p) => p.split(/[.[]/).reduce((v: any, k) => v?.[k.replace("]", "")], r.inputs)));
                expect(secretText, `${r.name}: key outside its secret inputs`).toContain(key);
            }
        }
        expect(run.registered.filter((r) => r.type === "kubernetes:core/v1:ConfigMap").map((r) => JSON.stringify(r.inputs)).join()).not.toMatch(/sk-/);
    });
});

/** Successive `pulumi up`s of one dev stack: one state, one AWS account. */
function devStack() {
    const stack = { stack: "dev", state: new ProviderState(), aws: newAwsAccount() };
    return (raw: Record<string, any>) => runStack(raw, stack);
}

describe("lifecycle as config diffs (dev stack, EKS)", () => {
    it("scaling 1 → 3 changes only replicas and the node group's desired size", async () => {
        const raw = stackConfig("dev");
        const up = devStack();
        const before = await up(raw);
        raw.services[0].instances = 3;
        const after = await up(raw);
        const { added, removed, changed } = compareRuns(before.registered, after.registered);
        expect(added).toEqual([]);
        expect(removed).toEqual([]);
        expect(changed).toEqual({
            [`${deployment}::model-services-test-deployment`]: ["spec.replicas"],
            [`${nodeGroup}::model-services-gpu-l4-nodes`]: ["scalingConfig.desiredSize"],
        });
        expect(after.outputs.services[0].serviceId).toBe(before.outputs.services[0].serviceId);
        expect(after.outputs.nodeGroups.find((g) => g.name === "gpu-l4").desiredSize).toBe(3);
    });

    it("removing a service removes exactly its resources and its route", async () => {
        const raw = stackConfig("dev");
        const up = devStack();
        const before = await up(raw);
        const visionResources = serviceResources(before, "vision");
        expect(visionResources.length).toBeGreaterThanOrEqual(5);
        raw.services = raw.services.filter((s: any) => s.name !== "vision");
        raw.apiKeys[0].services = ["test"];
        const after = await up(raw);
        const { added, removed, changed } = compareRuns(before.registered, after.registered);
        expect(added).toEqual([]);
        expect(removed).toEqual(visionResources);
        // What else may change: the gateway's routes and the node group that hosted it.
        for (const key of Object.keys(changed)) {
            expect(key).toMatch(/gateway|gpu-l40s-(nodes|role)/);
        }
        expect(Object.keys(changed).some((k) => k.includes("gateway"))).toBe(true);
        expect(after.outputs.services.map((s) => s.name)).toEqual(["test", "qwen-32b"]);
    });

    it("instances: 0 stops a service and keeps its ID and every key", async () => {
        const raw = stackConfig("dev");
        const up = devStack();
        const before = await up(raw);
        raw.services[0].instances = 0;
        const after = await up(raw);
        const { added, removed } = compareRuns(before.registered, after.registered);
        expect(added).toEqual([]);
        expect(removed).toEqual([]);
        const stopped = after.outputs.services.find((s) => s.name === "test");
        expect(stopped.status).toBe("Stopped");
        expect(stopped.serviceId).toBe(before.outputs.services.find((s) => s.name === "test").serviceId);
        expect(after.outputs.apiKeys).toEqual(before.outputs.apiKeys);
        expect(after.outputs.nodeGroups.find((g) => g.name === "gpu-l4").desiredSize).toBe(0);
    });

    it("a bad edit fails before any resource is registered", async () => {
        const raw = stackConfig("dev");
        raw.services[1].name = "test";
        const error = await runStack(raw, { stack: "dev" }).catch((e) => e);
        expect(error.message).toMatch(/services\[1\]\.name: duplicates services\[0\]\.name/);
        expect(error.registered).toEqual([]);
    });
});

describe("gateway hardening through the whole program", () => {
    it("guards the model pods with one NetworkPolicy in their namespace", async () => {
        const run = await runStack(stackConfig("local"), { stack: "local" });
        const policies = run.registered.filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy");
        expect(policies.map((p) => [p.inputs.metadata.name, p.inputs.metadata.namespace])).toEqual([["model-pods-ingress", "model-services"]]);
        expect(policies[0].inputs.spec.ingress).toHaveLength(1);

        const scraped = await runStack({ ...stackConfig("local"), metricsScraper: { namespaceLabels: { "kubernetes.io/metadata.name": "monitoring" }, podLabels: { app: "prometheus" } } }, { stack: "local" });
        const policy = scraped.registered.find((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy")!;
        expect(policy.inputs.spec.ingress[1].from).toEqual([{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } }, podSelector: { matchLabels: { app: "prometheus" } } }]);
    });

    it("accepts both values of a key at the gateway while its grace period runs, and hands clients only the new one", async () => {
        const raw = stackConfig("local");
        raw.apiKeys[0] = { ...raw.apiKeys[0], rotation: 1, previousKeyValidUntil: "2999-01-01T00:00:00Z" };
        const run = await runStack(raw, { stack: "local" });
        const rds = JSON.parse(run.registered.find((r) => r.type === "kubernetes:core/v1:Secret" && r.inputs.metadata.name === "model-gateway-config")!.inputs.stringData["rds.json"]);
        const credentials: { key: string; client: string }[] = rds.resources[0].typed_per_filter_config["api-key-authn"].credentials;
        const name = raw.apiKeys[0].name;
        const values = credentials.filter((c) => c.client.replace(/^\*:/, "") === name).map((c) => c.key);
        expect(values).toHaveLength(2);
        expect(values).toContain(run.outputs.apiKeys[name]);
        const keySecret = run.registered.find((r) => r.type === "kubernetes:core/v1:Secret" && r.inputs.metadata.name === "model-services-api-keys")!;
        expect(Object.values(keySecret.inputs.stringData)).not.toContain(values.find((v) => v !== run.outputs.apiKeys[name]));
    });
});

describe("where the platform's pods and nodes come from", () => {
    it("the gateway selects the CPU groups by name (the default system group here), never 'no node group'", async () => {
        for (const stack of ["local", "dev"]) {
            const run = await runStack(stackConfig(stack), { stack });
            const gateway = run.registered.find((r) => r.type === deployment && r.inputs.metadata.name === "model-gateway")!;
            expect(gateway.inputs.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
                { matchExpressions: [{ key: "model-services.io/node-group", operator: "In", values: ["system"] }] },
            ]);
        }
    });

    it("on EKS: the system group is a managed node group on the standard AMI, untainted; CoreDNS is declared and pinned", async () => {
        const run = await runStack(stackConfig("dev"), { stack: "dev" });
        const groups = run.registered.filter((r) => r.type === nodeGroup);
        expect(groups.map((g) => `${g.name} ${g.inputs.instanceTypes} ${g.inputs.amiType} ${g.inputs.taints.length} ${g.inputs.scalingConfig.desiredSize}`).sort()).toEqual([
            "model-services-gpu-l4-nodes g6.xlarge AL2023_x86_64_NVIDIA 1 1",
            "model-services-gpu-l40s-nodes g6e.12xlarge AL2023_x86_64_NVIDIA 1 1",
            "model-services-system-nodes m7i.large AL2023_x86_64_STANDARD 0 2",
        ]);
        expect(run.registered.filter((r) => r.type === "aws:eks/addon:Addon").map((a) => `${a.inputs.addonName} ${a.inputs.addonVersion}`).sort()).toEqual([
            "coredns v1.12.3-eksbuild.1",
            "eks-pod-identity-agent v1.3.10-eksbuild.2",
            "kube-proxy v1.34.0-eksbuild.2",
            "vpc-cni v1.20.4-eksbuild.2",
        ]);
        // No simulated node on EKS.
        expect(run.registered.filter((r) => r.type === "kubernetes:core/v1:Node")).toEqual([]);
    });

    it("on the simulated cluster: one Node per node the plan runs, shaped like the EKS node, owned by the stack", async () => {
        const run = await runStack(stackConfig("local"), { stack: "local" });
        const nodes = run.registered.filter((r) => r.type === "kubernetes:core/v1:Node");
        expect(nodes.map((n) => n.inputs.metadata.name)).toEqual(["gpu-l4-0", "gpu-l40s-0", "system-0", "system-1"]);
        const l4 = nodes[0].inputs;
        expect(l4.metadata.annotations["kwok.x-k8s.io/node"]).toBe("fake");
        expect(l4.spec.taints).toEqual([{ key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" }]);
        // g6.xlarge: 4 vCPU, 16 GiB, 1 L4, 4 ENIs × 15 IPs → 58 pods.
        expect(l4.status).toEqual({
            capacity: { cpu: "4", memory: "16Gi", "ephemeral-storage": "200Gi", pods: "58", "nvidia.com/gpu": "1" },
            allocatable: { cpu: "3920m", memory: "15391Mi", "ephemeral-storage": "179Gi", pods: "58", "nvidia.com/gpu": "1" },
        });
        expect(nodes[2].inputs.spec.taints).toEqual([]);
        expect(nodes[2].inputs.metadata.labels).toMatchObject({ "model-services.io/node-group": "system", "node.kubernetes.io/instance-type": "m7i.large", "topology.kubernetes.io/zone": "us-east-1a" });
        expect(nodes[3].inputs.metadata.labels["topology.kubernetes.io/zone"]).toBe("us-east-1b");
        // No AWS resource on a simulated cluster.
        expect(run.registered.filter((r) => r.type.startsWith("aws:"))).toEqual([]);
    });
});
