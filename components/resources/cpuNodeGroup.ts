import * as pulumi from "@pulumi/pulumi";
import { AmiType, CapacityType, defaults, NodeGroupKind } from "../config/rules";
import { nodeGroupLabel, typeTokenPrefix } from "../conventions";
import { checkNodeGroupArgs, eksManagedNodeGroup, NodeGroupEksArgs, NodeGroupSimulationArgs, nodeGroupTags, simulatedNodeObjects } from "./nodeGroupParts";

/** A CPU node group in the plan's terms: a `NodeGroupPlan` of kind `cpu` satisfies it. */
export interface CpuNodeGroupArgs {
    /** Node group name, an RFC 1123 label: the nodes carry it as `model-services.io/node-group`. */
    name: string;
    /** EC2 CPU instance type from the catalog, e.g. `m7i.large`. */
    instanceType: string;
    /** Fewest nodes. */
    minSize: number;
    /** Nodes to run now. */
    desiredSize: number;
    /** Most nodes. */
    maxSize: number;
    /** @default "ON_DEMAND" */
    capacityType?: CapacityType;
    /** Root volume, GiB. @default 200 */
    diskSizeGiB?: number;
    /** @default "AL2023_x86_64_STANDARD" */
    amiType?: AmiType;
    /** The EKS cluster to create a managed node group in; omitted on `kubeconfig` clusters. */
    eks?: NodeGroupEksArgs;
    /** On a simulated cluster: create the `desiredSize` nodes EKS would run as Node objects. @default none */
    simulation?: NodeGroupSimulationArgs;
    /** Extra AWS tags. @default {} */
    tags?: Record<string, string>;
}

/**
 * A group of CPU nodes for what must not run on (tainted) GPU nodes: the API gateway,
 * CoreDNS and the other cluster add-ons. On EKS: a managed node group with the standard
 * AL2023 AMI, no taint, the node-group label and an IAM role. On a simulated cluster: its
 * nodes as Node objects shaped like those EKS nodes. On another kubeconfig cluster: no
 * resource; the gateway selects existing nodes by the node-group label.
 */
export class CpuNodeGroup extends pulumi.ComponentResource {
    /** The node group's name (the node-group label's value). */
    public readonly groupName: pulumi.Output<string>;
    /** EC2 instance type of its nodes. */
    public readonly instanceType: pulumi.Output<string>;
    /** Nodes it runs now. */
    public readonly desiredSize: pulumi.Output<number>;
    /** Node selector that places pods on this group's nodes. */
    public readonly nodeSelector: pulumi.Output<Record<string, string>>;
    /** ARN of the EKS node group (EKS only). */
    public readonly nodeGroupArn: pulumi.Output<string | undefined>;

    constructor(name: string, args: CpuNodeGroupArgs, opts?: pulumi.ComponentResourceOptions) {
        checkNodeGroupArgs("CpuNodeGroup", name, args);
        super(`${typeTokenPrefix}:CpuNodeGroup`, name, {}, opts);
        const group = {
            ...args,
            kind: NodeGroupKind.Cpu,
            capacityType: args.capacityType ?? defaults.capacityType,
            diskSizeGiB: args.diskSizeGiB ?? defaults.diskSizeGiB,
            amiType: args.amiType ?? defaults.cpuAmiType,
        };
        if (args.eks) {
            this.nodeGroupArn = eksManagedNodeGroup(this, name, group, args.eks, [], nodeGroupTags(group.name, args.tags)).arn;
        } else {
            if (args.simulation) {
                simulatedNodeObjects(this, name, group, args.simulation);
            }
            this.nodeGroupArn = pulumi.output(undefined);
        }
        this.groupName = pulumi.output(group.name);
        this.instanceType = pulumi.output(group.instanceType);
        this.desiredSize = pulumi.output(group.desiredSize);
        this.nodeSelector = pulumi.output<Record<string, string>>({ [nodeGroupLabel]: group.name });
        this.registerOutputs({
            groupName: this.groupName,
            instanceType: this.instanceType,
            desiredSize: this.desiredSize,
            nodeSelector: this.nodeSelector,
            nodeGroupArn: this.nodeGroupArn,
        });
    }
}
