import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { efsStorageClassName, typeTokenPrefix } from "../conventions";
import { podIdentityTrustPolicy } from "../plan/s3Access";
import { awsSdk } from "./awsSdk";

export interface EfsModelStorageArgs {
    /** The EKS cluster whose pods mount the file system. */
    clusterName: pulumi.Input<string>;
    /** The cluster's subnets: one mount target in each of their Availability Zones. */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** The security group of the cluster's nodes; NFS (TCP 2049) is open to it alone. */
    clusterSecurityGroupId: pulumi.Input<string>;
    /** Version of the `aws-efs-csi-driver` EKS add-on, e.g. `v2.1.10-eksbuild.1`. */
    addonVersion: string;
    /** Kubernetes provider of the cluster, for the StorageClass. */
    provider: k8s.Provider;
    /** AWS tags of everything it creates. @default {} */
    tags?: Record<string, string>;
    /** Node groups the driver's controller can run on: the add-on is created after them (it is not active without its pods). @default [] */
    nodeGroups?: pulumi.Resource[];
}

/** Service accounts of the EFS CSI driver: the controller creates access points, the node plugin mounts. */
const efsCsiServiceAccounts = ["efs-csi-controller-sa", "efs-csi-node-sa"] as const;
/** NFS, the only port EFS mount targets serve. */
const nfsPort = 2049;

/**
 * ReadWriteMany storage for shared model caches on an EKS cluster the stack creates: an
 * encrypted EFS file system (elastic throughput, so a preload is not throttled by the amount
 * stored), one mount target per Availability Zone of the cluster's subnets behind a security
 * group that admits only the cluster's nodes, the EFS CSI driver as an EKS add-on whose two
 * service accounts get `AmazonEFSCSIDriverPolicy` through Pod Identity, and the StorageClass
 * `model-services-efs`: each claim becomes an access point of its own (dynamic provisioning),
 * mounted with TLS (the driver's default).
 */
export class EfsModelStorage extends pulumi.ComponentResource {
    /** The EFS file system's ID. */
    public readonly fileSystemId: pulumi.Output<string>;
    /** The StorageClass shared caches claim from. */
    public readonly storageClassName: pulumi.Output<string>;

    constructor(name: string, args: EfsModelStorageArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`${typeTokenPrefix}:EfsModelStorage`, name, {}, opts);
        const aws = awsSdk();
        const child = { parent: this };
        const fileSystem = new aws.efs.FileSystem(
            `${name}-fs`,
            { encrypted: true, performanceMode: "generalPurpose", throughputMode: "elastic", tags: { ...args.tags, Name: `${name}-model-cache` } },
            child,
        );
        // The subnets' zones and VPC come from invokes, which resolve in previews too: the mount targets are previewed.
        const subnets = pulumi.output(args.subnetIds).apply((ids) => pulumi.all(ids.map((id) => aws.ec2.getSubnetOutput({ id }, child))));
        const securityGroup = new aws.ec2.SecurityGroup(
            `${name}-nfs`,
            { vpcId: subnets.apply((s) => s[0].vpcId), description: "NFS from the cluster's nodes to the model cache's EFS mount targets", tags: args.tags },
            child,
        );
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-nfs-from-nodes`,
            { securityGroupId: securityGroup.id, referencedSecurityGroupId: args.clusterSecurityGroupId, ipProtocol: "tcp", fromPort: nfsPort, toPort: nfsPort, tags: args.tags },
            child,
        );
        // EFS allows one mount target per zone: the first subnet of each zone gets it.
        const mountTargets = subnets.apply((all) =>
            firstPerZone(all).map(
                (subnet) => new aws.efs.MountTarget(`${name}-mount-${subnet.availabilityZone}`, { fileSystemId: fileSystem.id, subnetId: subnet.id, securityGroups: [securityGroup.id] }, child),
            ),
        );

        const role = new aws.iam.Role(`${name}-csi-role`, { assumeRolePolicy: JSON.stringify(podIdentityTrustPolicy), tags: args.tags }, child);
        const policy = new aws.iam.RolePolicyAttachment(
            `${name}-csi-AmazonEFSCSIDriverPolicy`,
            { role: role.name, policyArn: "arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy" },
            child,
        );
        const addon = new aws.eks.Addon(
            `${name}-csi-driver`,
            {
                clusterName: args.clusterName,
                addonName: "aws-efs-csi-driver",
                addonVersion: args.addonVersion,
                resolveConflictsOnCreate: "OVERWRITE",
                podIdentityAssociations: efsCsiServiceAccounts.map((serviceAccount) => ({ roleArn: role.arn, serviceAccount })),
                tags: args.tags,
            },
            { parent: this, dependsOn: [policy, ...(args.nodeGroups ?? [])] },
        );
        const storageClass = new k8s.storage.v1.StorageClass(
            `${name}-storage-class`,
            {
                metadata: { name: efsStorageClassName },
                provisioner: "efs.csi.aws.com",
                parameters: { provisioningMode: "efs-ap", fileSystemId: fileSystem.id, directoryPerms: "700", basePath: "/model-cache" },
                // A cache is rebuilt by its preload Jobs: its access point and directory go with the claim.
                reclaimPolicy: "Delete",
                volumeBindingMode: "Immediate",
            },
            { parent: this, provider: args.provider, dependsOn: mountTargets.apply((targets): pulumi.Resource[] => [addon, ...targets]) },
        );
        this.fileSystemId = fileSystem.id;
        this.storageClassName = storageClass.metadata.name;
        this.registerOutputs({ fileSystemId: this.fileSystemId, storageClassName: this.storageClassName });
    }
}

/** The first subnet of each Availability Zone, in the given order. */
export function firstPerZone<T extends { availabilityZone: string }>(subnets: readonly T[]): T[] {
    const byZone = new Map<string, T>();
    for (const subnet of subnets) {
        if (!byZone.has(subnet.availabilityZone)) {
            byZone.set(subnet.availabilityZone, subnet);
        }
    }
    return [...byZone.values()];
}
