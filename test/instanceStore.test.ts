import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ConfigError, loadPlatform } from "../components";
import { newAwsAccount } from "./helpers/awsModel";
import { installMocks, ofType, RegisteredResource, settle } from "./helpers/mocks";

/**
 * Node-local model caches on EKS live on the instance-store NVMe, which nodeadm sets up as one
 * RAID0 array at /mnt/k8s-disks/0 when the node's NodeConfig asks for it: the plan marks the
 * groups that hold such a cache, GpuNodeGroup gives them a launch template carrying that
 * NodeConfig, and configs that would put the cache anywhere else fail before anything is made.
 */

function eksConfig(): Record<string, any> {
    return {
        owner: "u-1",
        cluster: { kind: "eks", name: "ms" },
        nodeGroups: [
            { name: "gpu-l4", instanceType: "g6.xlarge", minSize: 0, maxSize: 4, modelCache: { kind: "node-local", sizeGiB: 200 } },
            { name: "gpu-l40s", instanceType: "g6e.xlarge", minSize: 0, maxSize: 2 },
        ],
        services: [
            { name: "chat", model: "Qwen/Qwen3-8B", instances: 1, maxModelLen: 8192, nodeGroup: "gpu-l4" },
            { name: "vision", model: "Qwen/Qwen2.5-VL-7B-Instruct", instances: 1, maxModelLen: 8192, nodeGroup: "gpu-l40s" },
        ],
        apiKeys: [{ name: "app", services: ["*"] }],
        gateway: { serviceType: "ClusterIP" },
    };
}

function problems(mutate: (c: Record<string, any>) => void): string[] {
    const config = eksConfig();
    mutate(config);
    try {
        loadPlatform(config, { stack: "dev" });
    } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).issues.map((i) => i.message);
    }
    return [];
}

/** The parts of a MIME multi-part document: each part's headers and body. */
function mimeParts(document: string): { headers: Record<string, string>; body: string }[] {
    const [head, ...rest] = document.split("\n\n");
    const boundary = /boundary="([^"]+)"/.exec(head)![1];
    expect(head).toContain("Content-Type: multipart/mixed;");
    const body = rest.join("\n\n");
    expect(body.trimEnd().endsWith(`--${boundary}--`)).toBe(true);
    return body
        .split(`--${boundary}`)
        .slice(1, -1)
        .map((part) => {
            const [headerBlock, ...content] = part.replace(/^\n/, "").split("\n\n");
            const headers = Object.fromEntries(headerBlock.split("\n").map((line) => line.split(": ") as [string, string]));
            return { headers, body: content.join("\n\n") };
        });
}

describe("the plan: which groups need the instance store as RAID0", () => {
    it("marks the EKS group holding a node-local cache, and no other", () => {
        const plan = loadPlatform(eksConfig(), { stack: "dev" });
        expect(Object.fromEntries(plan.nodeGroups.map((g) => [g.name, g.localStorage]))).toEqual({ "gpu-l4": "RAID0", "gpu-l40s": undefined, system: undefined });
    });

    it("a service's own node-local cache marks its group too", () => {
        const config = eksConfig();
        delete config.nodeGroups[0].modelCache;
        config.services[1].modelCache = { kind: "node-local", sizeGiB: 100 };
        const plan = loadPlatform(config, { stack: "dev" });
        expect(plan.nodeGroups.filter((g) => g.localStorage).map((g) => g.name)).toEqual(["gpu-l40s"]);
    });
});

