import { beforeEach, describe, expect, it, vi } from "vitest";

/**
 * The name and value rules of `rules.ts`, at their edges. They are module constants, so each
 * test imports the module afresh: a changed rule then shows in the test
 * that checks it, also to mutation testing (docs/mutation.md, "module constants").
 */
let rules: typeof import("./rules");

beforeEach(async () => {
    vi.resetModules();
    rules = await import("./rules");
});

/** Each value the rule must accept, and each it must refuse. */
function expectRule(re: RegExp, accepted: string[], refused: string[]): void {
    expect(accepted.filter((v) => !re.test(v))).toEqual([]);
    expect(refused.filter((v) => re.test(v))).toEqual([]);
}

const hex40 = "0123456789abcdef0123456789abcdef01234567";

describe("rules: names Kubernetes and the clouds accept", () => {
    it("a Hugging Face revision is exactly 40 lowercase hex characters", () => {
        expectRule(rules.huggingFaceRevision, [hex40], [`x${hex40}`, `${hex40}x`, hex40.slice(1), hex40.toUpperCase(), "main"]);
    });

    it("an RFC 1035 label starts with a letter, ends alphanumeric, ≤ 63 characters", () => {
        expectRule(
            rules.rfc1035Label,
            ["a", "ab", "a-b", "llama-8b", `a${"-".repeat(61)}b`],
            ["1a", "-a", "a-", "A", "a_b", " a", "a ", "a.b", `a${"b".repeat(63)}`, ""],
        );
    });

    it("an RFC 1123 label may also start with a digit", () => {
        expectRule(
            rules.rfc1123Label,
            ["0", "a", "1a", "gpu-l40s", `0${"-".repeat(61)}9`],
            ["-a", "a-", "A", "a_b", " a", "a ", "a.b", `a${"b".repeat(63)}`, ""],
        );
    });

    it("a DNS name is dot-separated labels, 253 characters at most", () => {
        const longest = ["a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61)].join(".");
        expect(longest).toHaveLength(253);
        expectRule(
            rules.dnsName,
            ["a", "ab", "a.b", "api.example.com", "model-services.example.com", "a.bcde.f", "x.y-z.w", longest],
            [`${longest}d`, "-a", "a-", "a.", ".a", "a..b", "a.-b", "a.b-", "Api.example.com", "api.example.com ", ""],
        );
    });

    it("an ACM certificate ARN names the partition, region, 12-digit account and certificate id", () => {
        const arn = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-abcd-EF01-2345-6789abcdef01";
        expectRule(
            rules.acmCertificateArn,
            [arn, "arn:aws-us-gov:acm:us-gov-west-1:123456789012:certificate/c1"],
            [
                `x${arn}`,
                `${arn} `,
                `${arn}/x`,
                arn.replace(":acm:", ":iam:"),
                arn.replace("123456789012", "12345678901"),
                arn.replace("123456789012", "1234567890123"),
                arn.replace("us-east-1", "US-EAST-1"),
                "arn:aws:acm:us-east-1:123456789012:certificate/",
            ],
        );
    });

    it("an IPv4 CIDR has four octets of 0–255 and a prefix of 0–32", () => {
        expectRule(
            rules.ipv4Cidr,
            ["203.0.113.0/24", "255.255.255.255/32", "0.0.0.0/0", "249.99.199.249/16", "10.0.0.0/8", "1.12.123.9/30", "10.0.0.99/32", "10.0.0.123/32"],
            ["10.0.0.0/33", "10.0.0.0/40", "1.10.0.0.0/8", "x1.2.3.4/8", "256.0.0.0/8", "1.2.3.256/8", "1.2.3/8", "1.2.3.4", "01.2.3.4x/8", "1.2.3.4/8 "],
        );
    });

    it("a grace period ends at a UTC time, seconds and up to three fractional digits optional", () => {
        expectRule(
            rules.isoUtcTime,
            ["2026-12-01T12:00Z", "2026-12-01T12:00:00Z", "2026-12-01T12:00:00.5Z", "2026-12-01T12:00:00.123Z"],
            [
                "x2026-12-01T12:00Z",
                "2026-12-01T12:00Zx",
                "2026-12-01T12:00:00.1234Z",
                "2026-12-01T12:00:00+01:00",
                "2026-12-01T12:00",
                "26-12-01T12:00Z",
                "2026-1-01T12:00Z",
                "2026-12-1T12:00Z",
                "2026-12-01T1:00Z",
                "2026-12-01T12:0Z",
                "2026-12-01T12:00:0Z",
                "2026-12-01T12:00:00.Z",
                "2026-12-01 12:00Z",
            ],
        );
    });

    it("an access name has no whitespace or '%' anywhere", () => {
        expectRule(rules.accessNamePattern, ["u-8105f7322477/test", "a"], [" a", "a ", "a b", "a%20b", "a\tb", ""]);
    });

    it("an environment variable name is letters, digits and '_', not starting with a digit", () => {
        expectRule(rules.envName, ["A", "HF_HOME", "_x1", "vllm_port"], ["1A", "A-B", " A", "A ", "A.B", ""]);
    });

    it("credentials are recognised by their names, in any case", () => {
        expectRule(
            rules.secretEnvPattern,
            ["HF_TOKEN", "hf_token", "CLIENT_SECRET", "DB_PASSWORD", "OPENAI_API_KEY", "AWS_ACCESS_KEY_ID"],
            ["HF_HOME", "VLLM_PORT", "KEY", "ACCESS", "API"],
        );
    });
});

describe("rules: tables and defaults", () => {
    it("GGUF is refused with what to do instead", () => {
        expect(rules.unsupportedQuantizations).toEqual({
            gguf: "convert the checkpoint to safetensors, or serve an AWQ or GPTQ re-upload of the model with quantization: awq (or gptq)",
        });
    });

    it("the node-local cache lives on the instance-store array nodeadm mounts", () => {
        expect(rules.instanceStoreMount).toBe("/mnt/k8s-disks/0");
        expect(rules.defaults.nodeLocalCachePath).toBe("/mnt/k8s-disks/0/model-cache");
    });

    it("the gateway gets a load balancer on EKS and a ClusterIP Service elsewhere", () => {
        expect(rules.defaultGatewayServiceType("eks")).toBe("LoadBalancer");
        expect(rules.defaultGatewayServiceType("kubeconfig")).toBe("ClusterIP");
    });
});
