import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConsumerProject, consumerStack, createExistingNodes, deleteNodes, objectsIn, packLibrary, removeConsumer, routedAccessNames, secretData } from "./consumers";
import { kubeconfig, kubectl } from "./harness";

/**
 * examples/compose-ts as a user runs it: `npm pack` of this repository, the tarball
 * installed into the example (no path into the source), `pulumi up` and `destroy` with the
 * real engine on the simulated GPU cluster.
 */

const namespace = "compose-ts";
let project: ConsumerProject | undefined;
let nodes: string[] = [];

beforeAll(async () => {
    nodes = createExistingNodes();
    const tarball = packLibrary();
    project = await consumerStack("compose-ts", { kubeconfig, namespace, nodeGroup: "gpu-l4" }, (workDir) => {
        execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts", "--loglevel=error", tarball], {
            cwd: workDir,
            stdio: ["ignore", "pipe", "inherit"],
        });
    });
}, 900_000);

afterAll(() => {
    removeConsumer(project);
    deleteNodes(nodes);
});

describe("a TypeScript program composing the packed library", () => {
    it("installed the library from the tarball: compiled JavaScript and types, not the stack or tests", () => {
        const installed = path.join(project!.workDir, "node_modules", "model-services");
        const pkg = JSON.parse(readFileSync(path.join(installed, "package.json"), "utf8"));
        expect(pkg.main).toBe("dist/index.js");
        expect(readFileSync(path.join(installed, "dist", "index.d.ts"), "utf8")).toContain('export * from "./resources/modelService";');
        expect(existsSync(path.join(installed, "stacks"))).toBe(false);
        expect(existsSync(path.join(installed, "components", "config", "engineFlags.test.ts"))).toBe(false);
        const lock = JSON.parse(readFileSync(path.join(project!.workDir, "package-lock.json"), "utf8"));
        expect(lock.packages["node_modules/model-services"].resolved).toMatch(/^file:.*model-services-\d+\.\d+\.\d+\.tgz$/);
    });

    it("pulumi up: two services on the existing node group, the keys, and a gateway with the program's own route", async () => {
        const result = await project!.stack.up();
        expect(result.summary.result).toBe("succeeded");

        for (const [service, replicas] of [["chat", 2], ["embed", 1]] as const) {
            const deployment = kubectl("get", "deployment", `vllm-${service}`, "-n", namespace, "-o", "json");
            expect(deployment.spec.replicas).toBe(replicas);
            expect(deployment.spec.template.spec.nodeSelector).toEqual({ "model-services.io/node-group": "gpu-l4" });
            expect(deployment.status.readyReplicas).toBe(replicas);
            const pods = kubectl("get", "pods", "-n", namespace, "-l", `model-services.io/service=${service}`, "-o", "json").items;
            for (const pod of pods) {
                expect(kubectl("get", "node", pod.spec.nodeName, "-o", "json").metadata.labels["model-services.io/node-group"]).toBe("gpu-l4");
            }
        }
        expect(objectsIn(namespace)).toEqual([
            "Deployment/model-gateway",
            "Deployment/vllm-chat",
            "Deployment/vllm-embed",
            "Secret/model-gateway-config",
            "Secret/model-services-api-keys",
            "Service/model-gateway",
            "Service/vllm-chat",
            "Service/vllm-embed",
        ]);
        expect(routedAccessNames(namespace)).toEqual(["acme/chat", "acme/embed", "acme/legacy"]);
        const cds = secretData(namespace, "model-gateway-config")["cds.json"];
        expect(cds).toContain(`legacy-llm.${namespace}.svc.cluster.local`);
        expect(cds).toContain(`vllm-chat.${namespace}.svc.cluster.local`);

        const keys = secretData(namespace, "model-services-api-keys");
        expect(Object.keys(keys).sort()).toEqual(["app", "ops"]);
        const outputs = await project!.stack.outputs();
        expect(outputs.apiKeys.secret).toBe(true);
        expect(outputs.apiKeys.value).toEqual(keys);
        expect(outputs.routes.value).toEqual(["acme/chat", "acme/embed", "acme/legacy"]);
        expect(outputs.endpoint.value).toBe(`http://model-gateway.${namespace}.svc.cluster.local/v1`);
    });

    it("pulumi destroy removes every object it created", async () => {
        const result = await project!.stack.destroy();
        expect(result.summary.result).toBe("succeeded");
        expect(kubectl("get", "namespaces", "-o", "json").items.map((n: any) => n.metadata.name)).not.toContain(namespace);
    });
});
