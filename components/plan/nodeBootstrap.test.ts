import { describe, expect, it } from "vitest";
import { nodeConfig, nodeUserData } from "./nodeBootstrap";
import { nodeUserDataLines } from "../../test/helpers/expectedContracts";

/**
 * What an EKS AL2023 node reads at boot from the launch template: a MIME multi-part document
 * with one `application/node.eks.aws` part holding nodeadm's NodeConfig. Checked line by line,
 * since nodeadm parses the YAML and EKS merges the parts by their boundary.
 */
describe("nodeConfig: nodeadm's NodeConfig asking for a local storage strategy", () => {
    it("is the node.eks.aws/v1alpha1 NodeConfig with spec.instance.localStorage.strategy, ending in a newline", () => {
        expect(nodeConfig("RAID0")).toBe("apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  instance:\n    localStorage:\n      strategy: RAID0\n");
    });

    it("names the strategy it is given, verbatim", () => {
        expect(nodeConfig("Mount").split("\n")).toEqual(["apiVersion: node.eks.aws/v1alpha1", "kind: NodeConfig", "spec:", "  instance:", "    localStorage:", "      strategy: Mount", ""]);
        expect(nodeConfig("RAID10").split("\n")[5]).toBe("      strategy: RAID10");
    });
});

describe("nodeUserData: the launch template's user data (before base64)", () => {
    it("is a multipart/mixed document with the fixed boundary, one application/node.eks.aws part, and the closing delimiter", () => {
        expect(nodeUserData("RAID0").split("\n")).toEqual(nodeUserDataLines("RAID0"));
    });

    it("renders the same bytes for the same strategy (no random boundary), and the part's body is the NodeConfig", () => {
        expect(nodeUserData("RAID0")).toBe(nodeUserData("RAID0"));
        const [, body] = nodeUserData("RAID10").split("Content-Type: application/node.eks.aws\n\n");
        expect(body).toBe(`${nodeConfig("RAID10")}\n--MODEL-SERVICES-NODECONFIG--\n`);
    });
});
