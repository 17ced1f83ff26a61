import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ConfigError, IssueList } from "./issues";
import { reportZodIssue } from "./zodIssues";
import { accessNamePattern } from "./rules";
import { leafMessage } from "./schema";

/** The leaf of an access name, which the config derives (`<owner>/<name>`) and a program may pass. */
export const accessNameLeaf = z
    .string({ error: leafMessage("an access name such as u-8105f7322477/llama-8b", "use <owner>/<service name>, without spaces or '%'") })
    .regex(accessNamePattern);

/**
 * Checks a component's args with the stack config's own schema leaves (`schema.ts`), so an
 * arg and the config key it mirrors obey one rule with one message:
 * `args.instances: expected a whole number ≥ 0, got -1. Set how many instances to run …`.
 *
 * Plain values are checked when the component is constructed, all at once, before any
 * child is registered. A value that comes from another resource (an Output or a Promise)
 * is checked when it resolves; a bad one then fails the update with the same message.
 */
export class ArgsCheck {
    /** Problems of the plain values so far; cross-field rules add theirs here too. */
    readonly issues = new IssueList();

    /** @param subject the component and its name, e.g. `ModelService "chat" args`. */
    constructor(private readonly subject: string) {}

    /** Checks `value` against the config `leaf` now, or when it resolves; returns it as an Output. */
    input<T>(arg: string, leaf: z.ZodType, value: pulumi.Input<T>): pulumi.Output<T>;
    input<T>(arg: string, leaf: z.ZodType, value: pulumi.Input<T> | undefined): pulumi.Output<T | undefined>;
    input<T>(arg: string, leaf: z.ZodType, value: pulumi.Input<T> | undefined): pulumi.Output<T | undefined> {
        if (!isResolved(value)) {
            return (pulumi.output(value) as pulumi.Output<T | undefined>).apply((resolved) => {
                const late = new IssueList();
                checkLeaf(late, arg, leaf, resolved);
                if (!late.empty) {
                    throw new ConfigError(late.issues, this.subject);
                }
                return resolved;
            });
        }
        this.plain(arg, leaf, value);
        return pulumi.output(value) as pulumi.Output<T | undefined>;
    }

    /** Checks a value the component needs as it is (names of children, labels). */
    plain<T>(arg: string, leaf: z.ZodType, value: T): T {
        checkLeaf(this.issues, arg, leaf, value);
        return value;
    }

    /** Throws one `ConfigError` with every problem of the plain values. Call before creating children. */
    throwIfInvalid(): void {
        if (!this.issues.empty) {
            throw new ConfigError(this.issues.issues, this.subject);
        }
    }
}

/** A plain value, known now (no Output or Promise anywhere in it). */
function isResolved(value: unknown): boolean {
    if (pulumi.Output.isInstance(value) || value instanceof Promise) {
        return false;
    }
    // A list's values are its elements.
    if (value !== null && typeof value === "object") {
        return Object.values(value).every(isResolved);
    }
    return true;
}

function checkLeaf(issues: IssueList, arg: string, leaf: z.ZodType, value: unknown): void {
    // Parsed under `args.<arg>` so paths read `args.env.1X` the way config paths read `services[0].env.1X`.
    const raw = { args: { [arg]: value } };
    const schema = z.object({ args: z.object({ [arg]: leaf }) });
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
        for (const issue of parsed.error.issues) {
            reportZodIssue(issues, issue, raw, schema);
        }
    }
}
