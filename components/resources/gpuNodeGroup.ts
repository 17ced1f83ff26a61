import * as pulumi from "@pulumi/pulumi";
import { findGpuInstanceType } from "../catalog/gpuInstances";
import { AmiType, CapacityType, defaults, NodeGroupKind } from "../config/rules";
import { gpuTaint, nodeGroupLabel, typeTokenPrefix } from "../conventions";
import { LocalStorageStrategy } from "../plan/nodeBootstrap";
import { S3Prefix } from "../plan/s3Access";
import { checkNodeGroupArgs, eksManagedNodeGroup, NodeGroupEksArgs, NodeGroupSimulationArgs, nodeGroupTags, simulatedNodeObjects } from "./nodeGroupParts";

/** Where a GPU node group's nodes come from on EKS. */
export type GpuNodeGroupEksArgs = NodeGroupEksArgs;

/**
 * A GPU node group: a `NodeGroupPlan` from `planPlatform` satisfies it; sizes and the instance
 * type may come from other resources. Checked with the stack config's `nodeGroups[]` rules.
 */
export interface GpuNodeGroupArgs {
    /** Node group name, an RFC 1123 label: the nodes carry it as `model-services.io/node-group`. */
    name: string;
    /** EC2 GPU instance type from the catalog, e.g. `g6e.xlarge`. */
    instanceType: string;
    /** Fewest nodes. */
    minSize: number;
    /** Nodes to run now (the planner sizes it to the GPU demand). */
    desiredSize: number;
    /** Most nodes. */
    maxSize: number;
    /** @default "ON_DEMAND" */
    capacityType?: CapacityType;
    /** Root volume, GiB. @default 200 */
    diskSizeGiB?: number;
    /** @default "AL2023_x86_64_NVIDIA" */
    amiType?: AmiType;
    /** The EKS cluster to create a managed node group in; omitted on `kubeconfig` clusters, where the group selects existing nodes by label. @default none */
    eks?: GpuNodeGroupEksArgs;
    /** On a simulated cluster: create the `desiredSize` nodes EKS would run as Node objects. @default none */
    simulation?: NodeGroupSimulationArgs;
    /** Service name → service ID of the services placed on this group, tagged on the AWS resources. @default {} */
    serviceIds?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Extra AWS tags. @default {} */
    tags?: Record<string, string>;
    /**
     * Services on the group autoscale, so a cluster autoscaler moves the node count between
     * `minSize` and `maxSize`: Pulumi sets `desiredSize` at creation and then leaves it alone.
     * @default false
     */
    nodesFollowPods?: boolean;
    /** S3 prefixes the nodes' role may read (model sources with `modelAccess.s3.mode: node-role`). @default [] */
    s3ReadPrefixes?: S3Prefix[];
    /**
     * EKS: how nodeadm sets up the instance-store NVMe (a launch template carries the
     * NodeConfig): `RAID0` makes one array at `/mnt/k8s-disks/0`, where node-local model caches
     * live (the planner picks it for groups holding one). Needs an AL2023 AMI and an instance
     * type with instance store. @default none (the AMI's default: disks left alone)
     */
    localStorage?: LocalStorageStrategy;
}

/**
 * A group of GPU nodes. On EKS: a managed node group with an NVIDIA AMI, the GPU taint,
 * the node-group label and an IAM role, sized to the GPU demand of its services. On a
 * simulated cluster: its `desiredSize` nodes as Node objects shaped like those EKS nodes.
 * On another kubeconfig cluster: no resource; pods select existing nodes by the same label.
 */
export class GpuNodeGroup extends pulumi.ComponentResource {
    /** The node group's name (the node-group label's value). */
    public readonly groupName: pulumi.Output<string>;
    /** EC2 instance type of its nodes. */
    public readonly instanceType: pulumi.Output<string>;
    /** GPUs of one node, from the instance catalog (0 for a type outside it). */
    public readonly gpusPerNode: pulumi.Output<number>;
    /** Fewest nodes. */
    public readonly minSize: pulumi.Output<number>;
    /** Nodes it runs now. */
    public readonly desiredSize: pulumi.Output<number>;
    /** Most nodes. */
    public readonly maxSize: pulumi.Output<number>;
    /** Node selector that places pods on this group's nodes. */
    public readonly nodeSelector: pulumi.Output<Record<string, string>>;
    /** ARN of the EKS node group (EKS only). */
    public readonly nodeGroupArn: pulumi.Output<string | undefined>;

    constructor(name: string, args: GpuNodeGroupArgs, opts?: pulumi.ComponentResourceOptions) {
        checkNodeGroupArgs("GpuNodeGroup", name, args);
        super(`${typeTokenPrefix}:GpuNodeGroup`, name, {}, opts);
        const group = {
            ...args,
            kind: NodeGroupKind.Gpu,
            capacityType: args.capacityType ?? defaults.capacityType,
            diskSizeGiB: args.diskSizeGiB ?? defaults.diskSizeGiB,
            amiType: args.amiType ?? defaults.amiType,
        };

        if (args.eks) {
            const tags = pulumi.output(args.serviceIds ?? {}).apply((ids) => ({
                ...nodeGroupTags(group.name, args.tags),
                ...Object.fromEntries(Object.entries(ids).map(([service, id]) => [`model-services.io/service/${service}`, id])),
            }));
            const taints = [{ key: gpuTaint.key, value: gpuTaint.value, effect: "NO_SCHEDULE" }];
            this.nodeGroupArn = eksManagedNodeGroup(this, name, group, args.eks, taints, tags, args.nodesFollowPods, args.s3ReadPrefixes).arn;
        } else {
            if (args.simulation) {
                simulatedNodeObjects(this, name, group, args.simulation);
            }
            this.nodeGroupArn = pulumi.output(undefined);
        }

        this.groupName = pulumi.output(group.name);
        this.instanceType = pulumi.output(group.instanceType);
        this.gpusPerNode = pulumi.output(findGpuInstanceType(group.instanceType)?.gpus ?? 0);
        this.minSize = pulumi.output(group.minSize);
        this.desiredSize = pulumi.output(group.desiredSize);
        this.maxSize = pulumi.output(group.maxSize);
        this.nodeSelector = pulumi.output<Record<string, string>>({ [nodeGroupLabel]: group.name });
        this.registerOutputs({
            groupName: this.groupName,
            instanceType: this.instanceType,
            gpusPerNode: this.gpusPerNode,
            minSize: this.minSize,
            desiredSize: this.desiredSize,
            maxSize: this.maxSize,
            nodeSelector: this.nodeSelector,
            nodeGroupArn: this.nodeGroupArn,
        });
    }
}
