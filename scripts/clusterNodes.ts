/**
 * The simulated nodes of the local KWOK cluster, generated from a stack's node groups:
 * `maxSize` GPU nodes per group, each labelled like an EKS node of its instance type,
 * tainted like a GPU node and advertising the instance type's GPUs as `nvidia.com/gpu`;
 * plus CPU-only system nodes for the gateway.
 *
 * `tsx scripts/clusterNodes.ts [stack]` prints them as a Kubernetes List (JSON).
 */
import * as path from "node:path";
import { findGpuInstanceType, gpuResource, gpuTaint, loadPlatform, nodeGroupLabel, NodeGroupPlan, readStackFile } from "../components";

/** CPU-only nodes for what must not run on GPU nodes (the gateway). */
export const systemNodes = { count: 2, cpu: "8", memory: "32Gi" } as const;

function node(name: string, labels: Record<string, string>, capacity: Record<string, string>, taints: object[]) {
    return {
        apiVersion: "v1",
        kind: "Node",
        metadata: {
            name,
            labels: { "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", type: "kwok", ...labels },
            annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
        },
        spec: { taints },
        status: {
            capacity: { pods: "110", ...capacity },
            allocatable: { pods: "110", ...capacity },
        },
    };
}

export function clusterNodes(nodeGroups: readonly NodeGroupPlan[]) {
    const gpuNodes = nodeGroups.flatMap((group) => {
        const type = findGpuInstanceType(group.instanceType);
        if (!type) {
            throw new Error(`node group ${group.name}: instance type ${group.instanceType} is not in the catalog`);
        }
        return Array.from({ length: group.maxSize }, (_, i) =>
            node(
                `${group.name}-${i}`,
                {
                    [nodeGroupLabel]: group.name,
                    "node.kubernetes.io/instance-type": type.instanceType,
                    "eks.amazonaws.com/nodegroup": group.name,
                    "eks.amazonaws.com/capacityType": group.capacityType,
                    "nvidia.com/gpu.present": "true",
                    "nvidia.com/gpu.product": type.gpuModel.replace(/\s+/g, "-"),
                    "nvidia.com/gpu.count": String(type.gpus),
                },
                { cpu: String(type.vcpus), memory: `${type.memoryGiB}Gi`, [gpuResource]: String(type.gpus) },
                [{ key: gpuTaint.key, value: gpuTaint.value, effect: gpuTaint.effect }],
            ),
        );
    });
    const system = Array.from({ length: systemNodes.count }, (_, i) =>
        node(`system-${i}`, { "node.kubernetes.io/instance-type": "m6i.2xlarge" }, { cpu: systemNodes.cpu, memory: systemNodes.memory }, []),
    );
    return { apiVersion: "v1", kind: "List", items: [...system, ...gpuNodes] };
}

/** The node groups of a stack file, parsed like the stack program parses them. */
export function stackNodeGroups(projectRoot: string, stack: string): NodeGroupPlan[] {
    const { raw, context } = readStackFile(path.join(projectRoot, `Pulumi.${stack}.yaml`));
    return loadPlatform(raw, context).nodeGroups;
}

if (require.main === module) {
    const stack = process.argv[2] ?? "local";
    console.log(JSON.stringify(clusterNodes(stackNodeGroups(path.resolve(__dirname, ".."), stack)), null, 2));
}
