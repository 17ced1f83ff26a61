import type * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ArgsCheck } from "../config/args";
import { AmiType, CapacityType, NodeGroupKind } from "../config/rules";
import { nodeGroupSchema } from "../config/schema";
import { nodeGroupLabel, partOfTag } from "../conventions";
import { SimulatedNode, simulatedNodes } from "../plan/eksNodes";
import { LocalStorageStrategy, nodeUserData } from "../plan/nodeBootstrap";
import { S3Prefix, s3ReadPolicy } from "../plan/s3Access";
import { awsSdk } from "./awsSdk";

/**
 * What GpuNodeGroup and CpuNodeGroup share: the EKS managed node group with its worker role,
 * and the Node objects that stand in for it on a simulated cluster.
 */

/** Where a node group's nodes come from on EKS. */
export interface NodeGroupEksArgs {
    /** Name of the EKS cluster the managed node group joins. */
    clusterName: pulumi.Input<string>;
    /** Subnets of the node group. */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
}

/** Where a node group's nodes come from on a simulated (KWOK) cluster. */
export interface NodeGroupSimulationArgs {
    /** Kubernetes provider of the simulated cluster, which the Node objects are created with. */
    provider: k8s.Provider;
    /** AWS region whose zones the nodes are labelled with. @default "us-east-1" */
    region?: string;
}

/**
 * Managed policies of the worker role, least privilege: joining the cluster and pulling images.
 * The VPC CNI's own permissions go to its service account through EKS Pod Identity
 * (EksCluster), not to every pod on the node; SSM access is not needed to run nodes.
 */
export const workerNodePolicies = ["arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy", "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly"] as const;

/**
 * Checks a node group component's plain args with the stack config's `nodeGroups[]` rules,
 * before the component registers (bad args create nothing). Sizes are plain numbers: a
 * simulated cluster creates that many Node objects.
 */
export function checkNodeGroupArgs(component: string, name: string, args: Pick<NodeGroupShape, "name" | "instanceType" | "minSize" | "maxSize"> & Partial<Pick<NodeGroupShape, "capacityType" | "diskSizeGiB" | "amiType">>): void {
    const check = new ArgsCheck(`${component} "${name}" args`);
    const leaf = nodeGroupSchema.shape;
    check.plain("name", leaf.name, args.name);
    check.plain("instanceType", leaf.instanceType.unwrap(), args.instanceType);
    check.plain("minSize", leaf.minSize, args.minSize);
    check.plain("maxSize", leaf.maxSize, args.maxSize);
    check.plain("capacityType", leaf.capacityType, args.capacityType);
    check.plain("diskSizeGiB", leaf.diskSizeGiB, args.diskSizeGiB);
    check.plain("amiType", leaf.amiType, args.amiType);
    check.throwIfInvalid();
}

/** A node group as both components take it. */
export interface NodeGroupShape {
    name: string;
    kind: NodeGroupKind;
    instanceType: string;
    minSize: number;
    desiredSize: number;
    maxSize: number;
    capacityType: CapacityType;
    diskSizeGiB: number;
    amiType: AmiType;
    localStorage?: LocalStorageStrategy;
}

/**
 * The worker role and the EKS managed node group of a group; returns the node group. The role
 * may read `s3ReadPrefixes` (model sources with `modelAccess.s3.mode: node-role`).
 */