describe("config errors: a node-local cache on EKS must be on the RAID0 array", () => {
    it("refuses a Bottlerocket group, whose AMI does not run nodeadm", () => {
        expect(problems((c) => (c.nodeGroups[0].amiType = "BOTTLEROCKET_x86_64_NVIDIA"))).toEqual([
            'nodeGroups[0].modelCache.kind: needs the instance store set up as RAID0 by nodeadm, which the AL2023 AMI runs and BOTTLEROCKET_x86_64_NVIDIA does not, got "node-local". Set nodeGroups[0].amiType to AL2023_x86_64_NVIDIA, or use a shared cache.',
        ]);
    });

    it("refuses a hostPath off the array (it would fill the EBS root volume)", () => {
        expect(problems((c) => (c.nodeGroups[0].modelCache.hostPath = "/var/cache/models"))).toEqual([
            'nodeGroups[0].modelCache.hostPath: is not on the instance-store array (/mnt/k8s-disks/0): the cache would fill the node\'s root volume, got "/var/cache/models". Use a directory under /mnt/k8s-disks/0/, e.g. /mnt/k8s-disks/0/model-cache, or remove hostPath.',
        ]);
        expect(problems((c) => (c.nodeGroups[0].modelCache.hostPath = "/mnt/k8s-disks/0/hf"))).toEqual([]);
    });

    it("leaves a kubeconfig cluster's hostPath to its owner", () => {
        expect(
            problems((c) => {
                c.cluster = { kind: "kubeconfig" };
                c.nodeGroups[0].modelCache.hostPath = "/var/cache/models";
                c.nodeGroups[0].amiType = "BOTTLEROCKET_x86_64_NVIDIA";
            }),
        ).toEqual([]);
    });
});

describe("GpuNodeGroup with localStorage RAID0 on EKS", () => {
    let registered: RegisteredResource[];

    beforeAll(async () => {
        const account = newAwsAccount();
        registered = await installMocks({ aws: account });
        const [shared] = account.clusters;
        const { GpuNodeGroup } = await import("../components");
        const eks = { clusterName: shared.name, subnetIds: shared.subnetIds };
        const group = { instanceType: "g6e.12xlarge", minSize: 0, desiredSize: 1, maxSize: 2, diskSizeGiB: 300 };
        new GpuNodeGroup("raid", { ...group, name: "gpu-raid", localStorage: "RAID0", eks });
        new GpuNodeGroup("plain", { ...group, name: "gpu-plain", eks });
        await settle();
    });

    const nodeGroup = (name: string) => ofType(registered, "aws:eks/nodeGroup:NodeGroup").find((r) => r.name === `${name}-nodes`)!;

    it("boots its nodes with a NodeConfig asking nodeadm for RAID0, as a MIME part EKS merges with its own", () => {
        const [template] = ofType(registered, "aws:ec2/launchTemplate:LaunchTemplate");
        expect(template.name).toBe("raid-launch-template");
        const parts = mimeParts(Buffer.from(template.inputs.userData, "base64").toString("utf8"));
        expect(parts.map((p) => p.headers["Content-Type"])).toEqual(["application/node.eks.aws"]);
        expect(parse(parts[0].body)).toEqual({ apiVersion: "node.eks.aws/v1alpha1", kind: "NodeConfig", spec: { instance: { localStorage: { strategy: "RAID0" } } } });
    });

    it("keeps the root volume's size (now in the template: EKS refuses diskSize with one) and IMDS away from pods", () => {
        const [template] = ofType(registered, "aws:ec2/launchTemplate:LaunchTemplate");
        expect(template.inputs.blockDeviceMappings).toEqual([{ deviceName: "/dev/xvda", ebs: { volumeSize: 300, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } }]);
        expect(template.inputs.metadataOptions).toEqual({ httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 });
        expect(nodeGroup("raid").inputs.launchTemplate).toEqual({ id: template.id, version: "1" });
        expect(nodeGroup("raid").inputs.diskSize).toBeUndefined();
    });

    it("a group without it has no launch template and sets diskSize as before", () => {
        expect(ofType(registered, "aws:ec2/launchTemplate:LaunchTemplate")).toHaveLength(1);
        expect(nodeGroup("plain").inputs.launchTemplate).toBeUndefined();
        expect(nodeGroup("plain").inputs.diskSize).toBe(300);
    });
});
