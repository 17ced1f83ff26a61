import { execFileSync } from "node:child_process";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../helpers/platform";
import { ConsumerProject, consumerStack, createExistingNodes, deleteNodes, objectsIn, packLibrary, removeConsumer, routedAccessNames, secretData } from "./consumers";
import { kubeconfig, kubectl } from "./harness";

/**
 * examples/compose-yaml: a Pulumi YAML program using the components through the
 * source-based component package (provider/), run by the YAML language host built from
 * github.com/pulumi/pulumi-yaml, with the project's own Node language host serving the
 * plugin role (GetRequiredPackages, InstallDependencies, RunPlugin).
 */

const namespace = "compose-yaml";
let project: ConsumerProject | undefined;
let nodes: string[] = [];

beforeAll(async () => {
    nodes = createExistingNodes();
    const tarball = packLibrary();
    project = await consumerStack("compose-yaml", { kubeconfig, namespace, nodeGroup: "gpu-l4" }, (workDir) => {
        // The component package beside the program, with the packed library installed into it.
        const plugin = path.join(workDir, "provider");
        cpSync(path.join(projectRoot, "provider"), plugin, { recursive: true });
        execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts", "--loglevel=error", tarball], {
            cwd: plugin,
            stdio: ["ignore", "pipe", "inherit"],
        });
        // The entry `pulumi package add` writes, pointed at the copy. (`pulumi package add` itself
        // stops at its last step here: the 3.274 CLI asks the YAML host to Link the package, which
        // pulumi-yaml 1.25.0 does not implement — "linking package: method Link not implemented".)
        const pulumiYaml = path.join(workDir, "Pulumi.yaml");
        writeFileSync(pulumiYaml, readFileSync(pulumiYaml, "utf8").replace("model-services: ../../provider", "model-services: ./provider"));
    });
}, 900_000);

afterAll(() => {
    removeConsumer(project);
    deleteNodes(nodes);
});

describe("a Pulumi YAML program using the component package", () => {
    it("pulumi up: a ModelService, a KeyStore and an ApiGateway routing to the service's backendHost output", async () => {
        const result = await project!.stack.up();
        expect(result.summary.result).toBe("succeeded");
        const deployment = kubectl("get", "deployment", "vllm-chat", "-n", namespace, "-o", "json");
        expect(deployment.spec.replicas).toBe(1);
        expect(deployment.spec.template.spec.nodeSelector).toEqual({ "model-services.io/node-group": "gpu-l4" });
        expect(deployment.status.readyReplicas).toBe(1);
        expect(objectsIn(namespace)).toEqual([
            "Deployment/model-gateway",
            "Deployment/vllm-chat",
            "Secret/model-gateway-config",
            "Secret/model-services-api-keys",
            "Service/model-gateway",
            "Service/vllm-chat",
        ]);
        expect(routedAccessNames(namespace)).toEqual(["acme/chat"]);
        expect(Object.keys(secretData(namespace, "model-services-api-keys"))).toEqual(["app"]);
        const outputs = await project!.stack.outputs();
        expect(outputs.endpoint.value).toBe(`http://model-gateway.${namespace}.svc.cluster.local/v1`);
        expect(outputs.chatServiceId.value).toMatch(/^ms-[0-9a-f]{12}$/);
    });

    it("pulumi destroy removes every object it created", async () => {
        const result = await project!.stack.destroy();
        expect(result.summary.result).toBe("succeeded");
        expect(kubectl("get", "namespaces", "-o", "json").items.map((n: any) => n.metadata.name)).not.toContain(namespace);
    });
});
