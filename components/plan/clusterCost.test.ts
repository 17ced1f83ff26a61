import { describe, expect, it } from "vitest";
import { planCpuGroups } from "./clusterCost";
import { NodeGroupPlan } from "./types";

describe("planCpuGroups", () => {
    const group = (kind: "cpu" | "gpu", instanceType: string): NodeGroupPlan => ({
        name: kind,
        kind,
        instanceType,
        instanceTypeChosen: false,
        gpusPerNode: 0,
        minSize: 0,
        desiredSize: 0,
        maxSize: 3,
        capacityType: "ON_DEMAND",
        diskSizeGiB: 50,
        amiType: "AL2023_x86_64_STANDARD",
    });

    it("sizes a CPU group to at least one node and prices it", () => {
        const cpu = group("cpu", "m7i.large");
        planCpuGroups([cpu]);
        expect(cpu.desiredSize).toBe(1);
        expect(cpu.capacity).toMatchObject({ gpuModel: "none", totalGpus: 0, requestedGpus: 0, idleGpus: 0, idleGpuPricePerHourUsd: 0 });
        expect(cpu.capacity!.pricePerHourUsd).toBe(cpu.capacity!.pricePerNodeHourUsd);
    });

    it("leaves GPU groups to the GPU planner, even one whose instance type is in the CPU catalog", () => {
        const gpu = group("gpu", "m7i.large");
        planCpuGroups([gpu]);
        expect(gpu.desiredSize).toBe(0);
        expect(gpu.capacity).toBeUndefined();
    });
});
