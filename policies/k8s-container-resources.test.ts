import { describe, expect, it } from "vitest";
import { k8sContainerResources } from "./k8s-container-resources";
import { changed, compliantStack, devicePluginDaemonSet, firstContainer, gatewayDeployment } from "./lib/fixtures";
import { resourceViolations, unknownDuringPreview } from "./lib/testing";

const gateway = gatewayDeployment();
const fix = "set cpu and memory in both resources.requests and resources.limits.";

describe("k8s-container-resources", () => {
    it("passes every compliant fixture", async () => {
        for (const r of compliantStack()) {
            expect(await resourceViolations(k8sContainerResources, r), r.name).toEqual([]);
        }
    });

    it.each([
        ["no resources", (c: Record<string, any>) => delete c.resources, "requests.cpu, resources.requests.memory, resources.limits.cpu, resources.limits.memory"],
        ["no limits", (c: Record<string, any>) => delete c.resources.limits, "limits.cpu, resources.limits.memory"],
        ["no requests", (c: Record<string, any>) => delete c.resources.requests, "requests.cpu, resources.requests.memory"],
        ["no memory limit", (c: Record<string, any>) => delete c.resources.limits.memory, "limits.memory"],
        ["no cpu request", (c: Record<string, any>) => delete c.resources.requests.cpu, "requests.cpu"],
        ["an empty cpu limit", (c: Record<string, any>) => (c.resources.limits.cpu = ""), "limits.cpu"],
        ["a null memory request", (c: Record<string, any>) => (c.resources.requests.memory = null), "requests.memory"],
    ])("rejects a container with %s", async (_, change, missing) => {
        expect(await resourceViolations(k8sContainerResources, changed(gateway, (p) => change(firstContainer(p))))).toEqual([
            `container "envoy" of Deployment "model-gateway" sets no resources.${missing}: ${fix}`,
        ]);
    });

    it("checks init containers and DaemonSets", async () => {
        const withInit = changed(devicePluginDaemonSet(), (p) => (p.spec.template.spec.initContainers = [{ name: "setup", image: "busybox:1.37" }]));
        expect(await resourceViolations(k8sContainerResources, withInit)).toEqual([
            `init container "setup" of DaemonSet "nvidia-device-plugin" sets no resources.requests.cpu, resources.requests.memory, resources.limits.cpu, resources.limits.memory: ${fix}`,
        ]);
    });

    it("waits for resources that are unknown during preview", async () => {
        expect(await resourceViolations(k8sContainerResources, changed(gateway, (p) => (firstContainer(p).resources = unknownDuringPreview)))).toEqual([]);
    });

    it.each(["requests", "limits"])("waits for resources.%s that is unknown during preview, however incomplete the other", async (field) => {
        const unknown = changed(gateway, (p) => (firstContainer(p).resources = { requests: {}, limits: {}, [field]: unknownDuringPreview }));
        expect(await resourceViolations(k8sContainerResources, unknown)).toEqual([]);
    });
});
