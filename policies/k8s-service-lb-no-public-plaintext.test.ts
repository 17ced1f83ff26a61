import { ResourceValidationPolicy } from "@pulumi/policy";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { changed, gatewayService } from "./lib/fixtures";
import { resourceViolations, TestResource } from "./lib/testing";

const lb = "service.beta.kubernetes.io/aws-load-balancer";
const service = gatewayService();
const plaintextOn = (port: number) =>
    `Service "model-gateway" is an internet-facing load balancer serving port ${port} without TLS, so API keys would cross the internet in clear: set gateway.certificateArn (TLS at the NLB) or gateway.tls, or make it internal (annotation service.beta.kubernetes.io/aws-load-balancer-scheme: internal).`;
const plaintext = plaintextOn(80);
const certificate = "arn:aws:acm:us-east-1:123456789012:certificate/abc";

/** The gateway Service with exactly these annotations and ports. */
const loadBalancer = (annotations: Record<string, string>, ports: Record<string, unknown>[] = [{ name: "http", port: 80, targetPort: "http" }]): TestResource =>
    changed(service, (p) => {
        p.metadata.annotations = annotations;
        p.spec.ports = ports;
    });

/** The policy, imported afresh for each test: the annotation prefix is a module constant. */
let k8sServiceLbNoPublicPlaintext: ResourceValidationPolicy;

beforeEach(async () => {
    vi.resetModules();
    ({ k8sServiceLbNoPublicPlaintext } = await import("./k8s-service-lb-no-public-plaintext"));
});

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

    describe("which load balancers are internet-facing", () => {
        it.each([
            ["the controller's default (type external, no scheme) is internal", { [`${lb}-type`]: "external" }],
            ["the controller ignores the built-in provider's internal annotation", { [`${lb}-type`]: "external", [`${lb}-internal`]: "false" }],
            ['the built-in provider makes an internal one when told "true"', { [`${lb}-internal`]: "true" }],
            ["an explicit scheme wins over the internal annotation", { [`${lb}-scheme`]: "internal", [`${lb}-internal`]: "false" }],
        ])("passes a plaintext port: %s", async (_, annotations) => {
            expect(await resourceViolations(k8sServiceLbNoPublicPlaintext, loadBalancer(annotations))).toEqual([]);
        });

        it.each([
            ["the built-in provider's internal annotation is other than \"true\"", { [`${lb}-internal`]: "yes" }],
            ["the controller with scheme internet-facing", { [`${lb}-type`]: "external", [`${lb}-scheme`]: "internet-facing" }],
        ])("rejects a plaintext port: %s", async (_, annotations) => {
            expect(await resourceViolations(k8sServiceLbNoPublicPlaintext, loadBalancer(annotations))).toEqual([plaintext]);
        });
    });

    describe("which ports the NLB ends TLS on", () => {
        const publicWithCertificate = (sslPorts?: string) => ({
            [`${lb}-scheme`]: "internet-facing",
            [`${lb}-ssl-cert`]: certificate,
            ...(sslPorts === undefined ? {} : { [`${lb}-ssl-ports`]: sslPorts }),
        });
        const ports = [
            { name: "https", port: 443, targetPort: "http" },
            { name: "alt", port: 8443, targetPort: "http" },
            { name: "http", port: 80, targetPort: "http" },
        ];

        it.each([
            ["every port when ssl-ports is left out", undefined, []],
            ['every port for "*"', "*", []],
            ["the ports listed by number or name, spaces around them ignored", "https, 8443", [plaintextOn(80)]],
            ["only the listed ports", "8443", [plaintextOn(443), plaintextOn(80)]],
        ])("%s", async (_, sslPorts, messages) => {
            expect(await resourceViolations(k8sServiceLbNoPublicPlaintext, loadBalancer(publicWithCertificate(sslPorts), ports))).toEqual(messages);
        });

        it("none without a certificate, and a numeric target port is no TLS port", async () => {
            const noCertificate = loadBalancer({ [`${lb}-scheme`]: "internet-facing", [`${lb}-ssl-ports`]: "*" }, [{ port: 443, targetPort: 8443 }]);
            expect(await resourceViolations(k8sServiceLbNoPublicPlaintext, noCertificate)).toEqual([plaintextOn(443)]);
        });
    });

    it("checks only Services: a custom resource whose spec reads like one is not", async () => {
        const lookalike: TestResource = {
            type: "kubernetes:example.com/v1:EdgeProxy",
            name: "edge",
            props: { metadata: { name: "edge", namespace: "model-services" }, spec: { type: "LoadBalancer", ports: [{ port: 80, targetPort: "http" }] } },
        };
        expect(await resourceViolations(k8sServiceLbNoPublicPlaintext, lookalike)).toEqual([]);
    });
});
