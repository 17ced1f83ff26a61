import { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, kubernetesObject, typeTokens } from "./lib/kubernetes";
import { isUnknown, list, num, plain, record, str } from "./lib/values";

const annotation = "service.beta.kubernetes.io/aws-load-balancer";

/**
 * Whether an AWS load balancer Service is reachable from the internet: the AWS Load
 * Balancer Controller makes `internal` NLBs unless `-scheme: internet-facing`; Kubernetes'
 * built-in AWS provider (any `-type` other than `external`) makes internet-facing ones
 * unless `-internal: "true"`.
 */
function isPublic(annotations: Record<string, any>): boolean {
    const scheme = str(annotations[`${annotation}-scheme`]);
    if (scheme !== undefined) {
        return scheme === "internet-facing";
    }
    const byController = str(annotations[`${annotation}-type`]) === "external";
    return byController ? false : str(annotations[`${annotation}-internal`]) !== "true";
}

/** Ports the NLB ends TLS on (`-ssl-cert` with `-ssl-ports`, `*` or absent meaning every port). */
function tlsPorts(annotations: Record<string, any>): (port: number, name?: string) => boolean {
    if (str(annotations[`${annotation}-ssl-cert`]) === undefined) {
        return () => false;
    }
    const ports = (str(annotations[`${annotation}-ssl-ports`]) ?? "*").split(",").map((p) => p.trim());
    return (port, name) => ports.includes("*") || ports.includes(String(port)) || (name !== undefined && ports.includes(name));
}

/**
 * No load balancer Service is public and plaintext: API keys would cross the internet in
 * clear. Each port of an internet-facing one either has TLS ended at the NLB (an ACM
 * certificate) or passes TLS through to a backend port named for TLS (`…tls…`/`https`).
 */
export const k8sServiceLbNoPublicPlaintext: ResourceValidationPolicy = {
    name: "k8s-service-lb-no-public-plaintext",
    description: "An internet-facing LoadBalancer Service serves every port with TLS: an ACM certificate at the NLB, or TLS passed through to a TLS port.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== typeTokens.service) {
            return;
        }
        const props = plain(args.props) as Record<string, any>;
        const spec = record(props.spec);
        const annotations = record(record(props.metadata)?.annotations);
        if (!spec || str(spec.type) !== "LoadBalancer" || isUnknown(record(props.metadata)?.annotations) || Object.values(annotations ?? {}).some(isUnknown)) {
            return;
        }
        if (!isPublic(annotations ?? {})) {
            return;
        }
        const service = kubernetesObject(args.type, props, args.name);
        const endsTls = tlsPorts(annotations ?? {});
        for (const port of list(spec.ports).map(record)) {
            const number = num(port?.port);
            if (number === undefined || isUnknown(port?.targetPort)) {
                continue;
            }
            const target = str(port?.targetPort) ?? "";
            if (endsTls(number, str(port?.name)) || /tls|https/i.test(target)) {
                continue;
            }
            reportViolation(
                `${describe(service!)} is an internet-facing load balancer serving port ${number} without TLS, so API keys would cross the internet in clear: set gateway.certificateArn (TLS at the NLB) or gateway.tls, or make it internal (annotation ${annotation}-scheme: internal).`,
            );
        }
    },
};
