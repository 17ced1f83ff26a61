import { beforeAll, describe, expect, it } from "vitest";
import { installMocks, ofType, RegisteredResource, settle, valueOf } from "./helpers/mocks";

let registered: RegisteredResource[];
let existing: import("../components").EksCluster;

beforeAll(async () => {
    registered = await installMocks();
    const { NvidiaDevicePlugin } = await import("../components");
    const { EksCluster } = await import("../components");
    new NvidiaDevicePlugin("plugin", { nodeGroups: ["gpu-l40s", "gpu-l4"] });
    new EksCluster("created", { name: "dev", create: true, version: "1.34", subnetIds: ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"] });
    existing = new EksCluster("existing", { name: "shared", create: false, subnetIds: ["subnet-0123456789abcdef0"] });
    await settle();
});

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
        const [cluster] = ofType(registered, "aws:eks/cluster:Cluster");
        expect(cluster.inputs).toMatchObject({
            name: "dev",
            version: "1.34",
            accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
            vpcConfig: { subnetIds: ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"] },
        });
        const roles = ofType(registered, "aws:iam/role:Role").filter((r) => r.name === "created-role");
        expect(JSON.parse(roles[0].inputs.assumeRolePolicy).Statement[0].Principal).toEqual({ Service: "eks.amazonaws.com" });
        expect(ofType(registered, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((a) => `${a.name} ${a.inputs.policyArn}`)).toEqual([
            "created-AmazonEKSClusterPolicy arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
            "created-vpc-cni-AmazonEKS_CNI_Policy arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
        ]);
        // EKS installs no unmanaged add-ons; the managed ones below replace them.
        expect(cluster.inputs.bootstrapSelfManagedAddons).toBe(false);
    });

    it("declares the add-ons nodes need, pinned, and gives the VPC CNI its AWS permissions through Pod Identity", () => {
        const addons = ofType(registered, "aws:eks/addon:Addon");
        expect(addons.map((a) => `${a.inputs.addonName} ${a.inputs.addonVersion}`).sort()).toEqual([
            "eks-pod-identity-agent v1.3.10-eksbuild.2",
            "kube-proxy v1.34.0-eksbuild.2",
            "vpc-cni v1.20.4-eksbuild.2",
        ]);
        const cni = addons.find((a) => a.inputs.addonName === "vpc-cni")!;
        expect(cni.inputs.podIdentityAssociations).toEqual([{ roleArn: expect.stringMatching(/^arn:aws:iam::123456789012:role\/created-vpc-cni-role-/), serviceAccount: "aws-node" }]);
        const cniRole = ofType(registered, "aws:iam/role:Role").find((r) => r.name === "created-vpc-cni-role")!;
        expect(JSON.parse(cniRole.inputs.assumeRolePolicy).Statement[0]).toEqual({ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] });
        // CoreDNS waits for nodes it can run on: ModelPlatform adds it after the CPU groups.
        expect(addons.some((a) => a.inputs.addonName === "coredns")).toBe(false);
    });

    it("looks an existing cluster up instead of creating one, and keeps credentials out of its kubeconfig", async () => {
        expect(ofType(registered, "aws:eks/cluster:Cluster")).toHaveLength(1);
        expect(existing.nodePrerequisites).toEqual([]);
        expect(existing.coreDnsAddon("existing-eks", [])).toBeUndefined();
        const kubeconfig = JSON.parse(await valueOf(existing.kubeconfig));
        expect(kubeconfig.users[0].user.exec).toMatchObject({ command: "aws", args: ["eks", "get-token", "--cluster-name", "shared", "--output", "json"] });
        expect(JSON.stringify(kubeconfig)).not.toMatch(/"token"|client-key-data|"password"/);
    });
});
