import { randomBytes, randomInt, randomUUID } from "node:crypto";

/**
 * The AWS account behind the mocks: its VPCs and subnets, its existing EKS clusters, and
 * what AWS computes for the resources the program creates (names, ARNs, endpoints,
 * certificate authorities). Invokes answer from this account, resources the program
 * wires wrongly (unknown subnets, subnets of a single zone, a node group on a cluster
 * that does not exist) fail as AWS would refuse them.
 */
export interface AwsAccountModel {
    accountId: string;
    region: string;
    vpcs: Array<{ id: string; cidrBlock: string; isDefault: boolean; subnets: Array<{ id: string; availabilityZone: string }> }>;
    /** EKS clusters that exist before the program runs. */
    clusters: Array<{ name: string; version: string; endpoint: string; certificateAuthority: string; subnetIds: string[]; securityGroupId: string }>;
    /** EFS mount targets created so far (AWS allows one per file system and zone). */
    efsMountTargets: Array<{ fileSystemId: string; availabilityZone: string }>;
}

/** A fresh account: a default VPC with three subnets in three zones, another VPC, and one existing cluster. */
export function newAwsAccount(): AwsAccountModel {
    const subnet = (zone: string) => ({ id: `subnet-${hex(17)}`, availabilityZone: `us-east-1${zone}` });
    const defaultVpc = { id: `vpc-${hex(17)}`, cidrBlock: "172.31.0.0/16", isDefault: true, subnets: [subnet("a"), subnet("b"), subnet("c")] };
    const otherVpc = { id: `vpc-${hex(17)}`, cidrBlock: "10.0.0.0/16", isDefault: false, subnets: [subnet("a"), subnet("b")] };
    return {
        accountId: String(randomInt(100_000_000_000, 999_999_999_999)),
        region: "us-east-1",
        vpcs: [defaultVpc, otherVpc],
        clusters: [
            { name: "shared", version: "1.33", endpoint: eksEndpoint("us-east-1"), certificateAuthority: certificateAuthority(), subnetIds: otherVpc.subnets.map((s) => s.id), securityGroupId: `sg-${hex(17)}` },
        ],
        efsMountTargets: [],
    };
}

function hex(length: number): string {
    return randomBytes(length).toString("hex").slice(0, length);
}

function eksEndpoint(region: string): string {
    return `https://${hex(32).toUpperCase()}.gr7.${region}.eks.amazonaws.com`;
}

/** A cluster CA as EKS returns it: base64 of a PEM certificate. */
function certificateAuthority(): string {
    const pem = `-----BEGIN CERTIFICATE-----\n${randomBytes(600).toString("base64")}\n-----END CERTIFICATE-----\n`;
    return Buffer.from(pem).toString("base64");
}

function subnetsOf(account: AwsAccountModel, ids: string[], what: string) {
    const all = account.vpcs.flatMap((v) => v.subnets.map((s) => ({ ...s, vpcId: v.id })));
    return ids.map((id) => {
        const found = all.find((s) => s.id === id);
        if (!found) {
            throw new Error(`${what}: InvalidSubnetID.NotFound: The subnet ID '${id}' does not exist`);
        }
        return found;
    });
}

