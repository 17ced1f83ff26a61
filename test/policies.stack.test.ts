import { describe, expect, it, vi } from "vitest";
import { packViolations, TestResource, urnOf } from "../policies/lib/testing";
import { newAwsAccount } from "./helpers/awsModel";
import { installMocks, RegisteredResource, settle } from "./helpers/mocks";
import { runStack, stackConfig } from "./helpers/platform";

// index.ts builds the real PolicyPack, which would start the analyzer's gRPC server.
vi.mock("@pulumi/policy", async (importOriginal) => ({
    ...(await importOriginal<typeof import("@pulumi/policy")>()),
    PolicyPack: class {},
}));

/**
 * The shipped stacks serve Hugging Face ids without a revision (no commit hash could be
 * checked from these machines), which the advisory k8s-vllm-model-pinned reports; the
 * tests that expect nothing else leave it out and one test pins down exactly what it says.
 */
const withoutPinning = { "k8s-vllm-model-pinned": "disabled" } as const;

/** Each registered resource as a policy sees it: its inputs, as they would be created. */
const asPolicyInputs = (registered: RegisteredResource[]): TestResource[] => registered.map((r) => ({ type: r.type, name: r.name, props: r.inputs }));

/** A hand-written program that wires vLLM its own way and gets most things wrong. */
async function badProgram(): Promise<TestResource[]> {
    vi.resetModules();
    // An account that has the cluster the program joins, so only the policies object.
    const account = newAwsAccount();
    account.clusters.push({ ...account.clusters[0], name: "llm" });
    const registered = await installMocks({ stack: "bad", aws: account });
    const k8s = await import("@pulumi/kubernetes");
    const aws = await import("@pulumi/aws");
    const llm = { app: "llm" };
    new k8s.apps.v1.Deployment("llm", {
        metadata: { name: "llm", labels: llm },
        spec: {
            replicas: 2,
            selector: { matchLabels: llm },
            template: {
                metadata: { labels: llm },
                spec: {
                    containers: [
                        {
                            name: "server",
                            image: "vllm/vllm-openai:latest",
                            args: ["meta-llama/Llama-3.1-70B-Instruct", "--tensor-parallel-size", "2"],
                            env: [{ name: "HF_TOKEN", value: "hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567" }],
                            resources: { limits: { "nvidia.com/gpu": "2" } },
                        },
                    ],
                },
            },
        },
    });
    new k8s.core.v1.Service("llm", { metadata: { name: "llm" }, spec: { type: "NodePort", selector: llm, ports: [{ port: 8000 }] } });
    new k8s.core.v1.ConfigMap("clients", { metadata: { name: "clients" }, data: { "keys.txt": `team-a sk-${"Zx9Qw8Er7Ty6".repeat(4)}` } });
    const edge = { app: "edge" };
    new k8s.apps.v1.Deployment("edge", {
        metadata: { name: "edge", labels: edge },
        spec: {
            replicas: 1,
            selector: { matchLabels: edge },
            template: {
                metadata: { labels: edge },
                spec: {
                    containers: [
                        {
                            name: "envoy",
                            image: "envoyproxy/envoy:v1.36.2",
                            ports: [{ name: "http", containerPort: 8080 }],
                            resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "256Mi" } },
                        },
                    ],
                },
            },
        },
    });
    new k8s.core.v1.Service("edge", { metadata: { name: "edge" }, spec: { type: "LoadBalancer", selector: edge, ports: [{ name: "http", port: 80, targetPort: "http" }, { name: "admin", port: 9901 }] } });
    new aws.eks.NodeGroup("gpus", {
        clusterName: "llm",
        nodeRoleArn: "arn:aws:iam::123456789012:role/nodes",
        subnetIds: [account.vpcs[0].subnets[0].id],
        instanceTypes: ["g6e.12xlarge"],
        scalingConfig: { minSize: 0, desiredSize: 3, maxSize: 2 },
    });
    await settle();
    return asPolicyInputs(registered);
}

/** The vLLM Deployments of a stack and the model each serves. */
function deploymentsServing(resources: TestResource[]): { name: string; model: string }[] {
    return resources
        .filter((r) => r.type === "kubernetes:apps/v1:Deployment" && r.props.metadata.name.startsWith("vllm-"))
        .map((r) => ({ name: r.props.metadata.name, model: r.props.spec.template.spec.containers[0].args[0] }));
}

