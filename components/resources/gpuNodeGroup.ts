import * as pulumi from "@pulumi/pulumi";
import { findGpuInstanceType } from "../catalog/gpuInstances";
import { ArgsCheck } from "../config/args";
import { CapacityType, defaults, GpuAmiType } from "../config/rules";
import { nodeGroupSchema } from "../config/schema";
import { gpuTaint, nodeGroupLabel, partOfTag, typeTokenPrefix } from "../conventions";
import { awsSdk } from "./awsSdk";

/** Where a node group's nodes come from. */
export interface GpuNodeGroupEksArgs {
    /** Name of the EKS cluster the managed node group joins. */
    clusterName: pulumi.Input<string>;
    /** Subnets of the node group. */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
}

/**
 * A GPU node group: a `NodeGroupPlan` from `planPlatform` satisfies it; sizes and the instance
 * type may come from other resources. Checked with the stack config's `nodeGroups[]` rules.
 */
export interface GpuNodeGroupArgs {
    /** Node group name, an RFC 1123 label: the nodes carry it as `model-services.io/node-group`. */
    name: string;
    /** EC2 GPU instance type from the catalog, e.g. `g6e.xlarge`. */
    instanceType: pulumi.Input<string>;
    /** Fewest nodes. */
    minSize: pulumi.Input<number>;
    /** Nodes to run now (the planner sizes it to the GPU demand). */
    desiredSize: pulumi.Input<number>;
    /** Most nodes. */
    maxSize: pulumi.Input<number>;
    /** @default "ON_DEMAND" */
    capacityType?: CapacityType;
    /** Root volume, GiB. @default 200 */
    diskSizeGiB?: number;
    /** @default "AL2023_x86_64_NVIDIA" */
    amiType?: GpuAmiType;
    /** The EKS cluster to create a managed node group in; omitted on `kubeconfig` clusters, where the group selects existing nodes by label. @default none */
    eks?: GpuNodeGroupEksArgs;
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
}

/** Managed policies an EKS worker node needs to join the cluster, run the VPC CNI and pull images. */
export const workerNodePolicies = [
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
    "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
] as const;

/**
 * A group of GPU nodes. On EKS: a managed node group with an NVIDIA AMI, the GPU taint,
 * the node-group label and an IAM role, sized to the GPU demand of its services. On a
 * kubeconfig cluster: no cloud resource; pods select existing nodes by the same label.
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
        // Checked before the component registers: bad args create nothing.
        const check = new ArgsCheck(`GpuNodeGroup "${name}" args`);
        const leaf = nodeGroupSchema.shape;
        const group = {
            name: check.plain("name", leaf.name, args.name),
            instanceType: check.input("instanceType", leaf.instanceType.unwrap(), args.instanceType),
            minSize: check.input("minSize", leaf.minSize, args.minSize),
            maxSize: check.input("maxSize", leaf.maxSize, args.maxSize),
            capacityType: check.plain("capacityType", leaf.capacityType, args.capacityType),
            diskSizeGiB: check.plain("diskSizeGiB", leaf.diskSizeGiB, args.diskSizeGiB),
            amiType: check.plain("amiType", leaf.amiType, args.amiType),
        };
        check.throwIfInvalid();
        super(`${typeTokenPrefix}:GpuNodeGroup`, name, {}, opts);
        const desiredSize = pulumi.output(args.desiredSize);

        if (args.eks) {
            const aws = awsSdk();
            const tags = pulumi.output(args.serviceIds ?? {}).apply((ids) => ({
                "model-services.io/node-group": group.name,
                ...partOfTag,
                ...Object.fromEntries(Object.entries(ids).map(([service, id]) => [`model-services.io/service/${service}`, id])),
                ...args.tags,
            }));
            const role = new aws.iam.Role(
                `${name}-role`,
                {
                    assumeRolePolicy: JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
                    }),
                    tags,
                },
                { parent: this },
            );
            const attachments = workerNodePolicies.map(
                (policyArn) =>
                    new aws.iam.RolePolicyAttachment(`${name}-${policyArn.split("/").pop()}`, { role: role.name, policyArn }, { parent: this }),
            );
            const nodeGroup = new aws.eks.NodeGroup(
                `${name}-nodes`,
                {
                    clusterName: args.eks.clusterName,
                    nodeGroupNamePrefix: `${group.name}-`,
                    nodeRoleArn: role.arn,
                    subnetIds: args.eks.subnetIds,
                    instanceTypes: [group.instanceType],
                    amiType: group.amiType ?? defaults.amiType,
                    capacityType: group.capacityType ?? defaults.capacityType,
                    diskSize: group.diskSizeGiB ?? defaults.diskSizeGiB,
                    scalingConfig: { minSize: group.minSize, desiredSize, maxSize: group.maxSize },
                    labels: { [nodeGroupLabel]: group.name },
                    taints: [{ key: gpuTaint.key, value: gpuTaint.value, effect: "NO_SCHEDULE" }],
                    updateConfig: { maxUnavailable: 1 },
                    tags,
                },
                // EKS tags a managed node group's Auto Scaling group for Cluster Autoscaler's auto-discovery itself.
                { parent: this, dependsOn: attachments, ignoreChanges: args.nodesFollowPods ? ["scalingConfig.desiredSize"] : [] },
            );
            this.nodeGroupArn = nodeGroup.arn;
        } else {
            this.nodeGroupArn = pulumi.output(undefined);
        }

        this.groupName = pulumi.output(group.name);
        this.instanceType = group.instanceType;
        this.gpusPerNode = group.instanceType.apply((instanceType) => findGpuInstanceType(instanceType)?.gpus ?? 0);
        this.minSize = group.minSize;
        this.desiredSize = desiredSize;
        this.maxSize = group.maxSize;
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
