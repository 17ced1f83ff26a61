import { beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadPlatform } from "../components";
import { AwsAccountModel, newAwsAccount } from "./helpers/awsModel";
import { RegisteredResource } from "./helpers/mocks";
import { PlatformRun, runStack, stackConfig } from "./helpers/platform";

/**
 * Shared model caches on an EKS cluster the stack creates, with no StorageClass named: the
 * platform brings the EFS file system, its mount targets, the EFS CSI driver add-on (Pod
 * Identity for its service accounts) and the StorageClass the caches claim from. Under mocks
 * that model the account (one mount target per zone, subnets and VPCs that must exist).
 */

let account: AwsAccountModel;
let run: PlatformRun;
const loadBalancer = "k8s-modelser-modelgat-0a1b2c3d4e-0123456789abcdef.elb.us-east-1.amazonaws.com";

function devWithSharedCache(): Record<string, any> {
    const raw = structuredClone(stackConfig("dev"));
    raw.nodeGroups.find((g: any) => g.name === "gpu-l4").modelCache = { kind: "shared", sizeGiB: 500 };
    return raw;
}

beforeAll(async () => {
    account = newAwsAccount();
    // A second subnet in zone a: EFS takes one mount target per zone, so it must be skipped.
    const defaultVpc = account.vpcs.find((v) => v.isDefault)!;
    defaultVpc.subnets.push({ id: "subnet-0second0zone0a00", availabilityZone: "us-east-1a" });
    run = await runStack(devWithSharedCache(), { stack: "dev", aws: account, cluster: { loadBalancerIngress: { hostname: loadBalancer } } });
});

const ofType = (type: string): RegisteredResource[] => run.registered.filter((r) => r.type === type);
const one = (type: string): RegisteredResource => {
    const found = ofType(type);
    expect(found, type).toHaveLength(1);
    return found[0];
};

describe("the platform's EFS for shared caches (created EKS cluster, no storageClass)", () => {
    it("an encrypted file system with elastic throughput", () => {
        expect(one("aws:efs/fileSystem:FileSystem").inputs).toMatchObject({ encrypted: true, performanceMode: "generalPurpose", throughputMode: "elastic" });
    });

    it("one mount target per zone of the cluster's subnets, in a security group that admits NFS from the cluster's nodes only", () => {
        const fs = one("aws:efs/fileSystem:FileSystem");
        const sg = one("aws:ec2/securityGroup:SecurityGroup");
        const targets = ofType("aws:efs/mountTarget:MountTarget");
        expect(targets.map((t) => t.outputs.availabilityZoneName).sort()).toEqual(["us-east-1a", "us-east-1b", "us-east-1c"]);
        for (const t of targets) {
            expect(t.inputs).toMatchObject({ fileSystemId: fs.id, securityGroups: [sg.id] });
        }
        expect(sg.inputs.vpcId).toBe(account.vpcs.find((v) => v.isDefault)!.id);
        const cluster = run.registered.find((r) => r.type === "aws:eks/cluster:Cluster")!;
        expect(one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").inputs).toMatchObject({
            securityGroupId: sg.id,
            referencedSecurityGroupId: cluster.outputs.vpcConfig.clusterSecurityGroupId,
            ipProtocol: "tcp",
            fromPort: 2049,
            toPort: 2049,
        });
    });

    it("the EFS CSI driver add-on, pinned, its controller and node service accounts on a role with AmazonEFSCSIDriverPolicy through Pod Identity", () => {
        const addon = run.registered.find((r) => r.type === "aws:eks/addon:Addon" && r.inputs.addonName === "aws-efs-csi-driver")!;
        const role = run.registered.find((r) => r.type === "aws:iam/role:Role" && r.name === "model-services-efs-csi-role")!;
        expect(addon.inputs.addonVersion).toBe("v2.1.10-eksbuild.1");
        expect(addon.inputs.podIdentityAssociations).toEqual([
            { roleArn: role.outputs.arn, serviceAccount: "efs-csi-controller-sa" },
            { roleArn: role.outputs.arn, serviceAccount: "efs-csi-node-sa" },
        ]);
        expect(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal).toEqual({ Service: "pods.eks.amazonaws.com" });
        const attachments = ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.inputs.role === role.outputs.name);
        expect(attachments.map((a) => a.inputs.policyArn)).toEqual(["arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy"]);
    });

    it("the StorageClass the cache's claim names: one access point per claim on that file system", () => {
        const sc = one("kubernetes:storage.k8s.io/v1:StorageClass");
        expect(sc.inputs).toMatchObject({
            metadata: { name: "model-services-efs" },
            provisioner: "efs.csi.aws.com",
            parameters: { provisioningMode: "efs-ap", fileSystemId: one("aws:efs/fileSystem:FileSystem").id, directoryPerms: "700" },
            reclaimPolicy: "Delete",
        });
        const claim = one("kubernetes:core/v1:PersistentVolumeClaim");
        expect(claim.inputs.spec).toMatchObject({ accessModes: ["ReadWriteMany"], storageClassName: "model-services-efs", resources: { requests: { storage: "500Gi" } } });
    });
});

describe("when the platform does not make one", () => {
    it("the shipped dev stack (no shared cache) has no EFS", () => {
        expect(loadPlatform(stackConfig("dev"), { stack: "dev" }).managedEfs).toBe(false);
    });

    it("a StorageClass the config names is used as given", () => {
        const raw = devWithSharedCache();
        raw.nodeGroups.find((g: any) => g.name === "gpu-l4").modelCache.storageClass = "fsx-lustre";
        const plan = loadPlatform(raw, { stack: "dev" });
        expect([plan.managedEfs, plan.services.find((s) => s.nodeGroup === "gpu-l4")!.modelCache.storageClass]).toEqual([false, "fsx-lustre"]);
    });

    it("an existing cluster must name its own StorageClass", () => {
        const raw = devWithSharedCache();
        raw.cluster = { ...raw.cluster, create: false };
        let messages: string[] = [];
        try {
            loadPlatform(raw, { stack: "dev" });
        } catch (e) {
            expect(e).toBeInstanceOf(ConfigError);
            messages = (e as ConfigError).issues.map((i) => i.message);
        }
        expect(messages).toEqual([
            "nodeGroups[0].modelCache.storageClass: is required for a shared cache. Name a ReadWriteMany StorageClass of the existing cluster: EFS (efs.csi.aws.com) or FSx for Lustre (fsx.csi.aws.com), see docs/models.md.",
        ]);
    });
});
