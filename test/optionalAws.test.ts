import { createRequire } from "node:module";
import { beforeAll, describe, expect, it } from "vitest";
import { installMocks, settle } from "./helpers/mocks";

// @pulumi/aws is an optional peer dependency: a program on a kubeconfig cluster (and the
// component package other languages use) must run without loading it, so without its plugin.

const nodeRequire = createRequire(__filename);
const awsLoaded = () => Object.keys(nodeRequire.cache).some((file) => file.includes("/node_modules/@pulumi/aws/"));

let c: typeof import("../components");

beforeAll(async () => {
    await installMocks();
    c = await import("../components");
});

describe("@pulumi/aws, loaded only for AWS resources", () => {
    it("is not loaded by importing the library or composing a kubeconfig platform", async () => {
        const group = new c.GpuNodeGroup("group", { name: "gpu", instanceType: "g6.xlarge", minSize: 0, desiredSize: 1, maxSize: 1 });
        const keys = new c.KeyStore("keys", { namespace: "apps", apiKeys: [{ name: "app" }] });
        const chat = new c.ModelService("chat", { namespace: "apps", name: "chat", accessName: "acme/chat", model: "Qwen/Qwen3-0.6B", instances: 1, nodeSelector: group.nodeSelector });
        new c.ApiGateway("gw", { namespace: "apps", routes: [chat.route], keys: keys.keys.apply((v) => [{ name: "app", value: v.app, services: ["*"] }]) });
        await settle();
        expect(awsLoaded()).toBe(false);
    });

    it("is loaded when a component creates an AWS resource", async () => {
        new c.KeyStore("aws-keys", { namespace: "apps", apiKeys: [{ name: "app" }], awsSecretsManager: true });
        await settle();
        expect(awsLoaded()).toBe(true);
    });
});
