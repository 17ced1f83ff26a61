import { beforeAll, describe, expect, it } from "vitest";
import { AwsAccountModel, newAwsAccount } from "./helpers/awsModel";
import { installMocks, ofType, RegisteredResource, settle, valueOf } from "./helpers/mocks";

let registered: RegisteredResource[];
let account: AwsAccountModel;
let created: import("../components").EksCluster;
let inDefaultVpc: import("../components").EksCluster;
let existing: import("../components").EksCluster;

beforeAll(async () => {
    account = newAwsAccount();
    registered = await installMocks({ aws: account });
    const { NvidiaDevicePlugin } = await import("../components");
    const { EksCluster } = await import("../components");
    new NvidiaDevicePlugin("plugin", { nodeGroups: ["gpu-l40s", "gpu-l4"] });
    created = new EksCluster("created", { name: "dev", create: true, version: "1.34", subnetIds: account.vpcs[1].subnets.map((s) => s.id), tags: { team: "ml" } });
    inDefaultVpc = new EksCluster("default-vpc", { name: "dev-default", create: true });
    existing = new EksCluster("existing", { name: "shared", create: false });
    await settle();
});

/** The one registered resource of a type and name. */
function resource(type: string, name: string): RegisteredResource {
    const found = registered.filter((r) => r.type === type && r.name === name);
    expect(found, `${type} ${name}`).toHaveLength(1);
    return found[0];
}

describe("NvidiaDevicePlugin", () => {
    it("runs only on the GPU nodes of the given node groups, tolerating their taint", () => {
        const [ds] = ofType(registered, "kubernetes:apps/v1:DaemonSet");
        const pod = ds.inputs.spec.template.spec;
        expect(ds.inputs.metadata).toMatchObject({ name: "nvidia-device-plugin", namespace: "kube-system" });
        expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
            { matchExpressions: [{ key: "model-services.io/node-group", operator: "In", values: ["gpu-l4", "gpu-l40s"] }] },
        ]);
        expect(pod.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
        expect(pod.containers[0].image).toBe("nvcr.io/nvidia/k8s-device-plugin:v0.17.4");
        expect(pod.containers[0].volumeMounts).toEqual([{ name: "device-plugin", mountPath: "/var/lib/kubelet/device-plugins" }]);
        expect(pod.containers[0].resources.limits).toBeDefined();
    });
});

