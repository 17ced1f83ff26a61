import { beforeEach, describe, expect, it, vi } from "vitest";

/**
 * Which EC2 instance types count as NVIDIA GPU instances. The families outside the catalog
 * are a module constant, so each test imports the module afresh.
 */
let aws: typeof import("./aws");

beforeEach(async () => {
    vi.resetModules();
    aws = await import("./aws");
});

describe("isNvidiaInstanceType", () => {
    it.each(["g6e.12xlarge", "p5.48xlarge", "g5.xlarge"])("knows %s from the GPU catalog", (instanceType) => {
        expect(aws.isNvidiaInstanceType(instanceType)).toBe(true);
    });

    it("counts a size the catalog lacks of a family it has (g6e.metal)", () => {
        expect(aws.isNvidiaInstanceType("g6e.metal")).toBe(true);
    });

    it.each(["g4dn.xlarge", "g5g.2xlarge", "g6f.large", "gr6.4xlarge", "gr6f.4xlarge", "p3.2xlarge", "p3dn.24xlarge", "p6-b200.48xlarge", "p6-b300.48xlarge", "p6e-gb200.36xlarge"])(
        "knows %s, of an NVIDIA family outside the catalog",
        (instanceType) => {
            expect(aws.isNvidiaInstanceType(instanceType)).toBe(true);
        },
    );

    it.each(["m7i.xlarge", "c7g.large", "inf2.xlarge", "trn1.32xlarge", "g4ad.xlarge", ""])("does not count %j", (instanceType) => {
        expect(aws.isNvidiaInstanceType(instanceType)).toBe(false);
    });
});

describe("nodeGroupName", () => {
    it("names a node group by nodeGroupName, else its prefix with a star, else its Pulumi name", () => {
        expect(aws.nodeGroupName({ nodeGroupName: "gpus", nodeGroupNamePrefix: "gpu-" }, "pulumi-name")).toBe("gpus");
        expect(aws.nodeGroupName({ nodeGroupNamePrefix: "gpu-" }, "pulumi-name")).toBe("gpu-*");
        expect(aws.nodeGroupName({}, "pulumi-name")).toBe("pulumi-name");
    });
});