describe.each(["local", "dev"])("the whole policy pack over the shipped %s stack", (stack) => {
    it("finds nothing, though it reads every resource the components register", async () => {
        const { policies } = await import("../policies/index");
        const resources = asPolicyInputs((await runStack(stackConfig(stack), { stack })).registered);
        expect(await packViolations(policies, resources, withoutPinning)).toEqual([]);
        expect((await packViolations(policies, resources)).map((v) => `${v.policy}: ${v.message.split(" without ")[0]}`)).toEqual(
            deploymentsServing(resources).map((d) => `k8s-vllm-model-pinned: container "vllm" of Deployment "${d.name}" serves Hugging Face model "${d.model}"`),
        );

        // The same inputs with one field broken per kind of resource: the pack does see them.
        const unpinned = resources.map((r) =>
            r.type === "kubernetes:apps/v1:Deployment" ? { ...r, props: JSON.parse(JSON.stringify(r.props).replace(/"image":"([^":]+):[^"]+"/g, '"image":"$1:latest"')) } : r,
        );
        const deployments = resources.filter((r) => r.type === "kubernetes:apps/v1:Deployment");
        expect(deployments.map((d) => d.props.metadata.name).sort()).toEqual(["model-gateway", "vllm-qwen-32b", "vllm-test", "vllm-vision"]);
        expect((await packViolations(policies, unpinned, withoutPinning)).map((v) => `${v.policy} ${v.urn}`).sort()).toEqual(deployments.map((d) => `k8s-image-pinned ${urnOf(d)}`).sort());
    });
});

describe("the whole policy pack over the shipped local stack with a Hugging Face token", () => {
    it("finds nothing: the token sits in a Secret and the pods take it from there", async () => {
        const { policies } = await import("../policies/index");
        const token = `hf_${"AbCdEfGhIjKlMnOpQ".repeat(2)}`;
        const run = await runStack(stackConfig("local"), { stack: "local", extraConfig: { "model-services:huggingFaceToken": token }, secretKeys: ["model-services:huggingFaceToken"] });
        expect(run.registered.some((r) => r.type === "kubernetes:core/v1:Secret" && JSON.stringify(r.inputs).includes(token))).toBe(true);
        expect(await packViolations(policies, asPolicyInputs(run.registered), withoutPinning)).toEqual([]);
    });
});

describe("the whole policy pack over the shipped dev stack (EKS)", () => {
    it("knows the platform's gateway by the label ApiGateway gives it, whatever its image", async () => {
        const { policies } = await import("../policies/index");
        const resources = asPolicyInputs((await runStack(stackConfig("dev"), { stack: "dev" })).registered).map((r) => {
            if (r.type === "kubernetes:apps/v1:Deployment" && r.props.metadata.name === "model-gateway") {
                r.props.spec.template.spec.containers[0].image = "mirror.example.com/edge/proxy:1.40.0";
            }
            if (r.type === "kubernetes:core/v1:Service" && r.props.metadata.name === "model-gateway") {
                r.props.spec.ports.push({ name: "debug", port: 9901 });
            }
            return r;
        });
        expect((await packViolations(policies, resources, withoutPinning)).map((v) => v.message)).toEqual([
            'Service "model-gateway" exposes the admin interface of Deployment "model-gateway" (port 9901 → 9901): remove that port from the Service; the admin interface stays on loopback (use kubectl port-forward to debug).',
        ]);
    });

    it("counts its node groups' GPUs at desired size and their price", async () => {
        const { policies } = await import("../policies/index");
        const resources = asPolicyInputs((await runStack(stackConfig("dev"), { stack: "dev" })).registered);
        const budget = { "stack-gpu-budget": { maxGpus: 4, maxUsdPerHour: 11 }, ...withoutPinning };
        expect((await packViolations(policies, resources, budget)).map((v) => v.message)).toEqual([
            'The stack\'s EKS node groups run 5 GPUs at their desired sizes ("gpu-l4-*": 1 × g6.xlarge = 1 GPU, $0.80/hour; "gpu-l40s-*": 1 × g6e.12xlarge = 4 GPUs, $10.49/hour), over the budget of 4: lower the instances or GPUs of services (or the node groups\' sizes), or raise maxGpus in the stack-gpu-budget policy config.',
            'The stack\'s EKS node groups cost $11.30/hour at their desired sizes ("gpu-l4-*": 1 × g6.xlarge = 1 GPU, $0.80/hour; "gpu-l40s-*": 1 × g6e.12xlarge = 4 GPUs, $10.49/hour), over the budget of $11.00/hour: lower the instances or GPUs of services (or the node groups\' sizes), or raise maxUsdPerHour in the stack-gpu-budget policy config.',
        ]);
    });
});

