import { beforeEach, describe, expect, it } from "vitest";
import { IssueList } from "../config/issues";
import { AutoscaleMetric } from "../config/rules";
import { planAutoscale } from "./autoscalePlan";
import type { NodeGroupPlan, ServicePlan } from "./types";

/** A service on group "gpu", 1 GPU per instance, starting in 60 s (0 download, 0 load, 60 warm-up). */
function service(name: string, scaling: { instances: number } | { min: number; max: number }): ServicePlan {
    const autoscale = "max" in scaling ? { ...scaling, metric: AutoscaleMetric.Queue, target: 5, scaleDownDelaySeconds: 600, scaleUpSeconds: 0 } : undefined;
    return {
        name,
        nodeGroup: "gpu",
        gpus: 1,
        instances: "max" in scaling ? scaling.min : scaling.instances,
        autoscale,
        startup: { downloadSeconds: 0, loadSeconds: 0, warmupSeconds: 60, budgetSeconds: 1800, sizeUnknown: false, preloadBudgetSeconds: 1800 },
    } as unknown as ServicePlan;
}

/** Group "gpu" of g6.xlarge nodes (1 L4 each). */
function group(minSize: number, maxSize: number): NodeGroupPlan {
    return { name: "gpu", instanceType: "g6.xlarge", minSize, maxSize, capacity: {} } as unknown as NodeGroupPlan;
}

describe("planAutoscale on a group of fixed, stopped and autoscaled services", () => {
    let services: ServicePlan[];
    let issues: IssueList;
    beforeEach(() => {
        services = [service("chat", { instances: 1 }), service("idle", { instances: 0 }), service("coder", { min: 0, max: 3 })];
        issues = new IssueList();
    });

    it("rejects a max the group cannot hold, listing the services that run at their peaks (not the stopped one)", () => {
        planAutoscale(services, [group(0, 2)], issues);
        expect(issues.issues.map((i) => i.message)).toEqual([
            'services[2].autoscale.max: needs more nodes than node group "gpu" may have: at their peaks the services on it (chat 1×1, coder 3×1) need 4 g6.xlarge nodes, and its maxSize is 2, got 3. Lower autoscale.max, or raise nodeGroups[0].maxSize to at least 4.',
        ]);
    });

    it("estimates the autoscaled service's cold start even beside fixed services: 60 s activation + a new node + its start", () => {
        planAutoscale(services, [group(1, 4)], issues);
        expect(issues.issues).toEqual([]);
        // minSize 1 is taken by chat's instance: the first coder instance waits for a node (60 + 300 + 60 = 420 s).
        expect(services[2].autoscale?.scaleUpSeconds).toBe(420);
        expect(services[0].autoscale).toBeUndefined();
    });

    it("leaves out the node wait when minSize has room for one more instance", () => {
        planAutoscale(services, [group(2, 4)], issues);
        expect(services[2].autoscale?.scaleUpSeconds).toBe(120);
    });
});
