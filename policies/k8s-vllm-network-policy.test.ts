import { describe, expect, it } from "vitest";
import { k8sVllmNetworkPolicy } from "./k8s-vllm-network-policy";
import { changed, compliantStack, modelNetworkPolicy, vllmDeployment } from "./lib/fixtures";
import { stackViolations, unknownDuringPreview, urnOf } from "./lib/testing";

const policy = modelNetworkPolicy();
const without = (...names: string[]) => compliantStack().filter((r) => !names.includes(r.name));

describe("k8s-vllm-network-policy", () => {
    it("passes the compliant stack (a policy admits only the gateway's pods to every model pod)", async () => {
        expect(await stackViolations(k8sVllmNetworkPolicy, compliantStack())).toEqual([]);
    });

    it("rejects vLLM pods that no NetworkPolicy guards", async () => {
        expect(await stackViolations(k8sVllmNetworkPolicy, without(policy.name))).toEqual([
            {
                message:
                    'Deployment "vllm-qwen-32b" runs vLLM, which checks no key on most paths, and no NetworkPolicy restricts ingress to its pods: add one admitting only the API gateway\'s pods (ModelPlatform creates "model-pods-ingress").',
                urn: urnOf(vllmDeployment()),
            },
        ]);
    });

    it.each([
        ["selects other pods", (p: any) => (p.spec.podSelector = { matchLabels: { app: "other" } })],
        ["sits in another namespace", (p: any) => (p.metadata.namespace = "elsewhere")],
        ["restricts only egress", (p: any) => (p.spec.policyTypes = ["Egress"])],
    ])("does not count a policy that %s", async (_, change) => {
        const violations = await stackViolations(k8sVllmNetworkPolicy, [...without(policy.name), changed(policy, change)]);
        expect(violations.map((v) => v.urn)).toEqual([urnOf(vllmDeployment())]);
    });

    it.each([
        ["a rule without from", (p: any) => p.spec.ingress.push({ ports: [{ port: 8000 }] })],
        ["an empty peer", (p: any) => p.spec.ingress[0].from.push({})],
        ["0.0.0.0/0", (p: any) => p.spec.ingress[0].from.push({ ipBlock: { cidr: "0.0.0.0/0" } })],
    ])("rejects a selecting policy that admits every source with %s", async (_, change) => {
        const open = changed(policy, change);
        expect(await stackViolations(k8sVllmNetworkPolicy, [...without(policy.name), open])).toEqual([
            { message: 'NetworkPolicy "model-pods-ingress" admits every source to the vLLM pods of Deployment "vllm-qwen-32b": name the API gateway\'s pods in its ingress rules instead.', urn: urnOf(open) },
        ]);
    });

    it("waits for a selector that is unknown during the preview", async () => {
        const pending = changed(policy, (p) => (p.spec.podSelector = { matchLabels: { app: unknownDuringPreview } }));
        expect(await stackViolations(k8sVllmNetworkPolicy, [...without(policy.name), pending])).toEqual([]);
    });
});