describe("EksCluster", () => {
    it("creates the cluster with its IAM role, API access entries and the given subnets", () => {
        const cluster = resource("aws:eks/cluster:Cluster", "created-cluster");
        expect(cluster.inputs).toMatchObject({
            name: "dev",
            version: "1.34",
            accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
            vpcConfig: { subnetIds: account.vpcs[1].subnets.map((s) => s.id) },
            tags: { team: "ml" },
        });
        const role = resource("aws:iam/role:Role", "created-role");
        expect(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal).toEqual({ Service: "eks.amazonaws.com" });
        expect(role.inputs.tags).toEqual({ team: "ml" });
        // Wired to the role AWS created, not to a name the program made up.
        expect(cluster.inputs.roleArn).toBe(role.outputs.arn);
        expect(role.outputs.arn).toMatch(new RegExp(`^arn:aws:iam::${account.accountId}:role/created-role-[0-9a-f]{7}$`));
        const attachment = resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "created-AmazonEKSClusterPolicy");
        expect(attachment.inputs).toEqual({ role: role.outputs.name, policyArn: "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy" });
        // EKS installs no unmanaged add-ons; the managed ones replace them.
        expect(cluster.inputs.bootstrapSelfManagedAddons).toBe(false);
    });

    it("declares the add-ons nodes need, pinned, and gives the VPC CNI its AWS permissions through Pod Identity", () => {
        const addons = ofType(registered, "aws:eks/addon:Addon").filter((a) => a.name.startsWith("created-"));
        expect(addons.map((a) => `${a.inputs.addonName} ${a.inputs.addonVersion}`).sort()).toEqual([
            "eks-pod-identity-agent v1.3.10-eksbuild.2",
            "kube-proxy v1.34.0-eksbuild.2",
            "vpc-cni v1.20.4-eksbuild.2",
        ]);
        const cni = addons.find((a) => a.inputs.addonName === "vpc-cni")!;
        const cniRole = ofType(registered, "aws:iam/role:Role").find((r) => r.name === "created-vpc-cni-role")!;
        // Wired to the role IAM created, not to a name the program made up.
        expect(cni.inputs.podIdentityAssociations).toEqual([{ roleArn: cniRole.outputs.arn, serviceAccount: "aws-node" }]);
        expect(JSON.parse(cniRole.inputs.assumeRolePolicy).Statement[0]).toEqual({ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] });
        // CoreDNS waits for nodes it can run on: ModelPlatform adds it after the CPU groups.
        expect(addons.some((a) => a.inputs.addonName === "coredns")).toBe(false);
    });

    it("builds the kubeconfig from the created cluster's own endpoint and certificate authority", async () => {
        const cluster = resource("aws:eks/cluster:Cluster", "created-cluster");
        const kubeconfig = JSON.parse(await valueOf(created.kubeconfig));
        expect(kubeconfig.clusters).toEqual([{ name: "dev", cluster: { server: cluster.outputs.endpoint, "certificate-authority-data": cluster.outputs.certificateAuthority.data } }]);
        expect(kubeconfig.clusters[0].cluster.server).toMatch(/^https:\/\/[0-9A-F]{32}\.gr7\.us-east-1\.eks\.amazonaws\.com$/);
        expect(kubeconfig["current-context"]).toBe("dev");
        expect(kubeconfig.contexts).toEqual([{ name: "dev", context: { cluster: "dev", user: "dev" } }]);
        expect(kubeconfig.users[0].user.exec).toMatchObject({ command: "aws", args: ["eks", "get-token", "--cluster-name", "dev", "--output", "json"] });
        expect(await valueOf(created.subnetIds)).toEqual(account.vpcs[1].subnets.map((s) => s.id));
    });

    it("without subnetIds, puts the cluster in the default VPC's subnets (and only those)", async () => {
        const defaultVpc = account.vpcs.find((v) => v.isDefault)!;
        const cluster = resource("aws:eks/cluster:Cluster", "default-vpc-cluster");
        expect(cluster.inputs.vpcConfig.subnetIds).toEqual(defaultVpc.subnets.map((s) => s.id));
        expect(cluster.outputs.vpcConfig.vpcId).toBe(defaultVpc.id);
        expect(await valueOf(inDefaultVpc.subnetIds)).toEqual(defaultVpc.subnets.map((s) => s.id));
    });

    it("looks an existing cluster up instead of creating one: its server, CA and subnets, no credentials", async () => {
        expect(ofType(registered, "aws:eks/cluster:Cluster").map((c) => c.name).sort()).toEqual(["created-cluster", "default-vpc-cluster"]);
        const shared = account.clusters.find((c) => c.name === "shared")!;
        expect(ofType(registered, "aws:eks/cluster:Cluster").filter((c) => c.inputs.name === "shared")).toHaveLength(0);
        expect(existing.nodePrerequisites).toEqual([]);
        expect(existing.coreDnsAddon("existing-eks", [])).toBeUndefined();
        const kubeconfig = JSON.parse(await valueOf(existing.kubeconfig));
        expect(kubeconfig.clusters).toEqual([{ name: "shared", cluster: { server: shared.endpoint, "certificate-authority-data": shared.certificateAuthority } }]);
        expect(kubeconfig.users[0].user.exec).toMatchObject({ command: "aws", args: ["eks", "get-token", "--cluster-name", "shared", "--output", "json"] });
        expect(JSON.stringify(kubeconfig)).not.toMatch(/"token"|client-key-data|"password"/);
        expect(await valueOf(existing.subnetIds)).toEqual(shared.subnetIds);
    });
});