/** Identity AWS assigns at creation (kept while the resource is not replaced). */
export function createAwsIdentity(type: string, name: string, inputs: Record<string, any>, account: AwsAccountModel, knownClusters: string[]): { id: string; outputs: Record<string, unknown> } {
    const arn = (service: string, resource: string) => `arn:aws:${service}:${service === "iam" ? "" : account.region}:${account.accountId}:${resource}`;
    // Pulumi auto-names AWS resources: the logical name plus 7 random hex characters.
    const autoName = inputs.name ?? `${name}-${hex(7)}`;
    switch (type) {
        case "aws:iam/role:Role":
            return { id: autoName, outputs: { name: autoName, arn: arn("iam", `role/${autoName}`), uniqueId: `AROA${hex(17).toUpperCase()}` } };
        case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
            return { id: `${inputs.role}-${Date.now()}${randomInt(1000, 9999)}`, outputs: {} };
        case "aws:eks/cluster:Cluster": {
            const subnets = subnetsOf(account, inputs.vpcConfig?.subnetIds ?? [], "aws:eks/cluster:Cluster vpcConfig.subnetIds");
            if (new Set(subnets.map((s) => s.availabilityZone)).size < 2) {
                throw new Error("InvalidParameterException: Subnets specified must be in at least two different AZs");
            }
            if (new Set(subnets.map((s) => s.vpcId)).size > 1) {
                throw new Error("InvalidParameterException: Subnets must all belong to the same VPC");
            }
            const outputs = {
                name: autoName,
                arn: arn("eks", `cluster/${autoName}`),
                endpoint: eksEndpoint(account.region),
                certificateAuthority: { data: certificateAuthority() },
                status: "ACTIVE",
                vpcConfig: { ...inputs.vpcConfig, vpcId: subnets[0].vpcId, clusterSecurityGroupId: `sg-${hex(17)}` },
            };
            return { id: autoName, outputs };
        }
        case "aws:eks/nodeGroup:NodeGroup": {
            if (![...knownClusters, ...account.clusters.map((c) => c.name)].includes(inputs.clusterName)) {
                throw new Error(`ResourceNotFoundException: No cluster found for name: ${inputs.clusterName}`);
            }
            subnetsOf(account, inputs.subnetIds ?? [], "aws:eks/nodeGroup:NodeGroup subnetIds");
            if (inputs.launchTemplate && inputs.diskSize !== undefined) {
                throw new Error("InvalidParameterException: Disk size must be specified within the launch template.");
            }
            // terraform's PrefixedUniqueId: the prefix plus a 26-digit time-ordered suffix.
            const nodeGroupName = inputs.nodeGroupName ?? `${inputs.nodeGroupNamePrefix ?? "terraform-"}${Date.now()}${String(randomInt(1e9)).padStart(13, "0")}`;
            return {
                id: `${inputs.clusterName}:${nodeGroupName}`,
                outputs: { nodeGroupName, arn: arn("eks", `nodegroup/${inputs.clusterName}/${nodeGroupName}/${randomUUID()}`), status: "ACTIVE" },
            };
        }
        case "aws:ec2/launchTemplate:LaunchTemplate": {
            const id = `lt-${hex(17)}`;
            return { id, outputs: { name: autoName, arn: arn("ec2", `launch-template/${id}`), latestVersion: 1, defaultVersion: 1 } };
        }
        case "aws:efs/fileSystem:FileSystem": {
            const id = `fs-${hex(17)}`;
            return { id, outputs: { arn: arn("elasticfilesystem", `file-system/${id}`), dnsName: `${id}.efs.${account.region}.amazonaws.com`, ownerId: account.accountId } };
        }
        case "aws:efs/mountTarget:MountTarget": {
            const [subnet] = subnetsOf(account, [inputs.subnetId], "aws:efs/mountTarget:MountTarget subnetId");
            if (account.efsMountTargets.some((t) => t.fileSystemId === inputs.fileSystemId && t.availabilityZone === subnet.availabilityZone)) {
                throw new Error("MountTargetConflict: mount target already exists in this AZ");
            }
            account.efsMountTargets.push({ fileSystemId: inputs.fileSystemId, availabilityZone: subnet.availabilityZone });
            return { id: `fsmt-${hex(17)}`, outputs: { availabilityZoneName: subnet.availabilityZone, ipAddress: `172.31.${randomInt(0, 255)}.${randomInt(1, 254)}` } };
        }
        case "aws:ec2/securityGroup:SecurityGroup": {
            if (!account.vpcs.some((v) => v.id === inputs.vpcId)) {
                throw new Error(`InvalidVpcID.NotFound: The vpc ID '${inputs.vpcId}' does not exist`);
            }
            const id = `sg-${hex(17)}`;
            return { id, outputs: { arn: arn("ec2", `security-group/${id}`), name: autoName, ownerId: account.accountId } };
        }
        case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {
            const id = `sgr-${hex(17)}`;
            return { id, outputs: { arn: arn("ec2", `security-group-rule/${id}`), securityGroupRuleId: id } };
        }
        case "aws:iam/rolePolicy:RolePolicy":
            return { id: `${inputs.role}:${autoName}`, outputs: { name: autoName } };
        case "aws:eks/addon:Addon": {
            if (![...knownClusters, ...account.clusters.map((c) => c.name)].includes(inputs.clusterName)) {
                throw new Error(`ResourceNotFoundException: No cluster found for name: ${inputs.clusterName}`);
            }
            return {
                id: `${inputs.clusterName}:${inputs.addonName}`,
                outputs: { arn: arn("eks", `addon/${inputs.clusterName}/${inputs.addonName}/${randomUUID()}`), addonVersion: inputs.addonVersion ?? "v1.0.0-eksbuild.1" },
            };
        }
        case "aws:eks/podIdentityAssociation:PodIdentityAssociation": {
            if (![...knownClusters, ...account.clusters.map((c) => c.name)].includes(inputs.clusterName)) {
                throw new Error(`ResourceNotFoundException: No cluster found for name: ${inputs.clusterName}`);
            }
            const associationId = `a-${hex(17)}`;
            return { id: `${inputs.clusterName},${associationId}`, outputs: { associationId, associationArn: arn("eks", `podidentityassociation/${inputs.clusterName}/${associationId}`) } };
        }
        case "aws:secretsmanager/secret:Secret": {
            const secretArn = arn("secretsmanager", `secret:${autoName}-${hex(6)}`);
            return { id: secretArn, outputs: { name: autoName, arn: secretArn } };
        }
        case "aws:secretsmanager/secretVersion:SecretVersion": {
            const versionId = randomUUID();
            return { id: `${inputs.secretId}|${versionId}`, outputs: { arn: inputs.secretId, versionId, versionStages: ["AWSCURRENT"] } };
        }
        default:
            throw new Error(`the mocks do not model ${type}`);
    }
}

