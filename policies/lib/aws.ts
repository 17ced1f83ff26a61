import { findGpuInstanceType, gpuFamilies, instanceFamily } from "../../components/catalog/gpuInstances";
import { str } from "./values";

/** NVIDIA GPU instance families outside the planner's catalog (older, Graviton or newer ones). */
const otherNvidiaFamilies = ["g4dn", "g5g", "g6f", "gr6", "gr6f", "p3", "p3dn", "p6-b200", "p6-b300", "p6e-gb200"];

/** Whether an EC2 instance type has NVIDIA GPUs. */
export function isNvidiaInstanceType(instanceType: string): boolean {
    const family = instanceFamily(instanceType);
    return findGpuInstanceType(instanceType) !== undefined || gpuFamilies().includes(family) || otherNvidiaFamilies.includes(family);
}

/** An EKS node group's name for messages: its name, its name prefix with a star, or the Pulumi name. */
export function nodeGroupName(props: Record<string, any>, resourceName: string): string {
    const prefix = str(props.nodeGroupNamePrefix);
    return str(props.nodeGroupName) ?? (prefix !== undefined ? `${prefix}*` : resourceName);
}
