import { describe, expect, it } from "vitest";
import { eksMaxPods, eksNodeResources, eksReservedCpuMillicores, eksReservedMemoryMiB, simulatedNodes } from "./eksNodes";
import { NodeGroupPlan } from "./types";

/**
 * The EKS AL2023 node bootstrap's rules (awslabs/amazon-eks-ami @ 81fec2e, nodeadm
 * internal/kubelet/config.go and eni_max_pods.go), recomputed by hand for a few sizes.
 */
describe("EKS AL2023 node allocatable", () => {
    it("maxPods = ENIs × (IPv4 per ENI − 1) + 2, from the AMI's instance table", () => {
        expect(eksMaxPods("m7i.large")).toBe(29); // 3 × 9 + 2
        expect(eksMaxPods("g6.xlarge")).toBe(58); // 4 × 14 + 2
        expect(eksMaxPods("g6e.12xlarge")).toBe(292); // 10 × 29 + 2
        expect(eksMaxPods("p5.48xlarge")).toBe(100); // 2 × 49 + 2 (default network card only)
        expect(eksMaxPods("x9.unknown")).toBe(110); // the kubelet's default when the type is unknown
    });

    it("kube-reserved CPU: 6% of core 1, 1% of core 2, 0.5% of cores 3–4, 0.25% above", () => {
        expect(eksReservedCpuMillicores(1)).toBe(60);
        expect(eksReservedCpuMillicores(2)).toBe(70);
        expect(eksReservedCpuMillicores(4)).toBe(80);
        expect(eksReservedCpuMillicores(48)).toBe(190); // 80 + 44 000 × 0.25%
    });

    it("kube-reserved memory: 11 MiB per pod + 255 MiB", () => {
        expect(eksReservedMemoryMiB(29)).toBe(574);
        expect(eksReservedMemoryMiB(292)).toBe(3467);
    });

    // Quantities in the API server's canonical form (it rewrites 183296Mi as 179Gi), so they compare equal to what it serves.
    it("allocatable = capacity − kube-reserved − hard eviction (100Mi memory, 10% nodefs, 1Gi reserved storage)", () => {
        expect(eksNodeResources("m7i.large", 50)).toEqual({
            capacity: { cpu: "2", memory: "8Gi", "ephemeral-storage": "50Gi", pods: "29" },
            allocatable: { cpu: "1930m", memory: "7518Mi", "ephemeral-storage": "44Gi", pods: "29" },
        });
        expect(eksNodeResources("g6e.12xlarge", 400)?.allocatable).toEqual({
            cpu: "47810m",
            memory: `${384 * 1024 - 3467 - 100}Mi`,
            "ephemeral-storage": "359Gi", // 400 GiB × 0.9 − 1 GiB, as the API server writes it
            pods: "292",
            "nvidia.com/gpu": "4",
        });
        expect(eksNodeResources("x9.unknown", 50)).toBeUndefined();
    });

    it("writes whole tebibytes as Ti, as the API server does (p5.48xlarge: 2048 GiB memory, a 1024 GiB disk)", () => {
        // cpu: 192 000m − (60 + 10 + 10 + 188 000 × 0.25 %); memory: 2 097 152Mi − (11 × 100 + 255) − 100; disk: ⌊1 048 576 × 0.9⌋ − 1024.
        expect(eksNodeResources("p5.48xlarge", 1024)).toEqual({
            capacity: { cpu: "192", memory: "2Ti", "ephemeral-storage": "1Ti", pods: "100", "nvidia.com/gpu": "8" },
            allocatable: { cpu: "191450m", memory: "2095697Mi", "ephemeral-storage": "942694Mi", pods: "100", "nvidia.com/gpu": "8" },
        });
        expect(eksNodeResources("m7i.large", 3072)?.capacity["ephemeral-storage"]).toBe("3Ti");
    });
});

describe("simulatedNodes", () => {
    const group: NodeGroupPlan = {
        name: "gpu-l4",
        kind: "gpu",
        instanceType: "g6.xlarge",
        instanceTypeChosen: false,
        gpusPerNode: 1,
        minSize: 0,
        desiredSize: 3,
        maxSize: 4,
        capacityType: "SPOT",
        diskSizeGiB: 200,
        amiType: "AL2023_x86_64_NVIDIA",
    };

    it("makes desiredSize nodes (not maxSize), zones spread like a managed node group over three subnets", () => {
        const nodes = simulatedNodes(group, "eu-west-1");
        expect(nodes.map((n) => `${n.metadata.name} ${n.metadata.labels["topology.kubernetes.io/zone"]}`)).toEqual(["gpu-l4-0 eu-west-1a", "gpu-l4-1 eu-west-1b", "gpu-l4-2 eu-west-1c"]);
        expect(simulatedNodes({ ...group, desiredSize: 0 })).toEqual([]);
    });

    it("labels and taints them as EKS does, and invents nothing (no GPU feature-discovery labels)", () => {
        const [node] = simulatedNodes(group);
        expect(node.metadata.labels).toEqual({
            "kubernetes.io/hostname": "gpu-l4-0",
            "kubernetes.io/os": "linux",
            "kubernetes.io/arch": "amd64",
            "beta.kubernetes.io/os": "linux",
            "beta.kubernetes.io/arch": "amd64",
            "node.kubernetes.io/instance-type": "g6.xlarge",
            "beta.kubernetes.io/instance-type": "g6.xlarge",
            "topology.kubernetes.io/region": "us-east-1",
            "topology.kubernetes.io/zone": "us-east-1a",
            "failure-domain.beta.kubernetes.io/region": "us-east-1",
            "failure-domain.beta.kubernetes.io/zone": "us-east-1a",
            "eks.amazonaws.com/nodegroup": "gpu-l4",
            "eks.amazonaws.com/capacityType": "SPOT",
            "model-services.io/node-group": "gpu-l4",
        });
        expect(node.spec.taints).toEqual([{ key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" }]);
        expect(simulatedNodes({ ...group, kind: "cpu", instanceType: "m7i.large" })[0].spec.taints).toEqual([]);
    });

    it("annotates them for the KWOK controller, with a node TTL of 0, and reports the node's allocatable", () => {
        const [node] = simulatedNodes(group);
        expect(node.metadata.annotations).toEqual({ "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" });
        expect(node.status).toEqual(eksNodeResources("g6.xlarge", 200));
    });

    it("refuses an instance type in neither catalog, naming the group and the type", () => {
        expect(() => simulatedNodes({ ...group, instanceType: "x9.unknown" })).toThrowError(/^node group gpu-l4: instance type x9\.unknown is in neither catalog$/);
    });
});
