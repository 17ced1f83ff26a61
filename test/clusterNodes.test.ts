import { describe, expect, it } from "vitest";
import { clusterNodes, stackNodeGroups } from "../scripts/clusterNodes";
import { projectRoot } from "./helpers/platform";

describe("the simulated cluster's nodes", () => {
    const nodes = clusterNodes(stackNodeGroups(projectRoot, "local")).items;

    it("has maxSize GPU nodes per node group of the local stack, plus CPU-only system nodes", () => {
        expect(nodes.map((n) => n.metadata.name)).toEqual(["system-0", "system-1", "gpu-l4-0", "gpu-l4-1", "gpu-l4-2", "gpu-l4-3", "gpu-l40s-0", "gpu-l40s-1"]);
    });

    it("labels, taints and sizes each GPU node like an EKS node of its instance type", () => {
        const l40s = nodes.find((n) => n.metadata.name === "gpu-l40s-0")!;
        expect(l40s.metadata.labels).toMatchObject({
            "model-services.io/node-group": "gpu-l40s",
            "node.kubernetes.io/instance-type": "g6e.12xlarge",
            "eks.amazonaws.com/nodegroup": "gpu-l40s",
        });
        expect(l40s.spec.taints).toEqual([{ key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" }]);
        expect(l40s.status.capacity).toMatchObject({ "nvidia.com/gpu": "4", cpu: "48", memory: "384Gi" });
        expect((nodes.find((n) => n.metadata.name === "gpu-l4-0")!.status.allocatable as Record<string, string>)["nvidia.com/gpu"]).toBe("1");
    });

    it("leaves system nodes untainted and without GPUs", () => {
        const system = nodes.find((n) => n.metadata.name === "system-0")!;
        expect(system.spec.taints).toEqual([]);
        expect(system.status.capacity).not.toHaveProperty("nvidia.com/gpu");
        expect(system.metadata.labels).not.toHaveProperty("model-services.io/node-group");
    });
});
