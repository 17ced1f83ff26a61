import {
    Policies,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
    unknownCheckingProxy,
} from "@pulumi/policy";

/**
 * Runs policies the way the policy server does (properties behind the engine's
 * unknown-checking proxy, config from the pack's config), without an engine: the specs
 * and the whole-pack test call these with constructed resources.
 */

/** A resource as a policy sees it: type token, Pulumi name and properties. */
export interface TestResource {
    type: string;
    name: string;
    props: Record<string, any>;
}

export interface Violation {
    policy: string;
    message: string;
    /** The resource a violation is about (stack policies may name one). */
    urn?: string;
}

/** The engine's marker for a string that is unknown until the update (exported at runtime only). */
export const unknownDuringPreview: string = (require("@pulumi/policy/proxy") as { unknownStringValue: string }).unknownStringValue;

export function urnOf(resource: Pick<TestResource, "type" | "name">): string {
    return `urn:pulumi:test::model-services::${resource.type}::${resource.name}`;
}

const noOptions: PolicyResourceOptions = {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
};

class NotApplicable extends Error {}

function notApplicable(reason?: string): never {
    throw new NotApplicable(reason);
}

/** The policies here match on type tokens; the class-based helpers would need the provider SDKs loaded. */
const typeGuards = {
    isType: (): boolean => {
        throw new Error("isType is not available in policy tests: match on args.type");
    },
    asType: (): undefined => {
        throw new Error("asType is not available in policy tests: match on args.type");
    },
};

/** The messages one resource policy reports for one resource. */
export async function resourceViolations(policy: ResourceValidationPolicy, resource: TestResource, config: object = {}): Promise<string[]> {
    const messages: string[] = [];
    const validations = policy.validateResource === undefined ? [] : Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
    for (const validate of validations) {
        const args: ResourceValidationArgs = {
            type: resource.type,
            props: unknownCheckingProxy(resource.props),
            urn: urnOf(resource),
            name: resource.name,
            opts: noOptions,
            stackTags: new Map(),
            ...typeGuards,
            getConfig: <T extends object>() => config as T,
            notApplicable,
        };
        try {
            await validate(args, (message) => messages.push(message));
        } catch (e) {
            if (!(e instanceof NotApplicable)) {
                throw e;
            }
        }
    }
    return messages;
}

/** The violations one stack policy reports for a stack of resources. */
export async function stackViolations(policy: StackValidationPolicy, resources: TestResource[], config: object = {}): Promise<Omit<Violation, "policy">[]> {
    const violations: Omit<Violation, "policy">[] = [];
    const policyResources: PolicyResource[] = resources.map((r) => ({
        type: r.type,
        props: unknownCheckingProxy(r.props),
        urn: urnOf(r),
        name: r.name,
        opts: noOptions,
        dependencies: [],
        propertyDependencies: {},
        ...typeGuards,
    }));
    const args: StackValidationArgs = {
        resources: policyResources,
        stackTags: new Map(),
        getConfig: <T extends object>() => config as T,
        notApplicable,
    };
    try {
        await policy.validateStack(args, (message, urn) => violations.push(urn === undefined ? { message } : { message, urn }));
    } catch (e) {
        if (!(e instanceof NotApplicable)) {
            throw e;
        }
    }
    return violations;
}

/** The messages of the violations one stack policy reports, in order. */
export async function stackViolationMessages(policy: StackValidationPolicy, resources: TestResource[], config: object = {}): Promise<string[]> {
    return (await stackViolations(policy, resources, config)).map((v) => v.message);
}

function isStackPolicy(policy: ResourceValidationPolicy | StackValidationPolicy): policy is StackValidationPolicy {
    return "validateStack" in policy;
}

/**
 * Every violation a whole pack reports for a stack: each resource policy over each
 * resource, then each stack policy over all of them. `config` is keyed by policy name, as
 * in `--policy-pack-config`; a policy configured `"disabled"` does not run.
 */
export async function packViolations(policies: Policies, resources: TestResource[], config: Record<string, object | string> = {}): Promise<Violation[]> {
    const violations: Violation[] = [];
    for (const policy of policies) {
        const own = config[policy.name];
        const level = typeof own === "string" ? own : ((own as { enforcementLevel?: string } | undefined)?.enforcementLevel ?? policy.enforcementLevel);
        if (level === "disabled") {
            continue;
        }
        const properties = typeof own === "object" ? own : {};
        if (isStackPolicy(policy)) {
            for (const v of await stackViolations(policy, resources, properties)) {
                violations.push({ policy: policy.name, ...v });
            }
        } else {
            for (const r of resources) {
                for (const message of await resourceViolations(policy, r, properties)) {
                    violations.push({ policy: policy.name, message, urn: urnOf(r) });
                }
            }
        }
    }
    return violations;
}