/** Inputs whose change makes AWS replace the resource (ForceNew in the provider's schema). */
export const awsReplaceKeys: Record<string, string[]> = {
    "aws:iam/role:Role": ["name", "namePrefix"],
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ["role", "policyArn"],
    "aws:eks/cluster:Cluster": ["name", "roleArn"],
    "aws:eks/nodeGroup:NodeGroup": ["clusterName", "nodeGroupName", "nodeGroupNamePrefix", "nodeRoleArn", "subnetIds", "capacityType", "diskSize", "instanceTypes"],
    "aws:iam/rolePolicy:RolePolicy": ["name", "namePrefix", "role"],
    "aws:ec2/launchTemplate:LaunchTemplate": ["name", "namePrefix"],
    "aws:efs/fileSystem:FileSystem": ["encrypted", "performanceMode", "creationToken"],
    "aws:efs/mountTarget:MountTarget": ["fileSystemId", "subnetId"],
    "aws:ec2/securityGroup:SecurityGroup": ["name", "namePrefix", "vpcId", "description"],
    "aws:eks/addon:Addon": ["addonName", "clusterName"],
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": ["clusterName", "namespace", "serviceAccount"],
    "aws:secretsmanager/secret:Secret": ["name", "namePrefix"],
    "aws:secretsmanager/secretVersion:SecretVersion": ["secretId", "secretString"],
};

/** The invokes the program calls, answered from the account; anything else is an error. */
export function awsInvoke(token: string, args: Record<string, any>, account: AwsAccountModel): Record<string, unknown> {
    switch (token) {
        case "aws:ec2/getVpc:getVpc": {
            const vpc = account.vpcs.find((v) => (args.default === undefined || v.isDefault === args.default) && (args.id === undefined || v.id === args.id));
            if (!vpc || args.filters) {
                throw new Error("no matching EC2 VPC found");
            }
            return { id: vpc.id, arn: `arn:aws:ec2:${account.region}:${account.accountId}:vpc/${vpc.id}`, cidrBlock: vpc.cidrBlock, default: vpc.isDefault, ownerId: account.accountId, state: "available" };
        }
        case "aws:ec2/getSubnets:getSubnets": {
            let subnets = account.vpcs.flatMap((v) => v.subnets.map((s) => ({ ...s, vpcId: v.id })));
            for (const filter of args.filters ?? []) {
                if (filter.name !== "vpc-id") {
                    throw new Error(`the mocks do not model the subnet filter ${filter.name}`);
                }
                subnets = subnets.filter((s) => filter.values.includes(s.vpcId));
            }
            return { id: account.region, ids: subnets.map((s) => s.id), filters: args.filters };
        }
        case "aws:eks/getCluster:getCluster": {
            const cluster = account.clusters.find((c) => c.name === args.name);
            if (!cluster) {
                throw new Error(`reading EKS Cluster (${args.name}): couldn't find resource`);
            }
            const vpcId = subnetsOf(account, cluster.subnetIds, "cluster")[0].vpcId;
            return {
                id: cluster.name,
                name: cluster.name,
                arn: `arn:aws:eks:${account.region}:${account.accountId}:cluster/${cluster.name}`,
                endpoint: cluster.endpoint,
                certificateAuthorities: [{ data: cluster.certificateAuthority }],
                version: cluster.version,
                status: "ACTIVE",
                vpcConfig: { subnetIds: cluster.subnetIds, vpcId, clusterSecurityGroupId: cluster.securityGroupId },
            };
        }
        case "aws:ec2/getSubnet:getSubnet": {
            const [subnet] = subnetsOf(account, [args.id], "aws:ec2/getSubnet:getSubnet");
            return { id: subnet.id, availabilityZone: subnet.availabilityZone, vpcId: subnet.vpcId, arn: `arn:aws:ec2:${account.region}:${account.accountId}:subnet/${subnet.id}` };
        }
        default:
            throw new Error(`the mocks do not model invoke ${token}`);
    }
}
