import { beforeAll, describe, expect, it } from "vitest";
import { newAwsAccount } from "./helpers/awsModel";
import { installMocks, ofType, RegisteredResource, settle, valueOf } from "./helpers/mocks";
import type { GpuNodeGroupArgs } from "../components";

let registered: RegisteredResource[];
let local: import("../components").GpuNodeGroup;

const group: GpuNodeGroupArgs = {
    name: "gpu-l40s",
    instanceType: "g6e.12xlarge",
    minSize: 0,
    maxSize: 3,
    capacityType: "SPOT",
    diskSizeGiB: 400,
    amiType: "BOTTLEROCKET_x86_64_NVIDIA",
    desiredSize: 2,
};

beforeAll(async () => {
    // The group joins an existing cluster of the account, in that cluster's subnets.
    const account = newAwsAccount();
    registered = await installMocks({ aws: account });
    const [shared] = account.clusters;
    const { GpuNodeGroup } = await import("../components");
    new GpuNodeGroup("eks-group", { ...group, eks: { clusterName: shared.name, subnetIds: shared.subnetIds }, serviceIds: { vision: "ms-aaaaaaaaaaaa", chat: "ms-bbbbbbbbbbbb" } });
    local = new GpuNodeGroup("local-group", { ...group, name: "gpu-local" });
    await settle();
});

describe("GpuNodeGroup on EKS", () => {
    it("creates a managed node group with an NVIDIA AMI, the GPU taint and the node-group label", () => {
        const [ng] = ofType(registered, "aws:eks/nodeGroup:NodeGroup");
        expect(ng.inputs).toMatchObject({
            clusterName: "shared",
            instanceTypes: ["g6e.12xlarge"],
            amiType: "BOTTLEROCKET_x86_64_NVIDIA",
            capacityType: "SPOT",
            diskSize: 400,
            labels: { "model-services.io/node-group": "gpu-l40s" },
            taints: [{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }],
        });
    });

    it("sizes itself to the planned GPU demand", () => {
        const [ng] = ofType(registered, "aws:eks/nodeGroup:NodeGroup");
        expect(ng.inputs.scalingConfig).toEqual({ minSize: 0, desiredSize: 2, maxSize: 3 });
    });

    it("gives its nodes an IAM role with only what a worker needs: join the cluster, pull images", () => {
        const [role] = ofType(registered, "aws:iam/role:Role");
        expect(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal).toEqual({ Service: "ec2.amazonaws.com" });
        // No CNI policy (the VPC CNI gets it through Pod Identity) and no SSM access.
        expect(ofType(registered, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((a) => a.inputs.policyArn)).toEqual([
            "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
            "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
        ]);
    });

    it("tags its AWS resources with the IDs of the services placed on it", () => {
        const [ng] = ofType(registered, "aws:eks/nodeGroup:NodeGroup");
        expect(ng.inputs.tags).toMatchObject({ "model-services.io/service/vision": "ms-aaaaaaaaaaaa", "model-services.io/service/chat": "ms-bbbbbbbbbbbb" });
    });
});

describe("GpuNodeGroup on a kubeconfig cluster", () => {
    it("creates no AWS resource and selects nodes by label", async () => {
        expect(registered.filter((r) => r.name.startsWith("local-group-"))).toEqual([]);
        expect(await valueOf(local.nodeSelector)).toEqual({ "model-services.io/node-group": "gpu-local" });
        expect(await valueOf(local.desiredSize)).toBe(2);
    });
});
