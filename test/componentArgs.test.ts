import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { installMocks, ofType, RegisteredResource, settle, valueOf } from "./helpers/mocks";
import { rejectionOf } from "./helpers/rejection";

// Components composed the way another program composes them: values from other resources'
// outputs, and bad args rejected with the stack config's own messages.

let registered: RegisteredResource[];
let c: typeof import("../components");
let argsModule: typeof import("../components/config/args");
let schema: typeof import("../components/config/schema");

function thrownBy(construct: () => unknown): Error {
    try {
        construct();
    } catch (error) {
        return error as Error;
    }
    throw new Error("expected the constructor to throw");
}

/** The message of a config or args error without its header and path: what the two must share. */
function problemOf(message: string, path: string): string {
    const line = message.split("\n").find((l) => l.startsWith(`  - ${path}: `));
    expect(line, `${path} in:\n${message}`).toBeDefined();
    return line!.slice(`  - ${path}: `.length);
}

beforeAll(async () => {
    registered = await installMocks();
    c = await import("../components");
    argsModule = await import("../components/config/args");
    schema = await import("../components/config/schema");
});

describe("composing components from other resources' outputs", () => {
    let gateway: import("../components").ApiGateway;

    beforeAll(async () => {
        const group = new c.GpuNodeGroup("existing", { name: "gpu-l40s", instanceType: "g6e.xlarge", minSize: 1, desiredSize: 2, maxSize: 4 });
        // A value only known once another resource exists: the image comes from a ConfigMap's output.
        const k8s = await import("@pulumi/kubernetes");
        const pins = new k8s.core.v1.ConfigMap("pins", { data: { image: "registry.example/vllm:v1" } });
        const image = pins.data.apply((d) => d.image);
        const keys = new c.KeyStore("keys", { namespace: "apps", apiKeys: [{ name: "team-a", rotation: 1 }] });
        const chat = new c.ModelService("chat", {
            namespace: "apps",
            name: "chat",
            accessName: pulumi.output("acme/chat"),
            model: "Qwen/Qwen3-8B",
            instances: pulumi.output(2),
            nodeSelector: group.nodeSelector,
            instanceType: group.instanceType,
            image,
        });
        gateway = new c.ApiGateway("gw", {
            namespace: "apps",
            routes: [
                chat.route,
                { name: "legacy", accessName: "acme/legacy", task: "chat", backendHost: "legacy.apps.svc.cluster.local", backendPort: 8080, instances: 1 },
            ],
            keys: keys.keys.apply((values) => [{ name: "team-a", value: values["team-a"], services: ["chat", "legacy"] }]),
            replicas: pulumi.output(1),
        });
        await valueOf(gateway.endpoint);
        await settle();
    });

    it("puts the outputs into the Deployment: replicas, node selector, image and the instance type's share", () => {
        const d = ofType(registered, "kubernetes:apps/v1:Deployment").find((r) => r.name === "chat-deployment")!.inputs;
        expect(d.spec.replicas).toBe(2);
        expect(d.spec.template.spec.nodeSelector).toEqual({ "model-services.io/node-group": "gpu-l40s" });
        const container = d.spec.template.spec.containers[0];
        expect(container.image).toBe("registry.example/vllm:v1");
        expect(container.args).toEqual(expect.arrayContaining(["--served-model-name", "acme/chat"]));
        // g6e.xlarge: 4 vCPUs, one GPU; one pod gets (4 - 1) CPUs.
        expect(container.resources.requests.cpu).toBe("3");
    });

    it("routes the gateway to a ModelService.route output and to a route the program wrote itself", async () => {
        const secret = ofType(registered, "kubernetes:core/v1:Secret").find((r) => r.name === "gw-config")!.inputs;
        const rds = JSON.parse(secret.stringData["rds.json"]);
        const text = JSON.stringify(rds);
        expect(text).toContain("acme/chat");
        expect(text).toContain("acme/legacy");
        // Clusters live in their own Secret (the route table and the clusters each stay well under 1 MiB).
        const clusterSecret = ofType(registered, "kubernetes:core/v1:Secret").find((r) => r.name === "gw-clusters")!.inputs;
        const clusters = JSON.stringify(JSON.parse(clusterSecret.stringData["cds.json"]));
        expect(clusters).toContain("vllm-chat.apps.svc.cluster.local");
        expect(clusters).toContain("legacy.apps.svc.cluster.local");
        const deployment = ofType(registered, "kubernetes:apps/v1:Deployment").find((r) => r.name === "gw-deployment")!.inputs;
        expect(deployment.spec.replicas).toBe(1);
    });

    it("puts a key's odd rotation into the odd slot's keepers (the even slot keeps the value before it)", () => {
        const passwords = ofType(registered, "random:index/randomPassword:RandomPassword");
        expect(passwords.find((r) => r.name === "keys-team-a-odd")!.inputs.keepers).toEqual({ rotation: "1" });
        expect(passwords.find((r) => r.name === "keys-team-a")!.inputs.keepers).toEqual({ rotation: "0" });
    });
});

