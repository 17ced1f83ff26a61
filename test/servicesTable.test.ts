import { describe, expect, it } from "vitest";
import { formatServicesTable } from "../scripts/servicesTable";

describe("formatServicesTable", () => {
    it("lists each service with its access name, ID, model, instances and status, then the endpoint", () => {
        const text = formatServicesTable({
            endpoint: "http://model-gateway.model-services.svc.cluster.local:8080/v1",
            services: [
                { name: "test", displayName: "Test chat model", accessName: "u-8105f7322477/test", serviceId: "ms-0123456789ab", baseModel: "Qwen/Qwen3-8B", instances: 1, gpusPerInstance: 1, status: "Running 1/1" },
                { name: "big", accessName: "u-8105f7322477/big", serviceId: "ms-ba9876543210", baseModel: "Qwen/Qwen3-32B", instances: 0, gpusPerInstance: 2, status: "Stopped" },
            ],
            nodeGroups: [{ name: "gpu-l4", instanceType: "g6.xlarge", gpusPerNode: 1, minSize: 0, desiredSize: 1, maxSize: 4 }],
        });
        expect(text.split("\n").slice(0, 4)).toEqual([
            "NAME             ACCESS NAME          SERVICE ID       BASE MODEL      INSTANCES  GPUS  STATUS",
            "---------------  -------------------  ---------------  --------------  ---------  ----  -----------",
            "Test chat model  u-8105f7322477/test  ms-0123456789ab  Qwen/Qwen3-8B   1          1     Running 1/1",
            "big              u-8105f7322477/big   ms-ba9876543210  Qwen/Qwen3-32B  0          0     Stopped",
        ]);
        expect(text).toContain("gpu-l4      g6.xlarge      1          0    1        4");
        expect(text).toContain("Endpoint: http://model-gateway.model-services.svc.cluster.local:8080/v1");
    });

    it("states what the cluster costs and, on a simulated cluster, that it is what EKS would charge", () => {
        const capacity = { pricePerHourUsd: 11.3, gpuNodesPricePerHourUsd: 11.2974, idleGpus: 1, idleGpuPricePerHourUsd: 2.6232, cpuNodesPricePerHourUsd: 0.2016, controlPlanePricePerHourUsd: 0.1, simulated: true };
        expect(formatServicesTable({ endpoint: "http://x/v1", services: [], capacity })).toContain(
            "Cost: $11.30/hour on demand if this simulated cluster ran on EKS = GPU nodes $11.30 (1 idle GPUs $2.62) + CPU nodes $0.20 + EKS control plane $0.10",
        );
        expect(formatServicesTable({ endpoint: "http://x/v1", services: [], capacity: { ...capacity, simulated: false } })).toContain("Cost: $11.30/hour on demand = GPU nodes");
    });

    it("says when there are no services", () => {
        expect(formatServicesTable({ endpoint: "http://x/v1", services: [] })).toMatch(/^No model services\./);
    });
});
