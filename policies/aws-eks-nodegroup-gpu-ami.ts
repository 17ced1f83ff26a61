import { ResourceValidationPolicy } from "@pulumi/policy";
import { gpuTaint } from "../components/conventions";
import { GpuAmiType } from "../components/config/rules";
import { isNvidiaInstanceType, nodeGroupName } from "./lib/aws";
import { typeTokens } from "./lib/kubernetes";
import { isUnknown, list, num, plain, record, str, strings } from "./lib/values";

/** EKS AMI types with the NVIDIA driver: the platform's own, and their Graviton (ARM) twins for g5g. */
export const nvidiaAmiTypes: readonly string[] = [...Object.values(GpuAmiType), "AL2023_ARM_64_NVIDIA", "BOTTLEROCKET_ARM_64_NVIDIA"];

/** NVIDIA AMI types EKS no longer publishes: Amazon Linux 2 has no AMI for Kubernetes 1.33 and later. */
const retiredAmiTypes = ["AL2_x86_64_GPU"];

/** How to fix a scaling config that breaks maxSize ≥ desiredSize ≥ minSize; undefined when it holds. */
function scalingFix(minSize: number, desiredSize: number, maxSize: number): string | undefined {
    if (minSize > maxSize) {
        return `lower minSize to at most maxSize ${maxSize}`;
    }
    if (desiredSize > maxSize) {
        return `raise maxSize to at least ${desiredSize}, or lower desiredSize`;
    }
    if (desiredSize < minSize) {
        return `raise desiredSize to at least ${minSize}, or lower minSize`;
    }
    return undefined;
}

/**
 * EKS node groups of NVIDIA GPU instances run an NVIDIA AMI type (driver and container
 * toolkit preinstalled; Bottlerocket also brings the device plugin), and every node
 * group's scaling config keeps maxSize ≥ desiredSize ≥ minSize.
 */
export const awsEksNodegroupGpuAmi: ResourceValidationPolicy = {
    name: "aws-eks-nodegroup-gpu-ami",
    description: "EKS node groups of GPU instances use an NVIDIA AMI type, and every node group keeps maxSize ≥ desiredSize ≥ minSize.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== typeTokens.eksNodeGroup) {
            return;
        }
        const props = plain(args.props);
        const nodeGroup = `EKS node group "${nodeGroupName(props, args.name)}"`;
        const instanceTypes = strings(props.instanceTypes);
        const gpuInstanceTypes = instanceTypes.filter(isNvidiaInstanceType);
        const gpuTainted = list(props.taints).some((t) => str(record(t)?.key) === gpuTaint.key);
        const amiType = props.amiType;

        if ((gpuInstanceTypes.length > 0 || gpuTainted) && !isUnknown(amiType) && !nvidiaAmiTypes.includes(str(amiType) ?? "")) {
            const why = gpuInstanceTypes.length > 0 ? `runs GPU instances (${gpuInstanceTypes.join(", ")})` : `is a GPU node group (taint ${gpuTaint.key})`;
            const ami = str(amiType) === undefined ? "without an amiType" : `with amiType ${amiType}`;
            const problem = retiredAmiTypes.includes(str(amiType) ?? "")
                ? "the retired Amazon Linux 2 GPU AMI (none is published for Kubernetes 1.33 and later)"
                : amiType === "CUSTOM"
                  ? "a launch template's AMI, which cannot be checked for the NVIDIA driver"
                  : "which has no NVIDIA driver";
            reportViolation(
                `${nodeGroup} ${why} ${ami}, ${problem}: set amiType to ${GpuAmiType.Al2023Nvidia} (or ${GpuAmiType.BottlerocketNvidia}, which also brings the device plugin; the ARM_64 variants on Graviton GPU instances).`,
            );
        }

        const scaling = record(props.scalingConfig);
        const [minSize, desiredSize, maxSize] = [scaling?.minSize, scaling?.desiredSize, scaling?.maxSize].map(num);
        if (minSize !== undefined && desiredSize !== undefined && maxSize !== undefined) {
            const fix = scalingFix(minSize, desiredSize, maxSize);
            if (fix !== undefined) {
                reportViolation(
                    `${nodeGroup} has scalingConfig minSize ${minSize}, desiredSize ${desiredSize}, maxSize ${maxSize}, which breaks maxSize ≥ desiredSize ≥ minSize: ${fix}.`,
                );
            }
        }
    },
};