describe("bad args: the stack config's rules and messages, before anything is created", () => {
    it("ModelService: every plain problem at once, each with the arg path, the value and the fix", () => {
        const before = registered.length;
        const error = thrownBy(
            () =>
                new c.ModelService("bad", {
                    namespace: "apps",
                    name: "Bad_Name",
                    accessName: "acme/bad",
                    model: "Qwen/Qwen3-8B",
                    instances: -1,
                    gpus: 0,
                    engineArgs: ["--port=9000"],
                }),
        );
        expect(error.name).toBe("ConfigError");
        expect(error.message).toBe(
            [
                'Invalid ModelService "bad" args (5 problems); nothing was changed:',
                "  - args.name: expected an RFC 1035 label: lowercase letters, digits and '-', starting with a letter, ≤ 40 characters, got \"Bad_Name\". Rename the service, e.g. llama-8b.",
                "  - args.engineArgs[0]: sets --port, which the platform sets itself, got \"--port=9000\". Remove it from engineArgs.",
                "  - args.nodeGroup: is missing; expected the name of a node group. Name the node group the pods run on, or give nodeSelector.",
                "  - args.instances: expected a whole number ≥ 0, got -1. Set how many instances to run (0 stops the service).",
                "  - args.gpus: expected a whole number from 1 to 64, got 0. Set the GPUs per instance (vLLM's tensor-parallel size), or leave it out to let the planner choose.",
            ].join("\n"),
        );
        expect(registered.slice(before).filter((r) => r.name.startsWith("bad"))).toEqual([]);
    });

    it("says the same as stack config for the same mistake", () => {
        const config = thrownBy(() =>
            c.parseConfig(
                {
                    cluster: { kind: "kubeconfig" },
                    nodeGroups: [{ name: "gpu", instanceType: "g6e.xlarge", minSize: 0, maxSize: 1 }],
                    services: [{ name: "chat", model: "Qwen/Qwen3-8B", instances: -1 }],
                },
                { project: "model-services", stack: "local" },
            ),
        );
        const args = thrownBy(() => new c.ModelService("same", { namespace: "apps", name: "chat", accessName: "acme/chat", model: "Qwen/Qwen3-8B", instances: -1, nodeGroup: "gpu" }));
        expect(problemOf(args.message, "args.instances")).toBe(problemOf(config.message, "services[0].instances"));
    });

    it("an Output value is checked when it resolves, with the same message", async () => {
        const check = new argsModule.ArgsCheck('ModelService "late" args');
        const instances = check.input("instances", schema.serviceSchema.shape.instances, pulumi.output(2.5));
        check.throwIfInvalid();
        const error = await rejectionOf(instances);
        expect(error?.message).toBe(
            'Invalid ModelService "late" args (1 problem); nothing was changed:\n  - args.instances: expected a whole number ≥ 0, got 2.5. Set how many instances to run (0 stops the service).',
        );
        expect(await rejectionOf(check.input("instances", schema.serviceSchema.shape.instances, pulumi.output(2)))).toBeUndefined();
    });

    it("ApiGateway: a route's name and a key's services, by their path in the args", () => {
        const error = thrownBy(
            () =>
                new c.ApiGateway("bad-gw", {
                    namespace: "apps",
                    routes: [{ name: "9lives", accessName: "acme/9lives", task: "chat", backendHost: "x.apps.svc.cluster.local", backendPort: 8000, instances: 1 }],
                    keys: [{ name: "team-a", value: "sk-1", services: [] }],
                    replicas: 0,
                }),
        );
        expect(error.message).toBe(
            [
                'Invalid ApiGateway "bad-gw" args (3 problems); nothing was changed:',
                "  - args.replicas: expected a whole number from 1 to 100, got 0. Run at least one Envoy pod (2 for no downtime on node loss).",
                "  - args.routes[0].name: expected an RFC 1035 label: lowercase letters, digits and '-', starting with a letter, ≤ 40 characters, got \"9lives\". Rename the service, e.g. llama-8b.",
                '  - args.keys[0].services: expected at least one service name, got []. List the services this key may call, or ["*"] for all.',
            ].join("\n"),
        );
    });

    it("KeyStore and GpuNodeGroup: names and sizes like apiKeys[] and nodeGroups[]", () => {
        expect(thrownBy(() => new c.KeyStore("bad-keys", { namespace: "apps", apiKeys: [{ name: "Team A" }] })).message).toBe(
            'Invalid KeyStore "bad-keys" args (1 problem); nothing was changed:\n  - args.apiKeys[0].name: expected a DNS-1123 label (lowercase letters, digits and \'-\', ≤ 63), got "Team A". Rename the key, e.g. team-a.',
        );
        expect(thrownBy(() => new c.GpuNodeGroup("bad-group", { name: "gpu", instanceType: "g6e", minSize: -1, desiredSize: 1, maxSize: 2 })).message).toBe(
            [
                'Invalid GpuNodeGroup "bad-group" args (2 problems); nothing was changed:',
                '  - args.instanceType: expected an EC2 instance type such as g6e.xlarge, got "g6e". Pick a GPU or CPU instance type (see `npm run plan -- --catalog`).',
                "  - args.minSize: expected a whole number ≥ 0, got -1. Set the fewest nodes to keep (0 lets the group scale to zero).",
            ].join("\n"),
        );
        // The CPU group takes the same rules.
        expect(thrownBy(() => new c.CpuNodeGroup("bad-cpu", { name: "System", instanceType: "m7i.large", minSize: 1, desiredSize: 1, maxSize: 2, diskSizeGiB: 0 })).message).toMatch(
            /^Invalid CpuNodeGroup "bad-cpu" args \(2 problems\); nothing was changed:\n {2}- args\.name: expected a DNS-1123 label .*got "System"\..*\n {2}- args\.diskSizeGiB: .*got 0\./s,
        );
    });
});
