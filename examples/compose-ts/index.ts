import { readFileSync } from "node:fs";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { accessName, ApiGateway, GatewayRoute, KeyStore, ModelService, ServiceTask } from "model-services";

// A program of its own composing the library's components its own way: its namespace and
// provider, a key store, two model services on a node group that already exists, and a
// gateway with one extra route to a backend it runs elsewhere.

const config = new pulumi.Config();
const namespaceName = config.get("namespace") ?? "compose-ts";
const nodeGroup = config.get("nodeGroup") ?? "gpu-l4";
const owner = "acme";

const provider = new k8s.Provider("cluster", {
    kubeconfig: pulumi.secret(readFileSync(config.require("kubeconfig"), "utf8")),
    enableServerSideApply: true,
    enableSecretMutable: true,
});
const opts = { provider };
const namespace = new k8s.core.v1.Namespace("namespace", { metadata: { name: namespaceName } }, opts).metadata.name;

const keys = new KeyStore("keys", { namespace, apiKeys: [{ name: "app" }, { name: "ops" }] }, opts);

const chat = new ModelService(
    "chat",
    { namespace, name: "chat", accessName: accessName(owner, "chat"), model: "Qwen/Qwen3-0.6B", instances: 2, nodeGroup, instanceType: "g6.xlarge" },
    opts,
);
const embed = new ModelService(
    "embed",
    {
        namespace,
        name: "embed",
        accessName: accessName(owner, "embed"),
        model: "BAAI/bge-base-en-v1.5",
        task: ServiceTask.Embedding,
        instances: 1,
        nodeGroup,
        instanceType: "g6.xlarge",
    },
    opts,
);

// A backend this program runs elsewhere (an existing OpenAI-compatible server), behind the same keys.
const legacy: pulumi.Output<GatewayRoute> = namespace.apply((ns) => ({
    name: "legacy",
    accessName: accessName(owner, "legacy"),
    task: ServiceTask.Chat,
    backendHost: `legacy-llm.${ns}.svc.cluster.local`,
    backendPort: 8080,
    instances: 1,
}));

const gateway = new ApiGateway(
    "gateway",
    {
        namespace,
        routes: [chat.route, embed.route, legacy],
        keys: keys.keys.apply((values) => [
            { name: "app", value: values.app, services: ["chat", "embed"] },
            { name: "ops", value: values.ops, services: ["*"] },
        ]),
        replicas: 1,
    },
    opts,
);

export const endpoint = gateway.endpoint;
export const routes = pulumi.all([chat.route, embed.route, legacy]).apply((all) => all.map((r) => r.accessName));
export const serviceIds = { chat: chat.serviceId, embed: embed.serviceId };
export const apiKeys = keys.keys;
