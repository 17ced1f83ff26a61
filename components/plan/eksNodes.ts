import { findCpuInstanceType, findEniLimits } from "../catalog/cpuInstances";
import { findGpuInstanceType } from "../catalog/gpuInstances";
import { defaults, NodeGroupKind } from "../config/rules";
import { gpuResource, gpuTaint, nodeGroupLabel } from "../conventions";
import { NodeGroupPlan } from "./types";

/**
 * What one EKS node of a node group looks like to the scheduler, worked out as the EKS
 * AL2023 AMI's bootstrap (nodeadm) and the NVIDIA device plugin set it up; and those nodes as
 * Kubernetes Node objects, for a simulated (KWOK) cluster. Sources:
 * nodeadm `internal/kubelet/config.go` (kubeReserved, evictionHard) and
 * `internal/kubelet/eni_max_pods.go` (maxPods), awslabs/amazon-eks-ami @ 81fec2e.
 */

/** The kubelet's hard eviction thresholds on EKS AL2023 nodes (memory.available, nodefs.available). */
export const eksEvictionHard = { memoryMiB: 100, nodefsFraction: 0.1 } as const;
/** The kubelet's kube-reserved ephemeral storage on EKS AL2023 nodes. */
export const eksKubeReservedStorageMiB = 1024;
/** Annotation that hands a Node to the KWOK controller (it then simulates its kubelet). */
export const kwokNodeAnnotation = "kwok.x-k8s.io/node";

/** Pods one node takes: `ENIs × (IPv4 per ENI − 1) + 2` (the VPC CNI's limit), else the kubelet's 110. */
export function eksMaxPods(instanceType: string): number {
    const eni = findEniLimits(instanceType);
    return eni ? eni.enis * (eni.ipv4PerEni - 1) + 2 : 110;
}

/** kube-reserved CPU: 6% of the first core, 1% of the second, 0.5% of the third and fourth, 0.25% of the rest. */
export function eksReservedCpuMillicores(vcpus: number): number {
    const total = vcpus * 1000;
    const bands: [number, number, number][] = [
        [0, 1000, 600],
        [1000, 2000, 100],
        [2000, 4000, 50],
        [4000, total, 25],
    ];
    return bands.reduce((sum, [start, end, basisPoints]) => (total <= start ? sum : sum + Math.floor(((Math.min(total, end) - start) * basisPoints) / 10_000)), 0);
}

/** kube-reserved memory: 11 MiB per pod the node takes plus 255 MiB. */
export function eksReservedMemoryMiB(maxPods: number): number {
    return 11 * maxPods + 255;
}

/** MiB as the API server writes the quantity back (its canonical form: the largest binary unit that is exact). */
function mebibytes(value: number): string {
    return value % (1024 * 1024) === 0 ? `${value / (1024 * 1024)}Ti` : value % 1024 === 0 ? `${value / 1024}Gi` : `${value}Mi`;
}

/** A node's capacity and allocatable, as Kubernetes quantities. */
export interface NodeResources {
    capacity: Record<string, string>;
    allocatable: Record<string, string>;
}

/**
 * Capacity and allocatable of one node of an instance type: allocatable = capacity −
 * kube-reserved − hard eviction threshold, as the kubelet computes it with nodeadm's config;
 * GPUs as the device plugin advertises them (all of them). Memory capacity is the instance's
 * nominal memory; the kernel reports a little less on a real node (see docs/eks.md).
 */
export function eksNodeResources(instanceType: string, diskSizeGiB: number): NodeResources | undefined {
    const gpuType = findGpuInstanceType(instanceType);
    const type = gpuType ?? findCpuInstanceType(instanceType);
    if (!type) {
        return undefined;
    }
    const pods = eksMaxPods(instanceType);
    const memoryMiB = type.memoryGiB * 1024;
    const diskMiB = diskSizeGiB * 1024;
    const gpus: Record<string, string> = gpuType ? { [gpuResource]: String(gpuType.gpus) } : {};
    return {
        capacity: { cpu: String(type.vcpus), memory: mebibytes(memoryMiB), "ephemeral-storage": mebibytes(diskMiB), pods: String(pods), ...gpus },
        allocatable: {
            cpu: `${type.vcpus * 1000 - eksReservedCpuMillicores(type.vcpus)}m`,
            memory: mebibytes(memoryMiB - eksReservedMemoryMiB(pods) - eksEvictionHard.memoryMiB),
            "ephemeral-storage": mebibytes(Math.floor(diskMiB * (1 - eksEvictionHard.nodefsFraction)) - eksKubeReservedStorageMiB),
            pods: String(pods),
            ...gpus,
        },
    };
}

/** A Node object of a simulated cluster. */
export interface SimulatedNode {
    apiVersion: "v1";
    kind: "Node";
    metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
    spec: { taints: { key: string; value: string; effect: string }[] };
    status: NodeResources;
}

/** Name of the i-th simulated node of a group. */
export function simulatedNodeName(group: string, index: number): string {
    return `${group}-${index}`;
}

/**
 * The nodes EKS would run for a planned node group — `desiredSize` of them — as Node objects:
 * the labels the kubelet, the AWS cloud provider and the managed node group set (instance
 * type, zone, node group, capacity type, the group's own label), the group's taints, and the
 * allocatable above. Nothing the real node would lack (no GPU feature-discovery labels).
 * Zones cycle through `zones`, as a managed node group spreads nodes over its subnets.
 */
export function simulatedNodes(group: Pick<NodeGroupPlan, "name" | "kind" | "instanceType" | "desiredSize" | "capacityType" | "diskSizeGiB">, region: string = defaults.region, zones: readonly string[] = ["a", "b", "c"]): SimulatedNode[] {
    const resources = eksNodeResources(group.instanceType, group.diskSizeGiB);
    if (!resources) {
        throw new Error(`node group ${group.name}: instance type ${group.instanceType} is in neither catalog`);
    }
    const taints = group.kind === NodeGroupKind.Gpu ? [{ key: gpuTaint.key, value: gpuTaint.value, effect: gpuTaint.effect }] : [];
    return Array.from({ length: group.desiredSize }, (_, i) => {
        const name = simulatedNodeName(group.name, i);
        const zone = `${region}${zones[i % zones.length]}`;
        return {
            apiVersion: "v1",
            kind: "Node",
            metadata: {
                name,
                labels: {
                    "kubernetes.io/hostname": name,
                    "kubernetes.io/os": "linux",
                    "kubernetes.io/arch": "amd64",
                    "beta.kubernetes.io/os": "linux",
                    "beta.kubernetes.io/arch": "amd64",
                    "node.kubernetes.io/instance-type": group.instanceType,
                    "beta.kubernetes.io/instance-type": group.instanceType,
                    "topology.kubernetes.io/region": region,
                    "topology.kubernetes.io/zone": zone,
                    "failure-domain.beta.kubernetes.io/region": region,
                    "failure-domain.beta.kubernetes.io/zone": zone,
                    "eks.amazonaws.com/nodegroup": group.name,
                    "eks.amazonaws.com/capacityType": group.capacityType,
                    [nodeGroupLabel]: group.name,
                },
                annotations: { [kwokNodeAnnotation]: "fake", "node.alpha.kubernetes.io/ttl": "0" },
            },
            spec: { taints },
            status: resources,
        };
    });
}
