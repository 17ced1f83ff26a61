import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot, stackConfig } from "../helpers/platform";
import { createStack, E2eStack, eventually, gatewayConfigText, gatewaySecrets, kubectl, namespace, plannedSteps, policyPacks, removeStack, secretToDir } from "./harness";

/**
 * The web playground on the real engine, provider and API server, with the real scheduler
 * placing its pod on the simulated nodes (KWOK). What is simulated: KWOK runs no container, so
 * Open WebUI itself never starts here; the pod turns Running on whichever node the scheduler
 * chose, which is what is asserted.
 */

let e2e: E2eStack;
const base = stackConfig("local");
const withPlayground = { ...base, playground: { enabled: true, services: ["test"] } };

const playgroundPods = (): any[] =>
    kubectl("get", "pods", "-n", namespace, "-l", "app.kubernetes.io/instance=playground", "-o", "json").items.filter((p: any) => !p.metadata.deletionTimestamp);

beforeAll(async () => {
    e2e = await createStack("playground", withPlayground);
}, 120_000);

afterAll(async () => {
    if (e2e) {
        await e2e.stack.destroy().catch(() => undefined);
        removeStack(e2e);
    }
});

describe("the web playground on the simulated cluster", () => {
    it("1. up: Open WebUI runs on a CPU (system) node behind a ClusterIP Service, its key by reference, scoped at the gateway", async () => {
        await e2e.stack.up({ policyPacks });

        await eventually("the playground pod Running", () => playgroundPods().some((p) => p.status?.phase === "Running"));
        const [pod] = playgroundPods();
        const node = kubectl("get", "node", pod.spec.nodeName, "-o", "json");
        expect(node.metadata.labels["model-services.io/node-group"]).toBe("system");
        expect(node.metadata.labels["nvidia.com/gpu.present"]).toBeUndefined();

        const service = kubectl("get", "service", "playground", "-n", namespace, "-o", "json");
        expect([service.spec.type, service.spec.ports.map((p: any) => p.port), service.spec.externalIPs]).toEqual(["ClusterIP", [80], undefined]);

        const env: any[] = kubectl("get", "deployment", "playground", "-n", namespace, "-o", "json").spec.template.spec.containers[0].env;
        expect(env.find((e) => e.name === "OPENAI_API_KEY")).toEqual({ name: "OPENAI_API_KEY", valueFrom: { secretKeyRef: { name: "model-services-api-keys", key: "playground" } } });
        expect(env.find((e) => e.name === "OPENAI_API_BASE_URL").value).toBe("http://model-gateway.model-services.svc.cluster.local/v1");

        // The key's value is in the key Secret and among the gateway's credentials under its own name; nowhere in plain objects.
        const keys = kubectl("get", "secret", "model-services-api-keys", "-n", namespace, "-o", "json").data;
        const value = Buffer.from(keys.playground, "base64").toString("utf8");
        expect(value).toMatch(/^sk-/);
        const gateway = gatewayConfigText();
        expect(gateway).toContain(JSON.stringify({ key: value, client: "playground" }));
        const plain = ["deployments", "services", "configmaps", "pods"].map((kind) => JSON.stringify(kubectl("get", kind, "-n", namespace, "-o", "json"))).join("");
        expect(plain).not.toContain(value);

        // Its scope: named on the test route only.
        const rds = JSON.parse(Buffer.from(kubectl("get", "secret", gatewaySecrets[0], "-n", namespace, "-o", "json").data["rds.json"], "base64").toString("utf8"));
        const admitting = rds.resources[0].virtual_hosts[0].routes
            .filter((r: any) => JSON.stringify(r.typed_per_filter_config ?? {}).includes('"exact":"playground"'))
            .map((r: any) => r.match.dynamic_metadata[0].value.string_match.exact);
        expect(admitting).toEqual(["u-8105f7322477/test"]);
        execFileSync(path.join(projectRoot, "scripts/envoy-validate.sh"), [secretToDir(...gatewaySecrets)], { stdio: "inherit" });

        const outputs = await e2e.stack.outputs();
        expect(outputs.playground.value).toMatchObject({ service: "playground", port: 80, keyName: "playground", services: ["test"] });
        expect(Object.keys(outputs.apiKeys.value).sort()).toEqual(["app-prod", "research"]);
    }, 600_000);

    it("2. disabling it removes exactly its objects and its key", async () => {
        const { playground: _off, ...without } = e2e.raw;
        e2e.setConfig(without);
        const { steps } = await plannedSteps(e2e);
        expect(steps.filter((s) => s.startsWith("delete"))).toEqual([
            "delete kubernetes:apps/v1:Deployment model-services-playground-deployment",
            "delete kubernetes:core/v1:Secret model-services-playground-secret",
            "delete kubernetes:core/v1:Service model-services-playground-service",
            "delete model-services:index:Playground model-services-playground",
            "delete random:index/randomPassword:RandomPassword model-services-keys-playground",
            "delete random:index/randomPassword:RandomPassword model-services-playground-webui-secret",
        ]);
        await e2e.stack.up({ policyPacks });
        await eventually("the playground pod gone", () => playgroundPods().length === 0);
        expect(kubectl("get", "deployments,services,secrets", "-n", namespace, "-o", "json").items.map((o: any) => o.metadata.name).filter((n: string) => n.startsWith("playground"))).toEqual([]);
        const keys = kubectl("get", "secret", "model-services-api-keys", "-n", namespace, "-o", "json").data;
        expect(Object.keys(keys).sort()).toEqual(["app-prod", "research"]);
        expect(gatewayConfigText()).not.toContain('"client":"playground"');
        expect((await e2e.stack.outputs()).playground).toBeUndefined();
    }, 600_000);
});
