import { describe, expect, it } from "vitest";
import { k8sServiceLbNoPublicPlaintext } from "./k8s-service-lb-no-public-plaintext";
import { changed, gatewayService } from "./lib/fixtures";
import { resourceViolations } from "./lib/testing";

const lb = "service.beta.kubernetes.io/aws-load-balancer";
const service = gatewayService();
const plaintext =
    'Service "model-gateway" is an internet-facing load balancer serving port 80 without TLS, so API keys would cross the internet in clear: set gateway.certificateArn (TLS at the NLB) or gateway.tls, or make it internal (annotation service.beta.kubernetes.io/aws-load-balancer-scheme: internal).';

describe("k8s-service-lb-no-public-plaintext", () => {
    it("passes the compliant gateway Service (an internal NLB)", async () => {
        expect(await resourceViolations(k8sServiceLbNoPublicPlaintext, service)).toEqual([]);
    });

    it.each([
        ["internet-facing through the controller", (p: any) => (p.metadata.annotations[`${lb}-scheme`] = "internet-facing")],
        ["the built-in provider's default (no scheme, no internal annotation)", (p: any) => (p.metadata.annotations = { [`${lb}-type`]: "nlb" })],
        ["no annotations at all", (p: any) => delete p.metadata.annotations],
    ])("rejects a public plaintext port: %s", async (_, change) => {
        expect(await resourceViolations(k8sServiceLbNoPublicPlaintext, changed(service, change))).toEqual([plaintext]);
    });

    it("accepts a public NLB that ends TLS with an ACM certificate, or passes TLS through to a TLS port", async () => {
        const acm = changed(service, (p) => {
            p.metadata.annotations[`${lb}-scheme`] = "internet-facing";
            p.metadata.annotations[`${lb}-ssl-cert`] = "arn:aws:acm:us-east-1:123456789012:certificate/abc";
            p.metadata.annotations[`${lb}-ssl-ports`] = "443";
            p.spec.ports = [{ name: "https", port: 443, targetPort: "api" }];
        });
        expect(await resourceViolations(k8sServiceLbNoPublicPlaintext, acm)).toEqual([]);
        const passthrough = changed(service, (p) => {
            p.metadata.annotations[`${lb}-scheme`] = "internet-facing";
            p.spec.ports = [{ name: "https", port: 443, targetPort: "api-tls" }];
        });
        expect(await resourceViolations(k8sServiceLbNoPublicPlaintext, passthrough)).toEqual([]);
    });

    it("rejects a port the certificate does not cover", async () => {
        const partial = changed(service, (p) => {
            p.metadata.annotations[`${lb}-scheme`] = "internet-facing";
            p.metadata.annotations[`${lb}-ssl-cert`] = "arn:aws:acm:us-east-1:123456789012:certificate/abc";
            p.metadata.annotations[`${lb}-ssl-ports`] = "443";
            p.spec.ports = [{ name: "https", port: 443, targetPort: "api" }, { name: "http", port: 80, targetPort: "api" }];
        });
        expect(await resourceViolations(k8sServiceLbNoPublicPlaintext, partial)).toEqual([plaintext]);
    });

    it("leaves ClusterIP Services alone", async () => {
        expect(await resourceViolations(k8sServiceLbNoPublicPlaintext, changed(service, (p) => ((p.spec.type = "ClusterIP"), delete p.metadata.annotations)))).toEqual([]);
    });
});
