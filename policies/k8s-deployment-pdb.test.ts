import { describe, expect, it } from "vitest";
import { k8sDeploymentPdb } from "./k8s-deployment-pdb";
import { changed, compliantStack, gatewayPdb, vllmDeployment, vllmPdb } from "./lib/fixtures";
import { stackViolationMessages, stackViolations, unknownDuringPreview, urnOf } from "./lib/testing";

const deployment = vllmDeployment();
const budget = vllmPdb();
const without = (...names: string[]) => compliantStack().filter((r) => !names.includes(r.name));
const message =
    'Deployment "vllm-qwen-32b" runs 2 replicas without a PodDisruptionBudget selecting its pods, so a node drain may evict them all at once: add a PodDisruptionBudget with maxUnavailable: 1 and selector.matchLabels {"app.kubernetes.io/instance":"vllm-qwen-32b","model-services.io/service":"qwen-32b"}.';

describe("k8s-deployment-pdb", () => {
    it("passes the compliant stack", async () => {
        expect(await stackViolations(k8sDeploymentPdb, compliantStack())).toEqual([]);
    });

    it("rejects a Deployment of two replicas without a budget", async () => {
        expect(await stackViolations(k8sDeploymentPdb, without(budget.name))).toEqual([{ message, urn: urnOf(deployment) }]);
    });

    it.each([
        ["selects other pods", (p: Record<string, any>) => (p.spec.selector.matchLabels["model-services.io/service"] = "vision")],
        ["is in another namespace", (p: Record<string, any>) => (p.metadata.namespace = "other")],
        ["has no selector", (p: Record<string, any>) => delete p.spec.selector],
        ["excludes the pods by expression", (p: Record<string, any>) => (p.spec.selector = { matchExpressions: [{ key: "model-services.io/service", operator: "NotIn", values: ["qwen-32b"] }] })],
    ])("rejects a Deployment whose only budget %s", async (_, change) => {
        expect(await stackViolations(k8sDeploymentPdb, [...without(budget.name), changed(budget, change)])).toEqual([{ message, urn: urnOf(deployment) }]);
    });

    it("accepts a budget selecting by expression or by a subset of the pods' labels", async () => {
        const byExpression = changed(budget, (p) => (p.spec.selector = { matchExpressions: [{ key: "model-services.io/service", operator: "In", values: ["qwen-32b", "vision"] }] }));
        const bySubset = changed(budget, (p) => (p.spec.selector = { matchLabels: { "app.kubernetes.io/name": "vllm" } }));
        expect(await stackViolations(k8sDeploymentPdb, [...without(budget.name), byExpression])).toEqual([]);
        expect(await stackViolations(k8sDeploymentPdb, [...without(budget.name), bySubset])).toEqual([]);
    });

    it("does not ask one replica for a budget", async () => {
        expect(await stackViolations(k8sDeploymentPdb, [...without(budget.name, deployment.name), changed(deployment, (p) => (p.spec.replicas = 1))])).toEqual([]);
    });

    it("asks a StatefulSet of two replicas for a budget too", async () => {
        const statefulSet = changed(deployment, (p) => (p.kind = "StatefulSet"));
        statefulSet.type = "kubernetes:apps/v1:StatefulSet";
        expect(await stackViolations(k8sDeploymentPdb, [...without(budget.name, deployment.name), statefulSet])).toEqual([
            { message: message.replace(/^Deployment/, "StatefulSet"), urn: urnOf(statefulSet) },
        ]);
        expect(await stackViolations(k8sDeploymentPdb, [...without(deployment.name), statefulSet])).toEqual([]);
    });

    it("covers the gateway too", async () => {
        expect(await stackViolationMessages(k8sDeploymentPdb, without(gatewayPdb().name))).toEqual([
            'Deployment "model-gateway" runs 2 replicas without a PodDisruptionBudget selecting its pods, so a node drain may evict them all at once: add a PodDisruptionBudget with maxUnavailable: 1 and selector.matchLabels {"app.kubernetes.io/name":"envoy","app.kubernetes.io/instance":"model-gateway"}.',
        ]);
    });

    it("trusts a budget whose selector is unknown during preview", async () => {
        expect(await stackViolations(k8sDeploymentPdb, [...without(budget.name), changed(budget, (p) => (p.spec.selector = unknownDuringPreview))])).toEqual([]);
    });
});
