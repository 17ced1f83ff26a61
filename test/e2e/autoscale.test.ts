import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot, stackConfig } from "../helpers/platform";
import { createStack, E2eStack, eventually, kubectl, kubeconfig, namespace, plannedSteps, policyPacks, removeStack, runningPods } from "./harness";

/**
 * Autoscaled services on the real engine, provider and API server. KEDA's own CRDs (vendored
 * from the pinned Go module) are installed first, so the API server validates every
 * ScaledObject the stack creates against KEDA's schema. No KEDA operator runs here: the test
 * moves the replicas itself, as KEDA's HPA would, and checks that Pulumi leaves them alone.
 */

const kedaDir = path.join(projectRoot, "components/resources/keda");
const prometheusUrl = "http://prometheus-operated.monitoring.svc:9090";
let e2e: E2eStack;

const replicasOf = (name: string): number => kubectl("get", "deployment", name, "-n", namespace, "-o", "json").spec.replicas;

/** Field managers that own `spec.replicas` of a Deployment (server-side apply bookkeeping). */
function replicaOwners(name: string): string[] {
    const fields = kubectl("get", "deployment", name, "-n", namespace, "--show-managed-fields", "-o", "json").metadata.managedFields ?? [];
    return fields.filter((f: any) => f.fieldsV1?.["f:spec"]?.["f:replicas"] !== undefined).map((f: any) => `${f.manager}${f.subresource ? `/${f.subresource}` : ""}`);
}

/** What KEDA's HPA does: an update through the scale subresource, under its own field manager. */
function scaleBehindPulumi(name: string, replicas: number): void {
    kubectl("patch", "deployment", name, "-n", namespace, "--subresource=scale", "--type=merge", "--field-manager=keda-hpa-test", "-p", JSON.stringify({ spec: { replicas } }));
}

beforeAll(async () => {
    // Server-side: the ScaledJob CRD is too large for client-side apply's last-applied annotation.
    execFileSync("kubectl", ["--kubeconfig", kubeconfig, "apply", "--server-side", "-f", path.join(kedaDir, "crds.yaml")], { stdio: "pipe" });
    await eventually("KEDA CRDs established", () =>
        kubectl("get", "crd", "scaledobjects.keda.sh", "-o", "json").status.conditions.some((c: any) => c.type === "Established" && c.status === "True"),
    );
    const raw = structuredClone(stackConfig("local"));
    const { instances: _fixed, ...test } = raw.services[0];
    raw.services[0] = { ...test, autoscale: { min: 0, max: 3 } };
    // No Cluster Autoscaler runs here: three warm nodes (the group's minSize) hold what the test scales to.
    raw.nodeGroups.find((g: any) => g.name === test.nodeGroup).minSize = 3;
    raw.autoscaling = { keda: "existing", prometheusUrl };
    e2e = await createStack("local", raw);
});

afterAll(async () => {
    if (e2e) {
        await e2e.stack.destroy();
        removeStack(e2e);
    }
});