export function eksManagedNodeGroup(
    parent: pulumi.Resource,
    name: string,
    group: NodeGroupShape,
    eks: NodeGroupEksArgs,
    taints: aws.types.input.eks.NodeGroupTaint[],
    tags: pulumi.Input<Record<string, pulumi.Input<string>>>,
    nodesFollowPods = false,
    s3ReadPrefixes: readonly S3Prefix[] = [],
): aws.eks.NodeGroup {
    const aws = awsSdk();
    const role = new aws.iam.Role(
        `${name}-role`,
        {
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
            }),
            tags,
        },
        { parent },
    );
    const attachments = workerNodePolicies.map(
        (policyArn) => new aws.iam.RolePolicyAttachment(`${name}-${policyArn.split("/").pop()}`, { role: role.name, policyArn }, { parent }),
    );
    if (s3ReadPrefixes.length > 0) {
        new aws.iam.RolePolicy(`${name}-model-read`, { role: role.name, policy: JSON.stringify(s3ReadPolicy(s3ReadPrefixes)) }, { parent });
    }
    // A NodeConfig for nodeadm needs a launch template; the root volume then moves into it (EKS refuses diskSize with one).
    const launchTemplate = group.localStorage ? nodeLaunchTemplate(parent, name, group.diskSizeGiB, group.localStorage, tags) : undefined;
    return new aws.eks.NodeGroup(
        `${name}-nodes`,
        {
            clusterName: eks.clusterName,
            nodeGroupNamePrefix: `${group.name}-`,
            nodeRoleArn: role.arn,
            subnetIds: eks.subnetIds,
            instanceTypes: [group.instanceType],
            amiType: group.amiType,
            capacityType: group.capacityType,
            ...(launchTemplate ? { launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) } } : { diskSize: group.diskSizeGiB }),
            scalingConfig: { minSize: group.minSize, desiredSize: group.desiredSize, maxSize: group.maxSize },
            labels: { [nodeGroupLabel]: group.name },
            taints,
            updateConfig: { maxUnavailable: 1 },
            tags,
        },
        // With autoscaled services Cluster Autoscaler owns the node count: Pulumi sets it at creation only.
        { parent, dependsOn: attachments, ignoreChanges: nodesFollowPods ? ["scalingConfig.desiredSize"] : [] },
    );
}

/** Device name of the AL2023 AMIs' root volume. */
const al2023RootDevice = "/dev/xvda";

/**
 * The launch template of a group whose nodes need a NodeConfig: its user data (nodeadm merges
 * it with the part EKS adds) and the root volume, encrypted gp3 of the group's disk size.
 */
function nodeLaunchTemplate(
    parent: pulumi.Resource,
    name: string,
    diskSizeGiB: number,
    localStorage: LocalStorageStrategy,
    tags: pulumi.Input<Record<string, pulumi.Input<string>>>,
): aws.ec2.LaunchTemplate {
    return new (awsSdk().ec2.LaunchTemplate)(
        `${name}-launch-template`,
        {
            userData: Buffer.from(nodeUserData(localStorage)).toString("base64"),
            blockDeviceMappings: [{ deviceName: al2023RootDevice, ebs: { volumeSize: diskSizeGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } }],
            // IMDSv2 with one hop: pods cannot take the node role's credentials (their own come from Pod Identity);
            // the VPC CNI and the Pod Identity agent run on the host network and still reach it.
            metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
            tags,
        },
        { parent },
    );
}

/** AWS tags of a node group's resources. */
export function nodeGroupTags(group: string, extra: Record<string, pulumi.Input<string>> = {}): Record<string, pulumi.Input<string>> {
    return { [nodeGroupLabel]: group, ...partOfTag, ...extra };
}

/**
 * The nodes EKS would run for the group, as Node objects the stack owns (KWOK simulates their
 * kubelets): scaling the group adds or removes them in the same `pulumi up`. The API server
 * takes a Node's status (capacity, allocatable) when the Node is created, but ignores it in
 * later applies to the main resource, so a changed shape (instance type, disk) replaces the node.
 */
export function simulatedNodeObjects(parent: pulumi.Resource, name: string, group: NodeGroupShape, simulation: NodeGroupSimulationArgs): pulumi.CustomResource[] {
    return simulatedNodes(group, simulation.region).map(
        (node, i) => new NodeWithStatus(`${name}-node-${i}`, node, { parent, provider: simulation.provider, replaceOnChanges: ["status"], deleteBeforeReplace: true }),
    );
}

/**
 * A `kubernetes:core/v1:Node` whose inputs include its status: the typed `k8s.core.v1.Node`
 * drops `status` from its args, and the provider only takes core kinds under their own token.
 */
class NodeWithStatus extends pulumi.CustomResource {
    constructor(name: string, node: SimulatedNode, opts: pulumi.CustomResourceOptions) {
        super("kubernetes:core/v1:Node", name, { ...node }, opts);
    }
}
