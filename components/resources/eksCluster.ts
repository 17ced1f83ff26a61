import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { defaults } from "../config/rules";
import { typeTokenPrefix } from "../conventions";
import { podIdentityTrustPolicy } from "../plan/s3Access";
import { awsSdk } from "./awsSdk";
import { eksAddonVersions, EksAddonVersions } from "../versions";

export interface EksClusterArgs {
    /** EKS cluster name. */
    name: string;
    /** Create the cluster (true) or use an existing one of that name (false). @default true */
    create?: boolean;
    /** Kubernetes version of a created cluster. @default "1.34" */
    version?: string;
    /** Subnets for a created cluster and its node groups. @default the default VPC's subnets (created) or the cluster's (existing) */
    subnetIds?: pulumi.Input<pulumi.Input<string>[]>;
    /** AWS tags of the cluster and its role. @default {} */
    tags?: Record<string, string>;
}

/**
 * The EKS cluster the platform runs on: created (with its IAM role, API access entries and
 * the default VPC's subnets unless `subnetIds` are given) or looked up by name. A created
 * cluster gets no self-managed add-ons; instead the EKS managed add-ons nodes need before
 * they turn Ready are declared and pinned (`eksAddonVersions`): the VPC CNI (its AWS
 * permissions through EKS Pod Identity, not the node role), kube-proxy and the Pod Identity
 * agent. CoreDNS needs a node to run on, so `coreDnsAddon` adds it after the CPU node groups.
 */
export class EksCluster extends pulumi.ComponentResource {
    /** The cluster's name. */
    public readonly clusterName: pulumi.Output<string>;
    /** Subnets for node groups: the configured ones, else the cluster's. */
    public readonly subnetIds: pulumi.Output<string[]>;
    /** Kubeconfig that authenticates with `aws eks get-token` (no credential inside). */
    public readonly kubeconfig: pulumi.Output<string>;
    /** The security group EKS gives the control plane and managed nodes (the nodes' traffic comes from it). */
    public readonly clusterSecurityGroupId: pulumi.Output<string>;
    /**
     * What node groups wait for: the network add-ons without which nodes never turn Ready
     * (empty for an existing cluster). Resources rather than an output, for `dependsOn`.
     */
    public readonly nodePrerequisites: pulumi.Resource[] = [];
    /** Add-on versions of a created cluster; undefined for an existing one (its add-ons are its own). */
    public readonly addonVersions?: EksAddonVersions;

    constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`${typeTokenPrefix}:EksCluster`, name, {}, opts);
        const aws = awsSdk();
        const cluster = { ...args, create: args.create ?? true, version: args.version ?? defaults.eksVersion };
        let endpoint: pulumi.Output<string>;
        let certificateAuthority: pulumi.Output<string>;

        if (cluster.create) {
            const subnetIds = cluster.subnetIds
                ? pulumi.output(cluster.subnetIds)
                : aws.ec2
                      .getVpcOutput({ default: true }, { parent: this })
                      .apply((vpc) => aws.ec2.getSubnetsOutput({ filters: [{ name: "vpc-id", values: [vpc.id] }] }, { parent: this }).ids);
            const role = new aws.iam.Role(
                `${name}-role`,
                {
                    assumeRolePolicy: JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [{ Effect: "Allow", Principal: { Service: "eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
                    }),
                    tags: args.tags,
                },
                { parent: this },
            );
            const policy = new aws.iam.RolePolicyAttachment(
                `${name}-AmazonEKSClusterPolicy`,
                { role: role.name, policyArn: "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy" },
                { parent: this },
            );
            const eks = new aws.eks.Cluster(
                `${name}-cluster`,
                {
                    name: cluster.name,
                    version: cluster.version,
                    roleArn: role.arn,
                    vpcConfig: { subnetIds, endpointPublicAccess: true, endpointPrivateAccess: true },
                    accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
                    // The add-ons below replace the unmanaged ones EKS would otherwise install.
                    bootstrapSelfManagedAddons: false,
                    tags: args.tags,
                },
                { parent: this, dependsOn: [policy] },
            );
            this.addonVersions = eksAddonVersions[cluster.version];
            if (this.addonVersions) {
                this.nodePrerequisites = this.createNodeAddons(name, eks.name, this.addonVersions, args.tags);
            }
            this.clusterName = eks.name;
            this.subnetIds = subnetIds;
            endpoint = eks.endpoint;
            certificateAuthority = eks.certificateAuthority.data;
            this.clusterSecurityGroupId = eks.vpcConfig.clusterSecurityGroupId;
        } else {
            const existing = aws.eks.getClusterOutput({ name: cluster.name }, { parent: this });
            this.clusterName = existing.name;
            this.subnetIds = cluster.subnetIds ? pulumi.output(cluster.subnetIds) : existing.vpcConfig.subnetIds;
            endpoint = existing.endpoint;
            certificateAuthority = existing.certificateAuthorities[0].data;
            this.clusterSecurityGroupId = existing.vpcConfig.clusterSecurityGroupId;
        }

        this.kubeconfig = pulumi.all([this.clusterName, endpoint, certificateAuthority]).apply(([clusterName, server, ca]) =>
            JSON.stringify({
                apiVersion: "v1",
                kind: "Config",
                clusters: [{ name: clusterName, cluster: { server, "certificate-authority-data": ca } }],
                contexts: [{ name: clusterName, context: { cluster: clusterName, user: clusterName } }],
                "current-context": clusterName,
                users: [
                    {
                        name: clusterName,
                        user: {
                            exec: {
                                apiVersion: "client.authentication.k8s.io/v1beta1",
                                command: "aws",
                                args: ["eks", "get-token", "--cluster-name", clusterName, "--output", "json"],
                            },
                        },
                    },
                ],
            }),
        );
        this.registerOutputs({ clusterName: this.clusterName, subnetIds: this.subnetIds, kubeconfig: this.kubeconfig, clusterSecurityGroupId: this.clusterSecurityGroupId });
    }

    /** VPC CNI, kube-proxy and the Pod Identity agent: what a node needs to turn Ready. */
    private createNodeAddons(name: string, clusterName: pulumi.Output<string>, versions: EksAddonVersions, tags?: Record<string, string>): pulumi.Resource[] {
        const aws = awsSdk();
        const child = { parent: this };
        const podIdentityAgent = new aws.eks.Addon(
            `${name}-eks-pod-identity-agent`,
            { clusterName, addonName: "eks-pod-identity-agent", addonVersion: versions.podIdentityAgent, resolveConflictsOnCreate: "OVERWRITE", tags },
            child,
        );
        const kubeProxy = new aws.eks.Addon(`${name}-kube-proxy`, { clusterName, addonName: "kube-proxy", addonVersion: versions.kubeProxy, resolveConflictsOnCreate: "OVERWRITE", tags }, child);
        const cniRole = new aws.iam.Role(`${name}-vpc-cni-role`, { assumeRolePolicy: JSON.stringify(podIdentityTrustPolicy), tags }, child);
        const cniPolicy = new aws.iam.RolePolicyAttachment(
            `${name}-vpc-cni-AmazonEKS_CNI_Policy`,
            { role: cniRole.name, policyArn: "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy" },
            child,
        );
        const vpcCni = new aws.eks.Addon(
            `${name}-vpc-cni`,
            {
                clusterName,
                addonName: "vpc-cni",
                addonVersion: versions.vpcCni,
                resolveConflictsOnCreate: "OVERWRITE",
                podIdentityAssociations: [{ roleArn: cniRole.arn, serviceAccount: "aws-node" }],
                tags,
            },
            { parent: this, dependsOn: [podIdentityAgent, cniPolicy] },
        );
        return [podIdentityAgent, kubeProxy, vpcCni];
    }

    /**
     * The CoreDNS add-on, once nodes it can run on exist (`nodeGroups`: the CPU groups; GPU
     * nodes are tainted). None for an existing cluster, whose add-ons are its own.
     */
    public coreDnsAddon(name: string, nodeGroups: pulumi.Resource[]): aws.eks.Addon | undefined {
        if (!this.addonVersions) {
            return undefined;
        }
        return new (awsSdk().eks.Addon)(
            `${name}-coredns`,
            { clusterName: this.clusterName, addonName: "coredns", addonVersion: this.addonVersions.coreDns, resolveConflictsOnCreate: "OVERWRITE" },
            { parent: this, dependsOn: nodeGroups },
        );
    }
}
