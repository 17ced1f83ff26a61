import { beforeEach, describe, expect, it, vi } from "vitest";
import { changed, compliantStack, eksNodeGroup } from "./lib/fixtures";
import { resourceViolations } from "./lib/testing";

const group = eksNodeGroup();
const amiFix = "set amiType to AL2023_x86_64_NVIDIA (or BOTTLEROCKET_x86_64_NVIDIA, which also brings the device plugin; the ARM_64 variants on Graviton GPU instances).";

// The AMI type lists and the policy are module constants: each test imports the module afresh.
let awsEksNodegroupGpuAmi: typeof import("./aws-eks-nodegroup-gpu-ami").awsEksNodegroupGpuAmi;

beforeEach(async () => {
    vi.resetModules();
    awsEksNodegroupGpuAmi = (await import("./aws-eks-nodegroup-gpu-ami")).awsEksNodegroupGpuAmi;
});

describe("aws-eks-nodegroup-gpu-ami", () => {
    it("passes every compliant fixture", async () => {
        for (const r of compliantStack()) {
            expect(await resourceViolations(awsEksNodegroupGpuAmi, r), r.name).toEqual([]);
        }
    });

    it.each(["BOTTLEROCKET_x86_64_NVIDIA", "AL2023_ARM_64_NVIDIA", "BOTTLEROCKET_ARM_64_NVIDIA"])("accepts amiType %s", async (amiType) => {
        expect(await resourceViolations(awsEksNodegroupGpuAmi, changed(group, (p) => (p.amiType = amiType)))).toEqual([]);
    });

    it.each([
        ["scaling up to maxSize", { minSize: 0, desiredSize: 2, maxSize: 2 }],
        ["a group stopped at zero", { minSize: 0, desiredSize: 0, maxSize: 2 }],
    ])("accepts %s", async (_, scalingConfig) => {
        expect(await resourceViolations(awsEksNodegroupGpuAmi, changed(group, (p) => (p.scalingConfig = scalingConfig)))).toEqual([]);
    });

    it.each([
        ["a standard AMI", (p: Record<string, any>) => (p.amiType = "AL2023_x86_64_STANDARD"), `EKS node group "gpu-l40s-*" runs GPU instances (g6e.12xlarge) with amiType AL2023_x86_64_STANDARD, which has no NVIDIA driver: ${amiFix}`],
        ["the retired AL2 GPU AMI", (p: Record<string, any>) => (p.amiType = "AL2_x86_64_GPU"), `EKS node group "gpu-l40s-*" runs GPU instances (g6e.12xlarge) with amiType AL2_x86_64_GPU, the retired Amazon Linux 2 GPU AMI (none is published for Kubernetes 1.33 and later): ${amiFix}`],
        ["no amiType", (p: Record<string, any>) => delete p.amiType, `EKS node group "gpu-l40s-*" runs GPU instances (g6e.12xlarge) without an amiType, which has no NVIDIA driver: ${amiFix}`],
        [
            "a GPU family outside the catalog",
            (p: Record<string, any>) => Object.assign(p, { instanceTypes: ["g4dn.xlarge"], amiType: "AL2023_x86_64_STANDARD" }),
            `EKS node group "gpu-l40s-*" runs GPU instances (g4dn.xlarge) with amiType AL2023_x86_64_STANDARD, which has no NVIDIA driver: ${amiFix}`,
        ],
        [
            "a CPU instance type behind the GPU taint",
            (p: Record<string, any>) => Object.assign(p, { instanceTypes: ["m7i.xlarge"], amiType: "AL2023_x86_64_STANDARD", labels: {} }),
            `EKS node group "gpu-l40s-*" is a GPU node group (taint nvidia.com/gpu) with amiType AL2023_x86_64_STANDARD, which has no NVIDIA driver: ${amiFix}`,
        ],
        [
            "GPU instances but no GPU taint",
            (p: Record<string, any>) => Object.assign(p, { amiType: "AL2023_x86_64_STANDARD", taints: [] }),
            `EKS node group "gpu-l40s-*" runs GPU instances (g6e.12xlarge) with amiType AL2023_x86_64_STANDARD, which has no NVIDIA driver: ${amiFix}`,
        ],
        [
            "several GPU instance types",
            (p: Record<string, any>) => Object.assign(p, { instanceTypes: ["g6e.12xlarge", "m7i.xlarge", "g6.12xlarge"], amiType: "AL2023_x86_64_STANDARD" }),
            `EKS node group "gpu-l40s-*" runs GPU instances (g6e.12xlarge, g6.12xlarge) with amiType AL2023_x86_64_STANDARD, which has no NVIDIA driver: ${amiFix}`,
        ],
    ])("rejects a GPU node group with %s", async (_, change, message) => {
        expect(await resourceViolations(awsEksNodegroupGpuAmi, changed(group, change))).toEqual([message]);
    });

    it.each([
        ["no taint", []],
        ["a taint of its own", [{ key: "dedicated", value: "system", effect: "NO_SCHEDULE" }]],
    ])("leaves CPU node groups on standard AMIs alone, node-group label included (the system group carries it), with %s", async (_, taints) => {
        const cpu = changed(group, (p) => Object.assign(p, { instanceTypes: ["m7i.xlarge"], amiType: "AL2023_x86_64_STANDARD", labels: { "model-services.io/node-group": "system" }, taints }));
        expect(await resourceViolations(awsEksNodegroupGpuAmi, cpu)).toEqual([]);
    });

    it("checks only the EKS node group itself, not a component wrapping it with the same inputs (@pulumi/eks ManagedNodeGroup)", async () => {
        const wrong = changed(group, (p) => Object.assign(p, { amiType: "AL2023_x86_64_STANDARD", scalingConfig: { minSize: 0, desiredSize: 3, maxSize: 2 } }));
        expect(await resourceViolations(awsEksNodegroupGpuAmi, { ...wrong, type: "eks:index:ManagedNodeGroup", name: "gpu-l40s" })).toEqual([]);
        expect(await resourceViolations(awsEksNodegroupGpuAmi, wrong)).toHaveLength(2);
    });

    it.each([
        [{ minSize: 0, desiredSize: 3, maxSize: 2 }, "raise maxSize to at least 3, or lower desiredSize"],
        [{ minSize: 2, desiredSize: 1, maxSize: 2 }, "raise desiredSize to at least 2, or lower minSize"],
        [{ minSize: 3, desiredSize: 3, maxSize: 2 }, "lower minSize to at most maxSize 2"],
    ])("rejects scalingConfig %j", async (scalingConfig, fix) => {
        expect(await resourceViolations(awsEksNodegroupGpuAmi, changed(group, (p) => (p.scalingConfig = scalingConfig)))).toEqual([
            `EKS node group "gpu-l40s-*" has scalingConfig minSize ${scalingConfig.minSize}, desiredSize ${scalingConfig.desiredSize}, maxSize ${scalingConfig.maxSize}, which breaks maxSize ≥ desiredSize ≥ minSize: ${fix}.`,
        ]);
    });

    it("names a group by nodeGroupName, else by its Pulumi name", async () => {
        const named = changed(group, (p) => Object.assign(p, { nodeGroupName: "gpus", amiType: "CUSTOM" }));
        expect(await resourceViolations(awsEksNodegroupGpuAmi, named)).toEqual([`EKS node group "gpus" runs GPU instances (g6e.12xlarge) with amiType CUSTOM, a launch template's AMI, which cannot be checked for the NVIDIA driver: ${amiFix}`]);
        const unnamed = changed(group, (p) => {
            delete p.nodeGroupNamePrefix;
            p.amiType = "CUSTOM";
        });
        expect(await resourceViolations(awsEksNodegroupGpuAmi, unnamed)).toEqual([
            `EKS node group "model-services-gpu-l40s-nodes" runs GPU instances (g6e.12xlarge) with amiType CUSTOM, a launch template's AMI, which cannot be checked for the NVIDIA driver: ${amiFix}`,
        ]);
    });
});