describe("the whole policy pack over a deliberately bad program", () => {
    it("reports exactly what is wrong", async () => {
        const { policies } = await import("../policies/index");
        const violations = await packViolations(policies, await badProgram(), { "stack-gpu-budget": { maxGpus: 8 } });
        const llm = "kubernetes:apps/v1:Deployment::llm";
        const nodeGroup = "aws:eks/nodeGroup:NodeGroup::gpus";
        expect(violations.map((v) => [v.policy, v.urn?.split("::").slice(2).join("::"), v.message])).toEqual([
            [
                "k8s-workload-gpu-placement",
                llm,
                'Deployment "llm" runs on GPUs but does not tolerate the GPU taint nvidia.com/gpu=true:NoSchedule, so it cannot be scheduled on GPU nodes: add the toleration {key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule"}.',
            ],
            [
                "k8s-workload-gpu-placement",
                llm,
                'Deployment "llm" runs on GPUs but selects no GPU nodes: set spec.nodeSelector["model-services.io/node-group"] to the GPU node group it runs on (accepted labels: model-services.io/node-group).',
            ],
            [
                "k8s-vllm-probes",
                llm,
                'container "server" of Deployment "llm" runs vLLM without startupProbe, readinessProbe, livenessProbe: add httpGet probes on /health (a startupProbe that allows at least 1800s for the model to load, then a readinessProbe and a livenessProbe).',
            ],
            [
                "k8s-image-pinned",
                llm,
                'container "server" of Deployment "llm" image "vllm/vllm-openai:latest" uses the moving tag `latest`: pin a release tag (vllm/vllm-openai:<version>) or a digest (vllm/vllm-openai@sha256:<digest>).',
            ],
            [
                "k8s-secret-no-plaintext-keys",
                "kubernetes:core/v1:ConfigMap::clients",
                'ConfigMap "clients" holds an API key (sk-…) in data["keys.txt"], which is not secret: keep it in a Kubernetes Secret and reference it (env valueFrom.secretKeyRef, a Secret volume).',
            ],
            [
                "k8s-secret-no-plaintext-keys",
                llm,
                'container "server" of Deployment "llm" sets HF_TOKEN to a literal value: keep it in a Kubernetes Secret and reference it (env valueFrom.secretKeyRef, a Secret volume) instead.',
            ],
            [
                "k8s-service-backend-clusterip",
                "kubernetes:core/v1:Service::llm",
                'Service "llm" exposes the vLLM pods of Deployment "llm" as NodePort: make it type ClusterIP; clients reach models only through the API gateway, which checks their key.',
            ],
            [
                "k8s-gateway-admin-not-exposed",
                "kubernetes:core/v1:Service::edge",
                'Service "edge" exposes the admin interface of Deployment "edge" (port 9901 → 9901): remove that port from the Service; the admin interface stays on loopback (use kubectl port-forward to debug).',
            ],
            [
                "k8s-vllm-shm-for-tensor-parallel",
                llm,
                'container "server" of Deployment "llm" runs vLLM with tensor parallel 2 but has no memory-backed /dev/shm (NCCL needs more than the runtime\'s 64 MiB default): add a volume {name: "dshm", emptyDir: {medium: "Memory", sizeLimit: "<a few GiB per GPU>"}} and mount it at /dev/shm.',
            ],
            [
                "k8s-deployment-pdb",
                llm,
                'Deployment "llm" runs 2 replicas without a PodDisruptionBudget selecting its pods, so a node drain may evict them all at once: add a PodDisruptionBudget with maxUnavailable: 1 and selector.matchLabels {"app":"llm"}.',
            ],
            [
                "aws-eks-nodegroup-gpu-ami",
                nodeGroup,
                'EKS node group "gpus" runs GPU instances (g6e.12xlarge) without an amiType, which has no NVIDIA driver: set amiType to AL2023_x86_64_NVIDIA (or BOTTLEROCKET_x86_64_NVIDIA, which also brings the device plugin; the ARM_64 variants on Graviton GPU instances).',
            ],
            [
                "aws-eks-nodegroup-gpu-ami",
                nodeGroup,
                'EKS node group "gpus" has scalingConfig minSize 0, desiredSize 3, maxSize 2, which breaks maxSize ≥ desiredSize ≥ minSize: raise maxSize to at least 3, or lower desiredSize.',
            ],
            [
                "k8s-service-id-label",
                llm,
                'Deployment "llm" belongs to a model service but has no model-services.io/service-id label: set metadata.labels["model-services.io/service-id"] to the service\'s ID (ModelService.serviceId), as on the service\'s other objects.',
            ],
            ["k8s-service-id-label", llm, 'The pods of Deployment "llm" carry no model-services.io/service-id label: add it to the pod template\'s metadata.labels (billing counts pods by it).'],
            [
                "stack-gpu-budget",
                undefined,
                'The stack\'s EKS node groups run 12 GPUs at their desired sizes ("gpus": 3 × g6e.12xlarge = 12 GPUs, $31.48/hour), over the budget of 8: lower the instances or GPUs of services (or the node groups\' sizes), or raise maxGpus in the stack-gpu-budget policy config.',
            ],
            [
                "k8s-container-resources",
                llm,
                'container "server" of Deployment "llm" sets no resources.requests.cpu, resources.requests.memory, resources.limits.cpu, resources.limits.memory: set cpu and memory in both resources.requests and resources.limits.',
            ],
            [
                "k8s-vllm-model-pinned",
                llm,
                'container "server" of Deployment "llm" serves Hugging Face model "meta-llama/Llama-3.1-70B-Instruct" without --revision: pin it to a commit (40 hex characters, the service\'s revision) so the weights never change under a running service.',
            ],
            [
                "k8s-vllm-network-policy",
                llm,
                'Deployment "llm" runs vLLM, which checks no key on most paths, and no NetworkPolicy restricts ingress to its pods: add one admitting only the API gateway\'s pods (ModelPlatform creates "model-pods-ingress").',
            ],
            ...[80, 9901].map((port) => [
                "k8s-service-lb-no-public-plaintext",
                "kubernetes:core/v1:Service::edge",
                `Service "edge" is an internet-facing load balancer serving port ${port} without TLS, so API keys would cross the internet in clear: set gateway.certificateArn (TLS at the NLB) or gateway.tls, or make it internal (annotation service.beta.kubernetes.io/aws-load-balancer-scheme: internal).`,
            ]),
        ]);
    });
});