describe("an autoscaled service on a simulated GPU cluster", () => {
    it("1. up: the API server accepts the ScaledObject under KEDA's own CRD; Pulumi does not own the replicas", async () => {
        const result = await e2e.stack.up({ policyPacks });
        expect(result.summary.result).toBe("succeeded");
        const so = kubectl("get", "scaledobject", "vllm-test", "-n", namespace, "-o", "json");
        expect(so.spec).toMatchObject({ scaleTargetRef: { name: "vllm-test" }, minReplicaCount: 0, maxReplicaCount: 3 });
        expect(so.spec.triggers.map((t: any) => t.name)).toEqual(["load", "demand"]);
        // The API server defaulted the replicas Pulumi left out; no Pulumi field manager claims them.
        expect(replicasOf("vllm-test")).toBe(1);
        expect(replicaOwners("vllm-test").filter((m) => m.startsWith("pulumi"))).toEqual([]);
        expect(replicaOwners("vllm-vision").some((m) => m.startsWith("pulumi"))).toBe(true);
    });

    it("2. the CRD's schema is enforced: a ScaledObject KEDA would reject is refused by the API server", () => {
        const bad = { apiVersion: "keda.sh/v1alpha1", kind: "ScaledObject", metadata: { name: "bad", namespace }, spec: { scaleTargetRef: { name: "vllm-test" }, minReplicaCount: "zero", triggers: [] } };
        let error = "";
        try {
            execFileSync("kubectl", ["--kubeconfig", kubeconfig, "create", "-f", "-"], { input: JSON.stringify(bad), stdio: "pipe" });
        } catch (e) {
            error = String((e as { stderr?: Buffer }).stderr);
        }
        expect(error).toContain('spec.minReplicaCount: Invalid value: "string": spec.minReplicaCount in body must be of type integer');
    });

    it("3. the autoscaler scales up behind Pulumi's back: a no-change preview plans nothing and up --refresh keeps its replicas", async () => {
        scaleBehindPulumi("vllm-test", 3);
        await eventually("3 pods of test", () => runningPods("test").length === 3);
        expect(replicaOwners("vllm-test").filter((m) => m.startsWith("pulumi"))).toEqual([]);

        const { steps } = await plannedSteps(e2e);
        expect(steps).toEqual([]);
        const result = await e2e.stack.up({ refresh: true });
        expect(result.summary.resourceChanges).not.toHaveProperty("update");
        expect(result.summary.resourceChanges).not.toHaveProperty("create");
        expect(replicasOf("vllm-test")).toBe(3);
        expect((await e2e.stack.outputs()).services.value[0]).toMatchObject({ name: "test", instances: 0, status: "Running 3/3", autoscale: { min: 0, max: 3 } });
    });

    it("4. a real change to the Deployment is applied without touching the replicas the autoscaler chose", async () => {
        // Pulumi's instances for this service is 0 (its min): had the applied object carried replicas, this apply would put 0 back.
        const next = structuredClone(e2e.raw);
        next.services[0].env = { VLLM_LOGGING_LEVEL: "DEBUG" };
        e2e.setConfig(next);
        const { updates } = await plannedSteps(e2e);
        expect(updates["kubernetes:apps/v1:Deployment model-services-test-deployment"]).toEqual(["spec.template.spec.containers[0].env[1]"]);
        const result = await e2e.stack.up();
        expect(result.summary.result).toBe("succeeded");
        const deployment = kubectl("get", "deployment", "vllm-test", "-n", namespace, "-o", "json");
        expect(deployment.spec.template.spec.containers[0].env).toContainEqual({ name: "VLLM_LOGGING_LEVEL", value: "DEBUG" });
        expect(deployment.spec.replicas).toBe(3);
        expect(replicaOwners("vllm-test").filter((m) => m.startsWith("pulumi"))).toEqual([]);
    });

    it("5. scaled to zero: the services output says so, and up keeps it at zero", async () => {
        scaleBehindPulumi("vllm-test", 0);
        await eventually("test pods gone", () => runningPods("test").length === 0);
        const refreshed = await e2e.stack.up({ refresh: true });
        expect(refreshed.summary.result).toBe("succeeded");
        expect(replicasOf("vllm-test")).toBe(0);
        expect((await e2e.stack.outputs()).services.value[0].status).toBe("Scaled to zero");
    });
});

describe("KEDA's install manifests (autoscaling.keda: install)", () => {
    it("are accepted by the API server (server-side dry run with the pinned images)", async () => {
        const { kedaManifest, pinnedInstallObjects } = await import("../../components");
        const objects = pinnedInstallObjects(kedaManifest("install.yaml"));
        const ns = objects.filter((o) => o.kind === "Namespace");
        execFileSync("kubectl", ["--kubeconfig", kubeconfig, "apply", "--server-side", "-f", "-"], { input: JSON.stringify({ apiVersion: "v1", kind: "List", items: ns }), stdio: "pipe" });
        try {
            const out = execFileSync("kubectl", ["--kubeconfig", kubeconfig, "apply", "--server-side", "--dry-run=server", "-f", "-"], {
                input: JSON.stringify({ apiVersion: "v1", kind: "List", items: objects.filter((o) => o.kind !== "Namespace") }),
                encoding: "utf8",
            });
            expect(out).toContain("deployment.apps/keda-operator serverside-applied (server dry run)");
            expect(out).toContain("apiservice.apiregistration.k8s.io/v1beta1.external.metrics.k8s.io serverside-applied (server dry run)");
        } finally {
            execFileSync("kubectl", ["--kubeconfig", kubeconfig, "delete", "namespace", "keda", "--wait=false"], { stdio: "pipe" });
        }
    });
});
