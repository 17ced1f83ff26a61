import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { findService, pickKey } from "../../cli/connect";
import { clusterTarget, StackOutputs } from "../../cli/stack";

const outputs: StackOutputs = {
    endpoint: "http://model-gateway.llm.svc.cluster.local/v1",
    services: [
        { name: "test", accessName: "u-1/test", serviceId: "a", baseModel: "m", instances: 1 },
        { name: "vision", accessName: "u-1/vision", serviceId: "b", baseModel: "m", instances: 1 },
    ],
};

describe("reaching a service", () => {
    it("finds a service by name or access name, and lists the names when it cannot", () => {
        expect(findService(outputs, "u-1/vision").name).toBe("vision");
        expect(() => findService(outputs, "tset")).toThrow('no service "tset" in the stack; its services are "test", "vision"');
    });

    it("calls with the first key whose scope covers the service, or the one asked for", () => {
        const keys = { "app-prod": "sk-1", research: "sk-2" };
        const scopes = [
            { name: "app-prod", services: ["test"] },
            { name: "research", services: ["*"] },
        ];
        expect(pickKey(keys, scopes, "vision")).toEqual({ name: "research", value: "sk-2" });
        expect(pickKey(keys, scopes, "test")).toEqual({ name: "app-prod", value: "sk-1" });
        expect(pickKey(keys, scopes, "test", "research").name).toBe("research");
        expect(() => pickKey(keys, scopes, "test", "ops")).toThrow('no API key named "ops" in the stack\'s outputs; the keys are app-prod, research');
    });

    it("finds the cluster: the stack file's kubeconfig (relative to the project) and namespace, else the endpoint's", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "model-services-cli-"));
        const file = path.join(dir, "Pulumi.local.yaml");
        writeFileSync(file, "config:\n  model-services:cluster:\n    kind: kubeconfig\n    kubeconfig: .cluster/kubeconfig\n    context: kwok\n");
        expect(clusterTarget(outputs, file)).toEqual({ namespace: "llm", kubeconfig: path.join(dir, ".cluster/kubeconfig"), context: "kwok" });
        writeFileSync(file, "config:\n  model-services:namespace: models\n");
        expect(clusterTarget({ endpoint: "https://api.example.com/v1" }, file, { kubeconfig: "/k" })).toEqual({ namespace: "models", kubeconfig: "/k", context: undefined });
        expect(clusterTarget({ endpoint: "https://api.example.com/v1" }, undefined).namespace).toBe("model-services");
    });
});