describe("the whole policy pack over model caches and adapters", () => {
    const revision = "0123456789abcdef0123456789abcdef01234567";
    it.each(["shared", "node-local"])("finds nothing with a %s cache, a pinned base and pinned adapters (download steps are no vLLM servers)", async (kind) => {
        const { policies } = await import("../policies/index");
        const raw = {
            owner: "u-1",
            cluster: { kind: "kubeconfig" },
            nodeGroups: [{ name: "gpu-l4", instanceType: "g6.xlarge", minSize: 0, maxSize: 4, modelCache: kind === "shared" ? { kind, storageClass: "efs-sc" } : { kind } }],
            services: [
                { name: "chat", model: "Qwen/Qwen3-8B", revision, instances: 2, maxModelLen: 8192 },
                { name: "support", base: "chat", adapter: "acme/qwen3-8b-support-lora", revision, rank: 16 },
                { name: "sql", base: "chat", adapter: "s3://acme-adapters/sql-v3", rank: 64 },
            ],
            apiKeys: [{ name: "all", services: ["*"] }],
            modelAccess: { s3: { mode: "secret", secretName: "aws-model-reader" } },
        };
        const resources = asPolicyInputs((await runStack(raw)).registered);
        expect(resources.some((r) => r.type === "kubernetes:batch/v1:Job")).toBe(kind === "shared");
        expect(await packViolations(policies, resources)).toEqual([]);
    });
});
